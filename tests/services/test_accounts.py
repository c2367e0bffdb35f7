"""Accounts: argon2 hashes, sign-in that gives no hint which part was wrong, audited changes."""

from __future__ import annotations

import pytest
from sqlmodel import select

from studio.errors import InvalidInput
from studio.services import accounts
from studio.store.db import Database
from studio.store.models import AuditEvent, Role
from tests.conftest import PASSWORD


def test_passwords_are_stored_as_argon2_hashes_and_verified(db: Database) -> None:
    with db.write() as session:
        user = accounts.add(session, "nina", Role.REVIEWER, "a fine long password", by="ada")
        assert user.password_hash.startswith("$argon2id$")
        assert "a fine long password" not in user.password_hash
    with db.write() as session:
        assert accounts.authenticate(session, "nina", "a fine long password") is not None
        assert accounts.authenticate(session, "nina", "a wrong long password") is None
        assert accounts.authenticate(session, "nobody", PASSWORD) is None
        event = session.exec(select(AuditEvent).where(AuditEvent.action == "user.add")).one()
        assert (event.actor, event.object_id, event.state_after) == ("ada", "nina", "reviewer")


def test_disabled_users_cannot_sign_in(db: Database) -> None:
    with db.write() as session:
        assert accounts.authenticate(session, "rita", PASSWORD) is not None
        accounts.disable(session, "rita", by="ada")
    with db.write() as session:
        assert accounts.authenticate(session, "rita", PASSWORD) is None


def test_password_change(db: Database) -> None:
    with db.write() as session:
        accounts.set_password(session, "rita", "another long password", by="ada")
    with db.write() as session:
        assert accounts.authenticate(session, "rita", PASSWORD) is None
        assert accounts.authenticate(session, "rita", "another long password") is not None


@pytest.mark.parametrize(
    ("name", "password", "message"),
    [
        ("x", "long enough password", "is not allowed"),
        ("Bob Smith", "long enough password", "is not allowed"),
        ("<script>", "long enough password", "is not allowed"),
        ("bob", "short", "at least 10"),
        ("rita", "long enough password", "already exists"),
    ],
)
def test_bad_accounts_are_refused(db: Database, name: str, password: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message), db.write() as session:
        accounts.add(session, name, Role.COPYWRITER, password, by="ada")
