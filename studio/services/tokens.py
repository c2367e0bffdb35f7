"""Credentials that stand for a user: sessions from a password sign-in, and personal access
tokens for scripts.

A token is a recognisable prefix (`studio_session_`, `studio_pat_`, so secret scanners can spot a
leaked one) followed by 256 random bits. Only its SHA-256 is stored; a listing shows the prefix
and the first characters, enough to match a leaked token to its row. Every surface turns a
token into an `Identity` here and acts as that user; the user's role is then checked by the
action itself.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import update
from sqlmodel import Session, col, select

from studio.errors import InvalidInput, NotAuthenticated, Refused
from studio.services import accounts, audit, credentials
from studio.services.acting import attempt
from studio.store.db import Database
from studio.store.models import (
    AccessToken,
    Role,
    TokenKind,
    User,
    as_utc,
    iso_seconds,
    saved_id,
    utcnow,
)

PREFIXES = {TokenKind.SESSION: "studio_session_", TokenKind.PERSONAL: "studio_pat_"}
DEFAULT_SESSION = dt.timedelta(hours=12)
MAX_SESSION = dt.timedelta(days=7)
DEFAULT_TOKEN_DAYS, MAX_TOKEN_DAYS = 90, 366
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)  # fewer writes: "last used" to the minute
_TOKEN_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


@dataclass(frozen=True)
class Identity:
    """Who a credential stands for, and how they signed in."""

    name: str
    role: Role
    kind: TokenKind
    token_name: str
    expires_at: dt.datetime

    def describe(self) -> str:
        how = "a session" if self.kind is TokenKind.SESSION else f"token {self.token_name!r}"
        return f"{self.name} ({self.role.value}) with {how} until {iso_seconds(self.expires_at)}"


@dataclass(frozen=True)
class Issued:
    """A new credential: the token itself exists only here, never in the database."""

    token: str
    identity: Identity


@dataclass(frozen=True)
class TokenView:
    name: str
    kind: str
    prefix: str
    created_at: str | None
    expires_at: str | None
    last_used_at: str | None
    state: str  # active | expired | revoked


def sign_in(
    db: Database, name: str, password: str, *, lifetime: dt.timedelta = DEFAULT_SESSION
) -> Issued:
    """A session for a name and password; a failed attempt is audited and says nothing of
    which part was wrong."""
    if not dt.timedelta(minutes=1) <= lifetime <= MAX_SESSION:
        raise InvalidInput(f"a session lasts between 1 minute and {MAX_SESSION.days} days")
    failed = NotAuthenticated("sign-in failed: unknown user, wrong password, or a disabled account")
    if not accounts.NAME.fullmatch(name):
        raise failed  # cannot be anyone's name: nothing worth auditing
    with db.write() as session:
        user = accounts.authenticate(session, name, password)
        if user is not None:
            issued = _issue(session, user, TokenKind.SESSION, "session", lifetime)
            audit.record(session, user.name, "auth.sign-in", "user", user.name,
                         detail={"prefix": _shown(issued.token)})  # fmt: skip
            return issued
        audit.record(session, name, "auth.sign-in", "user", name, outcome="denied",
                     detail={"rule": "credentials"})  # fmt: skip
    raise failed


def sign_in_sso(db: Database, *, email: object, email_verified: object, issuer: object) -> Issued:
    """A session for someone an OpenID Connect provider vouched for: the account whose email
    is the provider's verified email. The provider identifies; the studio's account (and its
    role) authorises. An unverified or unknown email is refused and audited."""
    address = email.strip().lower() if isinstance(email, str) else ""
    with db.write() as session:
        user = accounts.find_by_email(session, address) if address else None
        if email_verified is not True:
            problem = "the identity provider gave no verified email, which single sign-on needs"
        elif user is None or user.disabled:
            problem = (f"no enabled studio user has the email {address!r}: an admin links it "
                       "to a user in Settings")  # fmt: skip
        else:
            issued = _issue(session, user, TokenKind.SESSION, "session", DEFAULT_SESSION)
            audit.record(session, user.name, "auth.sign-in", "user", user.name,
                         detail={"prefix": _shown(issued.token), "method": "sso",
                                 "issuer": str(issuer)})  # fmt: skip
            return issued
        audit.record(session, f"sso:{address or '?'}"[:64], "auth.sign-in", "user",
                     user.name if user else "-", outcome="denied",
                     detail={"rule": "sso", "reason": problem, "issuer": str(issuer)})  # fmt: skip
    raise NotAuthenticated(f"single sign-on refused: {problem}")


def authenticate(db: Database, token: str) -> Identity:
    """The identity a token stands for, or NotAuthenticated saying why not."""
    token = token.strip()
    if len(token) > credentials.MAX_CHARS or not token.startswith(tuple(PREFIXES.values())):
        raise NotAuthenticated("that is not a studio token (they start with studio_session_ "
                               "or studio_pat_)")  # fmt: skip
    with db.read() as session:
        row = session.exec(
            select(AccessToken).where(AccessToken.token_hash == credentials.digest(token))
        ).first()
        user = session.get(User, row.user_id) if row else None
    if row is None or user is None or row.revoked_at is not None:
        raise NotAuthenticated("the token is unknown or was revoked")
    now = utcnow()
    if as_utc(row.expires_at) <= now:
        what = "session" if row.kind == TokenKind.SESSION else f"token {row.name!r}"
        raise NotAuthenticated(f"the {what} expired at {iso_seconds(row.expires_at)}")
    if user.disabled:
        raise NotAuthenticated(f"user {user.name!r} is disabled")
    if row.last_used_at is None or now - as_utc(row.last_used_at) > LAST_USED_RESOLUTION:
        with db.write() as session:
            session.connection().execute(
                update(AccessToken).where(col(AccessToken.id) == row.id).values(last_used_at=now)
            )
    return Identity(user.name, Role(user.role), TokenKind(row.kind), row.name, row.expires_at)


def sign_out(db: Database, token: str, *, everywhere: bool = False) -> int:
    """Revoke the session this token is (or, `everywhere`, every session of its user).
    Returns how many sessions ended."""
    identity = authenticate(db, token)

    def body(session: Session, user: User) -> int:
        statement = update(AccessToken).where(
            col(AccessToken.user_id) == user.id,
            col(AccessToken.kind) == TokenKind.SESSION,
            col(AccessToken.revoked_at).is_(None),
        )
        if not everywhere:
            statement = statement.where(col(AccessToken.token_hash) == credentials.digest(token))
        ended = session.connection().execute(statement.values(revoked_at=utcnow())).rowcount
        audit.record(session, user.name, "auth.sign-out", "user", user.name,
                     detail={"sessions": ended, "everywhere": everywhere})  # fmt: skip
        return ended

    return attempt(db, identity.name, "auth.sign-out", ("user", identity.name), body)


def create_token(
    db: Database, *, actor: str, password: str, name: str, days: int = DEFAULT_TOKEN_DAYS
) -> Issued:
    """A personal access token for scripts. The actor's password is asked again: a token that
    outlives the session must not be mintable from a stolen session alone."""
    if not _TOKEN_NAME.fullmatch(name):
        raise InvalidInput(f"token name {name!r}: use up to 64 lowercase letters, digits, "
                           "'.', '_' or '-'")  # fmt: skip
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise InvalidInput(f"a token lasts 1 to {MAX_TOKEN_DAYS} days (got {days})")

    def body(session: Session, user: User) -> Issued:
        if accounts.authenticate(session, user.name, password) is None:
            raise Refused("reauthentication", "the password is wrong: no token was created")
        if _active(session, user, name) is not None:
            raise InvalidInput(f"you already have an active token named {name!r}; revoke it "
                               "first or pick another name")  # fmt: skip
        issued = _issue(session, user, TokenKind.PERSONAL, name, dt.timedelta(days=days))
        audit.record(session, user.name, "token.create", "token", name,
                     detail={"prefix": _shown(issued.token),
                             "expires_at": iso_seconds(issued.identity.expires_at)})  # fmt: skip
        return issued

    return attempt(db, actor, "token.create", ("token", name), body)


def list_tokens(db: Database, *, actor: str) -> list[TokenView]:
    """The actor's personal tokens and sessions, newest first, with their state."""
    with db.read() as session:
        user = accounts.acting(session, actor)
        rows = session.exec(
            select(AccessToken)
            .where(AccessToken.user_id == user.id)
            .order_by(col(AccessToken.id).desc())
        ).all()
    now = utcnow()
    return [
        TokenView(
            name=row.name,
            kind=row.kind,
            prefix=row.prefix,
            created_at=iso_seconds(row.created_at),
            expires_at=iso_seconds(row.expires_at),
            last_used_at=iso_seconds(row.last_used_at),
            state="revoked"
            if row.revoked_at
            else "expired"
            if as_utc(row.expires_at) <= now
            else "active",
        )
        for row in rows
    ]


def revoke_token(db: Database, *, actor: str, name: str) -> None:
    """Revoke the actor's active personal token of that name."""

    def body(session: Session, user: User) -> None:
        row = _active(session, user, name)
        if row is None:
            raise InvalidInput(f"you have no active token named {name!r}")
        row.revoked_at = utcnow()
        session.add(row)
        audit.record(session, user.name, "token.revoke", "token", name,
                     detail={"prefix": row.prefix})  # fmt: skip

    attempt(db, actor, "token.revoke", ("token", name), body)


def revoke_all(session: Session, user: User, kinds: tuple[TokenKind, ...]) -> int:
    """End every credential of these kinds a user holds (a password change ends sessions; a
    disabled account keeps nothing). Runs inside the caller's transaction."""
    return (
        session.connection()
        .execute(
            update(AccessToken)
            .where(
                col(AccessToken.user_id) == user.id,
                col(AccessToken.kind).in_(kinds),
                col(AccessToken.revoked_at).is_(None),
            )
            .values(revoked_at=utcnow())
        )
        .rowcount
    )


def _issue(
    session: Session, user: User, kind: TokenKind, name: str, lifetime: dt.timedelta
) -> Issued:
    token = credentials.new_secret(PREFIXES[kind])
    expires_at = utcnow() + lifetime
    session.add(
        AccessToken(
            user_id=saved_id(user),
            kind=kind,
            name=name,
            prefix=_shown(token),
            token_hash=credentials.digest(token),
            expires_at=expires_at,
        )
    )
    session.flush()
    return Issued(token, Identity(user.name, Role(user.role), kind, name, expires_at))


def _active(session: Session, user: User, name: str) -> AccessToken | None:
    if not _TOKEN_NAME.fullmatch(name):  # no token has it
        return None
    rows = session.exec(
        select(AccessToken).where(
            AccessToken.user_id == user.id,
            AccessToken.kind == TokenKind.PERSONAL,
            AccessToken.name == name,
            col(AccessToken.revoked_at).is_(None),
        )
    )
    now = utcnow()
    return next((row for row in rows if as_utc(row.expires_at) > now), None)


def _shown(token: str) -> str:
    return credentials.shown(token, next(p for p in PREFIXES.values() if token.startswith(p)))
