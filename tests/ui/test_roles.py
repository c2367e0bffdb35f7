"""Roles in the browser: each role is offered exactly its pages (a page not offered cannot be
opened at all), and what a page offers is still checked by the service: an admin who wrote a
draft is refused its approval on the Review queue, with the rule's reason, and it is audited."""

from __future__ import annotations

from pathlib import Path

import pytest

from studio.services import audit_log, queries
from studio.store.db import Database
from tests.helpers.ui import html_of, shown_text, sign_in, started, workspace
from tests.helpers.variants import CLEAN, in_review

pytestmark = pytest.mark.slow  # a real Streamlit run per test

PAGES = {"new_brief", "drafts", "review_queue", "brand_rules", "library", "dashboard", "audit",
         "settings"}  # fmt: skip
OFFERED = {
    "wendy": {"new_brief", "drafts", "brand_rules", "library", "dashboard"},
    "rita": {"review_queue", "brand_rules", "library", "dashboard", "audit"},
    "ada": PAGES,
}


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Database:
    return workspace(tmp_path, monkeypatch)


@pytest.mark.parametrize("name", sorted(OFFERED))
def test_each_role_is_offered_its_pages_and_no_other(db: Database, name: str) -> None:
    app = sign_in(started(), name)
    opened = set()
    for page in sorted(PAGES):
        try:
            app.switch_page(f"studio/ui/pages/{page}.py").run()
        except ValueError:  # not in this user's navigation
            continue
        assert not app.exception, (page, app.exception)
        opened.add(page)
    assert opened == OFFERED[name]


def test_the_service_refuses_what_a_page_offers_and_audits_it(db: Database) -> None:
    own = in_review(db, CLEAN, author="ada")
    app = sign_in(started(), "ada")
    app.switch_page("studio/ui/pages/review_queue.py").run()
    next(r for r in app.radio if r.label == "Decision").set_value("Approve").run()
    next(b for b in app.button if b.label == "Approve").click().run()
    assert not app.exception
    refusal = f"ada wrote a version of variant #{own.id} and cannot approve it"
    assert any(refusal in shown_text(h) for h in html_of(app))
    assert queries.variant_detail(db, "rita", own.id).status == "in_review"
    (denied,) = audit_log.events(db, "rita", by="ada", outcome="denied")
    assert denied.action == "variant.approve"
