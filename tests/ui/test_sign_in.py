"""Signing in to the studio in the browser: nothing but the sign-in form without a session, a
wrong password refused and audited, sign-out revoking the session, and an expired or revoked
session ending at the next click."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlmodel import select

from studio.store.db import Database
from studio.store.models import AccessToken, AuditEvent, TokenKind
from tests.helpers.ui import html_of, sign_in, started, workspace

pytestmark = pytest.mark.slow  # a real Streamlit run per test


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Database:
    return workspace(tmp_path, monkeypatch)


def sessions(db: Database) -> list[AccessToken]:
    with db.read() as session:
        return list(session.exec(select(AccessToken).where(
            AccessToken.kind == TokenKind.SESSION)))  # fmt: skip


def test_signed_out_there_is_only_the_sign_in_form(db: Database) -> None:
    app = started()
    assert app.title[0].value == "Sign in to Content Studio"
    assert [t.label for t in app.text_input] == ["User name", "Password"]
    assert not app.text_area and not app.selectbox  # no page of the studio's behind it


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(db: Database) -> None:
    app = sign_in(started(), "wendy", "not the password")
    assert app.title[0].value == "Sign in to Content Studio"
    assert any("sign-in failed" in h for h in html_of(app))
    with db.read() as session:
        refused = select(AuditEvent).where(
            AuditEvent.action == "auth.sign-in", AuditEvent.outcome == "denied"
        )
        denied = session.exec(refused).all()
    assert [event.actor for event in denied] == ["wendy"]
    assert sessions(db) == []


def test_signing_in_opens_the_studio_and_signing_out_revokes_the_session(db: Database) -> None:
    app = sign_in(started(), "wendy")
    assert app.title[0].value == "New brief"
    assert app.sidebar.text[0].value == "Signed in as wendy (copywriter)"
    (live,) = sessions(db)
    assert live.revoked_at is None
    app.sidebar.button[0].click().run()
    assert app.title[0].value == "Sign in to Content Studio"
    assert any("Signed out." in h for h in html_of(app))
    (ended,) = sessions(db)
    assert ended.revoked_at is not None


@pytest.mark.parametrize("ending", ["expired", "revoked"])
def test_a_session_that_ends_elsewhere_ends_at_the_next_click(db: Database, ending: str) -> None:
    app = sign_in(started(), "wendy")
    assert app.title[0].value == "New brief"
    with db.write() as session:
        (token,) = session.exec(select(AccessToken)).all()
        if ending == "expired":
            token.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
        else:
            token.revoked_at = dt.datetime.now(dt.UTC)
        session.add(token)
    app.run()
    assert app.title[0].value == "Sign in to Content Studio"
    assert any(ending in h for h in html_of(app))


def test_hostile_sign_in_input_is_refused_and_shown_inert(db: Database) -> None:
    app = sign_in(started(), "<script>alert(1)</script>", "{{ 7*7 }}")
    assert app.title[0].value == "Sign in to Content Studio"
    assert not any("<script>" in h for h in html_of(app))
