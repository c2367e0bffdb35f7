"""Sign-in credentials, on SQLite and PostgreSQL: sessions and personal tokens stand for a user,
are stored only as hashes, and stop working when they expire, are revoked, or the user is
disabled; user management is an admin's."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from sqlalchemy import text
from sqlmodel import col, select

from studio.errors import InvalidInput, NotAuthenticated, Refused
from studio.services import tokens, users
from studio.store.db import Database
from studio.store.models import AccessToken, AuditEvent, Role, TokenKind
from tests.conftest import PASSWORD


def events(db: Database, action: str) -> list[AuditEvent]:
    with db.read() as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.action == action)))


def test_a_session_stands_for_its_user_and_only_its_hash_is_kept(db: Database) -> None:
    issued = tokens.sign_in(db, "rita", PASSWORD)
    assert issued.token.startswith("studio_session_") and len(issued.token) > 50
    identity = tokens.authenticate(db, issued.token)
    assert (identity.name, identity.role, identity.kind) == ("rita", Role.REVIEWER, "session")
    with db.read() as session:
        (row,) = session.exec(select(AccessToken)).all()
    assert row.token_hash == hashlib.sha256(issued.token.encode()).hexdigest()
    assert issued.token not in repr(row.model_dump()) and row.prefix == issued.token[:21]
    assert row.last_used_at is not None
    assert [e.outcome for e in events(db, "auth.sign-in")] == ["ok"]


@pytest.mark.parametrize(("name", "password"), [("rita", "wrong password"), ("nobody", PASSWORD)])
def test_a_failed_sign_in_says_nothing_of_why_and_is_audited(
    db: Database, name: str, password: str
) -> None:
    with pytest.raises(NotAuthenticated) as caught:
        tokens.sign_in(db, name, password)
    assert caught.value.message == tokens_failure()
    (event,) = events(db, "auth.sign-in")
    assert (event.actor, event.outcome, event.detail["rule"]) == (name, "denied", "credentials")


def tokens_failure() -> str:
    return "sign-in failed: unknown user, wrong password, or a disabled account"


def test_expired_revoked_and_forged_tokens_are_refused(db: Database) -> None:
    session_token = tokens.sign_in(db, "rita", PASSWORD).token
    with db.write() as session:
        session.connection().execute(
            text("UPDATE accesstoken SET expires_at = :past"),
            {"past": dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)},
        )
    with pytest.raises(NotAuthenticated, match="the session expired at"):
        tokens.authenticate(db, session_token)
    other = tokens.sign_in(db, "rita", PASSWORD).token
    assert tokens.sign_out(db, other) == 1
    with pytest.raises(NotAuthenticated, match="unknown or was revoked"):
        tokens.authenticate(db, other)
    with pytest.raises(NotAuthenticated, match="unknown or was revoked"):
        tokens.authenticate(db, other[:-4] + "AAAA")
    with pytest.raises(NotAuthenticated, match="not a studio token"):
        tokens.authenticate(db, "Bearer " + other)


def test_personal_tokens_need_the_password_again_and_can_be_revoked(db: Database) -> None:
    with pytest.raises(Refused) as caught:
        tokens.create_token(db, actor="wendy", password="not my password", name="ci")
    assert caught.value.rule == "reauthentication"
    issued = tokens.create_token(db, actor="wendy", password=PASSWORD, name="ci", days=30)
    assert issued.token.startswith("studio_pat_")
    assert tokens.authenticate(db, issued.token).token_name == "ci"
    with pytest.raises(InvalidInput, match="already have an active token named 'ci'"):
        tokens.create_token(db, actor="wendy", password=PASSWORD, name="ci")
    (listed,) = tokens.list_tokens(db, actor="wendy")
    assert (listed.name, listed.kind, listed.state) == ("ci", "personal", "active")
    assert listed.prefix == issued.token[:17]
    tokens.revoke_token(db, actor="wendy", name="ci")
    with pytest.raises(NotAuthenticated):
        tokens.authenticate(db, issued.token)
    assert tokens.list_tokens(db, actor="wendy")[0].state == "revoked"
    with pytest.raises(InvalidInput, match="no active token named 'ci'"):
        tokens.revoke_token(db, actor="rita", name="ci")  # not rita's to revoke
    created = events(db, "token.create")
    assert [e.outcome for e in created] == ["denied", "ok"]
    assert all(issued.token not in str(e.detail) for e in created)


def test_only_an_admin_manages_users_and_refusals_are_audited(db: Database) -> None:
    with pytest.raises(Refused) as caught:
        users.add_user(db, actor="rita", name="eve", role=Role.ADMIN, password=PASSWORD)
    assert caught.value.rule == "role" and "only an admin may manage users" in caught.value.message
    (denied,) = events(db, "user.add")
    assert (denied.actor, denied.outcome, denied.object_id) == ("rita", "denied", "eve")
    for call in (
        lambda: users.disable_user(db, actor="wendy", name="rita"),
        lambda: users.change_password(db, actor="wendy", name="rita", password="x" * 12),
    ):
        with pytest.raises(Refused, match="only an admin"):
            call()
    users.add_user(db, actor="ada", name="eve", role=Role.REVIEWER, password=PASSWORD)
    assert [u.name for u in users.list_users(db, actor="wendy")].count("eve") == 1


def test_disabling_a_user_ends_every_token_they_hold(db: Database) -> None:
    session_token = tokens.sign_in(db, "rob", PASSWORD).token
    personal = tokens.create_token(db, actor="rob", password=PASSWORD, name="ci").token
    users.disable_user(db, actor="ada", name="rob")
    for token in (session_token, personal):
        with pytest.raises(NotAuthenticated):
            tokens.authenticate(db, token)
    with db.read() as session:
        rows = session.exec(select(AccessToken).where(col(AccessToken.revoked_at).is_(None)))
        assert rows.all() == []


def test_the_last_admin_cannot_be_disabled(db: Database) -> None:
    with pytest.raises(Refused) as caught:
        users.disable_user(db, actor="ada", name="ada")
    assert caught.value.rule == "last-admin"


def test_a_password_change_needs_the_old_one_and_ends_sessions(db: Database) -> None:
    session_token = tokens.sign_in(db, "wendy", PASSWORD).token
    personal = tokens.create_token(db, actor="wendy", password=PASSWORD, name="ci").token
    with pytest.raises(Refused) as caught:
        users.change_password(db, actor="wendy", name="wendy", password="new password 1",
                              current_password="guess")  # fmt: skip
    assert caught.value.rule == "reauthentication"
    users.change_password(db, actor="wendy", name="wendy", password="new password 1",
                          current_password=PASSWORD)  # fmt: skip
    with pytest.raises(NotAuthenticated):
        tokens.authenticate(db, session_token)
    assert tokens.authenticate(db, personal).kind is TokenKind.PERSONAL  # scripts keep working
    assert tokens.sign_in(db, "wendy", "new password 1").identity.name == "wendy"


def test_the_first_admin_comes_once(empty_db: Database) -> None:
    empty_db.migrate()
    users.create_first_admin(empty_db, "root-admin", PASSWORD)
    with pytest.raises(Refused) as caught:
        users.create_first_admin(empty_db, "mallory", PASSWORD)
    assert caught.value.rule == "first-admin" and "root-admin" in caught.value.message
    (event,) = events(empty_db, "user.add")
    assert (event.actor, event.object_id, event.state_after) == ("setup", "root-admin", "admin")
