"""The New brief page under AppTest: a brief pasted or uploaded is checked with the CLI's
messages, queued, drafted by the worker, and its variants listed; leaving and coming back
shows the job where it is."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from studio.services import queries
from studio.store.db import Database
from studio.workers.drafting import serve
from tests.conftest import example_brief_for_now, write_pack
from tests.helpers.ui import html_of, on_page, shown_text, sign_in, started, workspace

pytestmark = pytest.mark.slow  # a real Streamlit run per test


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Database:
    for name in ("STUDIO_LLM_BASE_URL", "STUDIO_LLM_API_KEY", "OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)  # the offline drafter
    return workspace(tmp_path, monkeypatch)


def paste(app: AppTest, text: str) -> AppTest:
    app.radio[0].set_value("As YAML (paste or upload)").run()
    app.text_area[0].input(text)
    next(b for b in app.button if b.label == "Draft the variants").click().run()
    assert not app.exception, app.exception
    return app


def test_a_brief_is_queued_drafted_and_its_variants_listed(db: Database, tmp_path: Path) -> None:
    brief = example_brief_for_now("brightleaf-winter.yaml", tmp_path).read_text()
    app = sign_in(started(), "wendy")
    assert app.title[0].value == "New brief"
    paste(app, brief)
    (job,) = queries.list_jobs(db, "wendy", requested_by="wendy")
    assert any(f"Job #{job.id} is queued" in h for h in html_of(app))
    assert job.status == "queued"
    assert serve(db, once=True, log=lambda _line: None) == 1  # what `studio worker` does
    on_page(on_page(app, "brand_rules"), "new_brief")  # away and back: nothing lost
    detail = queries.job_detail(db, "wendy", job.id)
    saved = sum(1 for item in detail.variants if item.variant_id)
    assert saved == len(detail.variants) > 0
    (finished,) = app.status
    assert finished.label == f"Job #{job.id}: done, {saved} of {saved} variants saved as drafts"
    assert finished.state == "complete"


def test_a_bad_brief_is_refused_naming_the_line_and_field(db: Database) -> None:
    app = paste(sign_in(started(), "wendy"), "brand: brightleaf\ncampaign: 5\nchannels: nope\n")
    (refusal,) = [h for h in html_of(app) if "the brief is not valid" in h]
    assert "brief:3: channels" in refusal
    assert queries.list_jobs(db, "wendy", requested_by="wendy") == []


def test_hostile_yaml_is_refused_inert(db: Database) -> None:
    app = paste(sign_in(started(), "wendy"), "brand: <script>alert(1)</script>\n{{ 7*7 }}: [")
    shown = " ".join(html_of(app))
    assert "<script>" not in shown and "brief:" in shown


def test_a_reviewer_is_not_offered_new_briefs(db: Database) -> None:
    assert sign_in(started(), "rita").title[0].value == "Review queue"


def form_field(app: AppTest, label: str):  # type: ignore[no-untyped-def]
    widgets = [*app.text_input, *app.text_area, *app.number_input]
    return next(w for w in widgets if w.label.startswith(label))


def test_a_brief_is_written_in_the_form_and_queued(db: Database) -> None:
    app = sign_in(started(), "wendy")
    app.selectbox[0].select("brightleaf").run()
    submit = app.button(key="FormSubmitter:brief-form-Draft the variants")
    submit.click().run()
    said = " ".join(shown_text(h) for h in html_of(app))
    assert "the form: campaign:" in said and "the form: segments:" in said
    assert queries.list_jobs(db, "wendy", requested_by="wendy") == []
    form_field(app, "Campaign").input("Winter <script>alert(1)</script> routine")
    form_field(app, "Product").input("Daily magnesium")
    form_field(app, "Key message").input("A simple daily routine")
    form_field(app, "Call to action").input("Shop now")
    form_field(app, "Its link").input("https://brightleaf.example/magnesium")
    form_field(app, "Segments").input("commuters | Busy commuters who skip breakfast")
    form_field(app, "SMS messages").set_value(2)
    app.multiselect[0].select("magnesium-fatigue")
    app.button(key="FormSubmitter:brief-form-Draft the variants").click().run()
    assert not app.exception, app.exception
    (job,) = queries.list_jobs(db, "wendy", requested_by="wendy")
    detail = queries.job_detail(db, "wendy", job.id)
    assert [item.key for item in detail.variants] == ["sms/commuters/A", "sms/commuters/B"]
    assert not any("<script>" in h for h in html_of(app))


def test_a_brand_whose_rules_do_not_load_is_said_plainly_not_a_crash(
    db: Database, rules_dir: Path
) -> None:
    write_pack(rules_dir, "acme", "pack: acme\nextends: [_baseline]\nnot_a_key: 1\n")
    app = sign_in(started(), "wendy")
    app.selectbox[0].select("acme").run()
    assert not app.exception, app.exception
    assert any("acme's rule pack does not load" in shown_text(h) and "not_a_key" in h
               for h in html_of(app))  # fmt: skip
    assert not [b for b in app.button if b.label == "Draft the variants"]  # no form to send
