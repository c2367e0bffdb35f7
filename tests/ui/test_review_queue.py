"""The Review queue page under AppTest: who sees it, the variant with its findings on the
words, and each decision going through the service (which refuses what the workflow forbids,
with the reason on the page)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from studio.services import queries, review
from studio.store.db import Database
from studio.ui.components.highlight import label_text
from tests.helpers.ui import html_of, shown_text, sign_in, started, workspace
from tests.helpers.variants import CLEAN, CURE, drafted, in_review

SHOUTY = "Brightleaf: our vitamins SUPPORT YOUR ROUTINE!!! Reply STOP to opt out"
pytestmark = pytest.mark.slow  # a real Streamlit run per test


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Database:
    return workspace(tmp_path, monkeypatch)


def decide(app: AppTest, decision: str, **inputs: str) -> AppTest:
    next(r for r in app.radio if r.label == "Decision").set_value(decision).run()
    for label, value in inputs.items():
        next(area for area in app.text_area if label in area.label).input(value)
    next(button for button in app.button if button.label == decision).click().run()
    assert not app.exception, app.exception
    return app


def status(db: Database, variant_id: int) -> str:
    return queries.variant_detail(db, "ada", variant_id).status


def test_only_those_who_decide_are_offered_the_queue(db: Database) -> None:
    assert sign_in(started(), "wendy").title[0].value == "New brief"
    assert sign_in(started(), "rita").title[0].value == "Review queue"


def test_an_empty_queue_says_so_and_what_fills_it(db: Database) -> None:
    app = sign_in(started(), "rita")
    assert "Nothing is waiting for review" in app.info[0].value


def test_a_reviewer_overrides_a_blocking_finding_with_a_justification(db: Database) -> None:
    variant = in_review(db, CURE)
    app = sign_in(started(), "rita")
    page = " ".join(html_of(app))
    assert "<mark" in page and "cure" in page  # the finding is on the words
    blocking = next(a.label for a in app.text_area if a.label.startswith("Override"))
    rule = blocking.split()[1].rstrip(":")
    decide(app, "Approve")
    assert any(f"override of {rule} needs a written justification" in h
               for h in html_of(app))  # refused, saying why  # fmt: skip
    assert status(db, variant.id) == "in_review"
    decide(app, "Approve", **{rule: "Legal signed off the wording, ticket LEG-2211"})
    detail = queries.variant_detail(db, "ada", variant.id)
    assert detail.status == "approved" and [o.rule for o in detail.overrides] == [rule]
    assert detail.overrides[0].by == "rita"
    assert any(f"#{variant.id}: approve recorded" in h for h in html_of(app))


def test_requesting_changes_needs_a_comment_and_reaches_the_copy(db: Database) -> None:
    variant = in_review(db, CLEAN)
    app = sign_in(started(), "rita")
    decide(app, "Request changes")
    assert any("comment" in h.lower() for h in html_of(app))
    assert status(db, variant.id) == "in_review"
    decide(app, "Request changes", **{"What should change": "Name the winter range, please."})
    assert status(db, variant.id) == "changes_requested"
    assert "Nothing is waiting for review" in app.info[0].value


def test_hostile_copy_in_the_queue_is_shown_inert(db: Database) -> None:
    in_review(db, "Brightleaf <img src=https://evil.example/x.png> **now** [go](https://e.x) "
                  "{{ 7*7 }} Reply STOP to opt out")  # fmt: skip
    app = sign_in(started(), "rita")
    copy = next(h for h in html_of(app) if h.startswith("<div><b>body</b>"))
    assert "<img" not in copy
    assert "<img src=https://evil.example/x.png> **now** [go](https://e.x) {{ 7*7 }}" in shown_text(
        copy
    )


def test_variants_with_no_findings_are_approved_in_bulk(db: Database) -> None:
    clean = [in_review(db, CLEAN.replace("routine", f"routine {n}")).id for n in range(2)]
    blocked = in_review(db, CURE).id
    app = sign_in(started(), "rita")
    next(b for b in app.button if b.label.startswith("Approve the 2 variant(s)")).click().run()
    assert not app.exception, app.exception
    assert {status(db, i) for i in clean} == {"approved"} and status(db, blocked) == "in_review"
    assert any("Approved 2 variant(s)." in h for h in html_of(app))


def offered(app: AppTest) -> set[str]:
    """The variants (#id) the queue's picker offers."""
    picker = next(s for s in app.selectbox if s.label.startswith("Variant"))
    return {option.split()[0] for option in picker.options}


def test_filters_and_the_queue_routed_by_the_reviewers_focus(db: Database) -> None:
    cure, shouty = in_review(db, CURE).id, in_review(db, SHOUTY).id
    app = sign_in(started(), "rita")
    assert offered(app) == {f"#{cure}", f"#{shouty}"}
    next(s for s in app.selectbox if s.label == "Finding category").select("tone").run()
    assert offered(app) == {f"#{shouty}"}
    next(s for s in app.selectbox if s.label == "Finding category").select("Any").run()
    next(r for r in app.radio if r.label == "Route to me").set_value("claims").run()
    next(b for b in app.button if b.label == "Save my focus").click().run()
    assert any("Your focus is now claims." in h for h in html_of(app))
    app.toggle[0].set_value(True).run()
    assert "focus: claims" in app.toggle[0].label and offered(app) == {f"#{cure}"}
    next(s for s in app.selectbox if s.label == "Waiting").select("over a day").run()
    assert "Nothing is waiting for review" in app.info[0].value


def test_the_brief_is_on_the_screen_and_a_comment_lands_on_the_words(db: Database) -> None:
    variant_id = drafted(db)
    review.submit(db, variant_id, actor="wendy")
    body = queries.variant_detail(db, "ada", variant_id).fields["body"]
    app = sign_in(started(), "rita")
    assert label_text("The brief: Winter routine (by wendy)") in [e.label for e in app.expander]
    assert any("Busy commuters who skip breakfast" in c.value for c in app.code)
    words = body.split()[1]
    next(t for t in app.text_input if t.label.startswith("The words")).input("not in the copy")
    next(a for a in app.text_area if a.label == "Your comment").input("Why this word?")
    next(b for b in app.button if b.label == "Add the comment").click().run()
    assert any("does not contain" in h for h in html_of(app))
    next(t for t in app.text_input if t.label.startswith("The words")).input(words)
    next(a for a in app.text_area if a.label == "Your comment").input("Why this <b>word</b>?")
    next(b for b in app.button if b.label == "Add the comment").click().run()
    (said,) = queries.variant_detail(db, "ada", variant_id).comments
    assert (said.text, said.by) == (words, "rita")
    listed = next(h for h in html_of(app) if "Why this" in h)
    assert "&lt;b&gt;word&lt;/b&gt;" in listed  # shown as text
