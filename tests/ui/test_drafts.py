"""The Drafts page under AppTest: your drafts with their findings, a fix applied in one click,
an edit saved as a new version, and submitting one draft or its whole group."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from studio.services import comments, queries, review
from studio.store.db import Database
from tests.helpers.ui import html_of, page_as, shown_text, workspace
from tests.helpers.variants import CLEAN, drafted

pytestmark = pytest.mark.slow  # a real Streamlit run per test
PILLS = "Brightleaf: our vitamin pills support your routine. Reply STOP to opt out"


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Database:
    return workspace(tmp_path, monkeypatch)


def drafts(name: str = "wendy") -> AppTest:
    return page_as(name, "drafts")


def write(db: Database, body: str, group: str | None = None) -> int:
    return review.create_variant(db, actor="wendy", brand="brightleaf", channel="sms",
                                 fields={"body": body}, variant_group=group).id  # fmt: skip


def click(app: AppTest, starts_with: str) -> AppTest:
    next(b for b in app.button if b.label.startswith(starts_with)).click().run()
    assert not app.exception, app.exception
    return app


def test_a_fix_is_applied_in_one_click_and_the_copy_checked_again(db: Database) -> None:
    variant = write(db, PILLS)
    app = drafts()
    copy = next(h for h in html_of(app) if h.startswith("<div><b>body</b>"))
    assert "BL-SWAP-PILL" in copy and "pills" in shown_text(copy)
    click(app, "Apply the fix for BL-SWAP-PILL")
    detail = queries.variant_detail(db, "wendy", variant)
    assert detail.fields["body"] == PILLS.replace("pills", "capsules") and detail.version == 2
    assert any("BL-SWAP-PILL fixed, as version 2" in h for h in html_of(app))
    assert not [b for b in app.button if b.label.startswith("Apply the fix")]


def test_an_edit_is_saved_as_a_new_version_and_submitted(db: Database) -> None:
    variant = write(db, CLEAN)
    app = drafts()
    app.text_area[0].input(CLEAN.replace("routine", "winter routine"))
    click(app, "Save as a new version")
    assert queries.variant_detail(db, "wendy", variant).version == 2
    click(app, "Submit for review")
    assert queries.variant_detail(db, "wendy", variant).status == "in_review"
    assert "You have no drafts" in app.info[0].value


def test_a_whole_group_is_submitted_at_once(db: Database) -> None:
    ids = [write(db, CLEAN.replace("routine", f"routine {n}"), "winter-sms") for n in range(3)]
    click(drafts(), "Submit every draft of winter-sms")
    assert {queries.variant_detail(db, "wendy", i).status for i in ids} == {"in_review"}


def test_only_your_own_drafts_are_listed(db: Database) -> None:
    write(db, CLEAN)
    assert "You have no drafts" in drafts("ada").info[0].value  # ada wrote none


def test_a_drafted_variant_is_drafted_again_with_a_note(db: Database) -> None:
    variant_id = drafted(db)
    before = queries.variant_detail(db, "wendy", variant_id).fields
    app = drafts()
    next(a for a in app.text_area if a.label.startswith("Note")).input("Shorter, please")
    click(app, "Draft it again")
    after = queries.variant_detail(db, "wendy", variant_id)
    assert after.version == 2 and after.fields != before
    assert (after.provenance or {})["drafter_note"] == "Shorter, please"
    assert any(f"#{variant_id}: drafted again, as version 2." in h for h in html_of(app))


def test_copy_written_by_hand_is_not_offered_a_retake_and_shows_its_comments(
    db: Database,
) -> None:
    variant_id = write(db, PILLS)
    start = PILLS.index("pills")
    remark = "Say capsules [here](https://evil.example)"
    comments.add(db, variant_id, actor="rita", field="body", start=start, end=start + 5,
                 body=remark)  # fmt: skip
    app = drafts()
    assert not [b for b in app.button if b.label == "Draft it again"]
    listed = next(shown_text(h) for h in html_of(app) if "Say capsules" in h)
    assert "rita on body “pills” (version 1): Say capsules [here](https://evil.example)" in listed
