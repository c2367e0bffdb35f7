"""The Settings page under AppTest (admins): adding a person, an API key shown once and only
its hash kept, a webhook endpoint refused for a private address, and replaying a failed
delivery; a reviewer is not offered the page."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select
from streamlit.testing.v1 import AppTest

from studio.services import api_keys, users, webhooks
from studio.store.db import Database
from studio.store.models import ApiKey
from tests.helpers.fake_openai import FakeOpenAI, Reply
from tests.helpers.ui import html_of, page_as, sign_in, started, workspace

pytestmark = pytest.mark.slow  # a real Streamlit run per test


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Database:
    return workspace(tmp_path, monkeypatch)


def settings_page() -> AppTest:
    return page_as("ada", "settings")


def submit(app: AppTest, form: str, label: str) -> AppTest:
    app.button(key=f"FormSubmitter:{form}-{label}").click().run()
    assert not app.exception, app.exception
    return app


def field(app: AppTest, label: str):  # type: ignore[no-untyped-def]
    return next(t for t in app.text_input if t.label.startswith(label))


def test_an_admin_adds_a_person_with_a_role(db: Database) -> None:
    app = settings_page()
    field(app, "Name").input("carol")
    next(s for s in app.selectbox if s.label == "Role").select("reviewer")
    field(app, "First password").input("a long enough first password")
    submit(app, "add-user", "Add")
    assert ("carol", "reviewer") in [(u.name, u.role) for u in users.list_users(db, actor="ada")]
    assert any("carol added as reviewer" in h for h in html_of(app))


def test_an_api_key_is_shown_once_and_only_its_hash_is_kept(db: Database) -> None:
    app = settings_page()
    field(app, "Key name").input("braze-prod")
    submit(app, "add-key", "Make the key")
    (shown,) = [c.value for c in app.code if c.value.startswith(api_keys.PREFIX)]
    with db.read() as session:
        (row,) = session.exec(select(ApiKey)).all()
    assert row.key_hash != shown and shown not in str(row.model_dump())
    app.run()  # the next run: gone from the page
    assert not [c for c in app.code if c.value.startswith(api_keys.PREFIX)]


def test_a_private_webhook_address_is_refused_with_the_reason(db: Database) -> None:
    app = settings_page()
    field(app, "Endpoint name").input("internal")
    field(app, "URL").input("http://10.0.0.5/hooks")
    submit(app, "add-hook", "Add the endpoint")
    assert any("private" in h for h in html_of(app))
    assert webhooks.list_endpoints(db, actor="ada") == []


def test_a_reviewer_is_not_offered_settings(db: Database) -> None:
    app = sign_in(started(), "rita")
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        app.switch_page("studio/ui/pages/settings.py")


def test_the_drafter_connection_is_tested_from_the_page(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeOpenAI(lambda _request: Reply(content="OK")) as server:
        monkeypatch.setenv("STUDIO_LLM_BASE_URL", server.base_url)
        monkeypatch.setenv("STUDIO_LLM_MODEL", "fake-model")
        app = settings_page()
        assert any(f"Drafting with: LLM fake-model at {server.base_url}" in t.value
                   for t in app.text)  # fmt: skip
        next(b for b in app.button if b.label == "Test the connection").click().run()
        assert len(server.requests) == 1
    assert any("model fake-model answered" in h for h in html_of(app))
    monkeypatch.setenv("STUDIO_LLM_BASE_URL", "http://127.0.0.1:9/v1")  # nothing listens
    monkeypatch.setenv("STUDIO_LLM_MAX_RETRIES", "0")
    next(b for b in app.button if b.label == "Test the connection").click().run()
    assert not app.exception
    assert any("cannot reach the endpoint" in h and "✖" in h for h in html_of(app))


def test_an_admin_sets_a_reviewers_focus(db: Database) -> None:
    app = settings_page()
    field(app, "Reviewer").input("rita")
    next(s for s in app.selectbox if s.label.startswith("Routed to them")).select("claims")
    submit(app, "set-focus", "Set the focus")
    assert {u.name: u.focus for u in users.list_users(db, actor="ada")}["rita"] == "claims"


def test_an_admin_links_a_single_sign_on_email(db: Database) -> None:
    app = settings_page()
    field(app, "User").input("rita")
    field(app, "Their single sign-on email").input("<b>x</b>@example.com")
    submit(app, "set-email", "Link the email")
    assert any("is not an email address" in h and "&lt;b&gt;" in h for h in html_of(app))
    field(app, "User").input("rita")
    field(app, "Their single sign-on email").input("Rita@Example.com")
    submit(app, "set-email", "Link the email")
    assert {u.name: u.email for u in users.list_users(db, actor="ada")}[
        "rita"
    ] == "rita@example.com"
