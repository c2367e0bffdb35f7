"""Single sign-on: an OpenID Connect provider identifies, the studio authorises. A verified
email maps to the account an admin linked it to (and its role); anything else is refused
and audited."""

from __future__ import annotations

import pytest

from studio.errors import InvalidInput, NotAuthenticated, Refused
from studio.services import audit_log, tokens, users
from studio.store.db import Database

ISSUER = "http://127.0.0.1:9999"


def test_a_verified_email_signs_in_as_the_linked_account(db: Database) -> None:
    users.set_email(db, actor="ada", name="rita", email=" Rita@Example.COM ")
    issued = tokens.sign_in_sso(db, email="rita@example.com", email_verified=True, issuer=ISSUER)
    assert (issued.identity.name, issued.identity.role) == ("rita", "reviewer")
    assert tokens.authenticate(db, issued.token).name == "rita"
    (event,) = audit_log.events(db, "ada", action="auth.sign-in", by="rita")
    assert event.detail["method"] == "sso" and event.detail["issuer"] == ISSUER


@pytest.mark.parametrize(
    ("email", "verified", "problem"),
    [
        ("rita@example.com", False, "no verified email"),
        ("rita@example.com", None, "no verified email"),
        ("mallory@example.com", True, "no enabled studio user has the email"),
        (None, True, "no enabled studio user"),
        (["rita@example.com"], True, "no enabled studio user"),
    ],
)
def test_anything_but_a_linked_verified_email_is_refused_and_audited(
    db: Database, email: object, verified: object, problem: str
) -> None:
    users.set_email(db, actor="ada", name="rita", email="rita@example.com")
    with pytest.raises(NotAuthenticated, match=problem):
        tokens.sign_in_sso(db, email=email, email_verified=verified, issuer=ISSUER)
    (denied,) = audit_log.events(db, "ada", action="auth.sign-in", outcome="denied")
    assert denied.detail["rule"] == "sso"


def test_a_disabled_account_cannot_sign_in_by_sso(db: Database) -> None:
    users.set_email(db, actor="ada", name="rita", email="rita@example.com")
    users.disable_user(db, actor="ada", name="rita")
    with pytest.raises(NotAuthenticated, match="no enabled studio user"):
        tokens.sign_in_sso(db, email="rita@example.com", email_verified=True, issuer=ISSUER)


def test_only_an_admin_links_an_email_and_each_email_to_one_account(db: Database) -> None:
    with pytest.raises(Refused, match="only an admin"):
        users.set_email(db, actor="rita", name="rita", email="rita@example.com")
    users.set_email(db, actor="ada", name="rita", email="rita@example.com")
    with pytest.raises(InvalidInput, match="already rita's email"):
        users.set_email(db, actor="ada", name="rob", email="RITA@example.com")
    with pytest.raises(InvalidInput, match="is not an email address"):
        users.set_email(db, actor="ada", name="rob", email="rob at example")
    assert users.set_email(db, actor="ada", name="rita", email=None).email is None
