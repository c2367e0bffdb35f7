"""API keys: how an automation engine (not a person) reads approved copy, reports results and
runs checks. Admins create, list and revoke them (each audited); the API turns a key into a
`KeyIdentity` here and every read or write it makes is limited to the key's scopes and brands.

A key is `studio_key_` and 256 random bits; only its SHA-256 is stored, and a listing shows the
prefix and first characters so a key a secret scanner found can be matched to its row.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import weakref
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import bindparam, update
from sqlalchemy import select as select_columns
from sqlmodel import Session, col, select

from studio.errors import DatabaseBusy, InvalidInput, NotAuthenticated, Refused
from studio.services import audit, credentials, packs
from studio.services.acting import attempt
from studio.services.policy import Action, require_role
from studio.store.db import Database
from studio.store.models import ApiKey, Scope, User, iso_seconds, saved_id, utcnow

PREFIX = "studio_key_"
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
SCOPES = tuple(scope.value for scope in Scope)
_LOOKUP = select_columns(  # built once: authenticating is on every API request's path
    *(col(column) for column in (ApiKey.id, ApiKey.name, ApiKey.scopes, ApiKey.brands,
                                 ApiKey.revoked_at))
).where(col(ApiKey.key_hash) == bindparam("digest"))  # fmt: skip


_last_use: weakref.WeakKeyDictionary[Database, dict[int, dt.datetime]] = (
    weakref.WeakKeyDictionary()
)  # key id -> when it was last used, not yet written
_use_lock = threading.Lock()


@dataclass(frozen=True)
class KeyIdentity:
    """What a key may do; `brands` empty means every brand."""

    id: int
    name: str
    scopes: frozenset[str]
    brands: frozenset[str]

    def require(self, scope: Scope) -> None:
        if scope.value not in self.scopes:
            raise Refused("scope", f"API key {self.name!r} lacks the {scope.value} scope "
                          f"(it has {', '.join(sorted(self.scopes))})")  # fmt: skip

    def sees(self, brand: str) -> bool:
        return not self.brands or brand in self.brands

    def require_brand(self, brand: str) -> None:
        if not self.sees(brand):
            raise Refused("brand", f"API key {self.name!r} is limited to "
                          f"{', '.join(sorted(self.brands))}, not {brand!r}")  # fmt: skip


@dataclass(frozen=True)
class KeyView:
    name: str
    prefix: str
    scopes: list[str]
    brands: list[str]  # empty: every brand
    created_by: str
    created_at: str | None
    last_used_at: str | None
    state: str  # active | revoked


@dataclass(frozen=True)
class IssuedKey:
    """A new key: the key itself exists only here, never in the database."""

    key: str
    view: KeyView


def create_key(
    db: Database, *, actor: str, name: str, scopes: Iterable[str], brands: Iterable[str] = ()
) -> IssuedKey:
    """A new key for an engine (admins only). Scopes and brands are checked, not trusted."""
    if not _NAME.fullmatch(name):
        raise InvalidInput(f"key name {name!r}: use up to 64 lowercase letters, digits, '.', '_' "
                           "or '-'", field="name")  # fmt: skip
    wanted = sorted(set(scopes))
    unknown = [scope for scope in wanted if scope not in SCOPES]
    if not wanted or unknown:
        raise InvalidInput(f"scope {', '.join(unknown) or '(none given)'}: a key needs one or "
                           f"more of {', '.join(SCOPES)}", field="scope")  # fmt: skip
    limited = sorted(set(brands))
    for brand in limited:
        packs.brand_pack(brand)  # a brand is a rule pack, whether or not it has copy yet
    if limited and Scope.WEBHOOKS_MANAGE.value in wanted:
        raise InvalidInput("a key with webhooks:manage is for every brand (an endpoint may "
                           "carry every brand's events): make it for every brand, or make "
                           "two keys", field="brand")  # fmt: skip

    def body(session: Session, user: User) -> IssuedKey:
        require_role(user, Action.MANAGE_KEYS)
        if _named(session, name) is not None:
            raise InvalidInput(f"an API key named {name!r} exists already (names are kept after "
                               "a key is revoked, so the audit log stays unambiguous)")  # fmt: skip
        key = credentials.new_secret(PREFIX)
        row = ApiKey(name=name, prefix=credentials.shown(key, PREFIX),
                     key_hash=credentials.digest(key), scopes=wanted, brands=limited,
                     created_by=saved_id(user))  # fmt: skip
        session.add(row)
        session.flush()
        detail = {"prefix": row.prefix, "scopes": wanted, "brands": limited}
        audit.record(session, user.name, "apikey.create", "apikey", name, detail=detail)
        return IssuedKey(key, _view(row, user.name))

    return attempt(db, actor, "apikey.create", ("apikey", name), body)


def list_keys(db: Database, *, actor: str) -> list[KeyView]:
    """Every key, newest first (admins only; a refusal is audited)."""

    def body(session: Session, user: User) -> list[KeyView]:
        require_role(user, Action.MANAGE_KEYS)
        rows = session.exec(
            select(ApiKey, User.name)
            .join(User, col(User.id) == ApiKey.created_by)
            .order_by(col(ApiKey.id).desc())
        ).all()
        return [_view(row, creator) for row, creator in rows]

    return attempt(db, actor, "apikey.list", ("apikey", "*"), body)


def revoke_key(db: Database, *, actor: str, name: str) -> KeyView:
    """Revoke a key at once: its next request is refused."""

    def body(session: Session, user: User) -> KeyView:
        require_role(user, Action.MANAGE_KEYS)
        row = _named(session, name)
        if row is None or row.revoked_at is not None:
            raise InvalidInput(f"there is no active API key named {name!r}", field="name")
        row.revoked_at = utcnow()
        session.add(row)
        audit.record(session, user.name, "apikey.revoke", "apikey", name,
                     detail={"prefix": row.prefix})  # fmt: skip
        creator = session.get(User, row.created_by)
        return _view(row, creator.name if creator else "?")

    return attempt(db, actor, "apikey.revoke", ("apikey", name), body)


def authenticate(db: Database, key: str) -> KeyIdentity:
    """The identity a presented key stands for, or NotAuthenticated (never saying whether the
    key ever existed). A read only: the key's last use is noted in memory (`flush_use` writes
    it), so authenticating never waits on a writer's lock."""
    key = key.strip()
    if len(key) > credentials.MAX_CHARS or not key.startswith(PREFIX):
        raise NotAuthenticated(f"that is not a studio API key (they start with {PREFIX})")
    row = db.first(_LOOKUP, {"digest": credentials.digest(key)})
    if row is None or row.revoked_at is not None:
        raise NotAuthenticated("the API key is unknown or was revoked")
    with _use_lock:
        _last_use.setdefault(db, {})[row.id] = utcnow()
    return KeyIdentity(row.id, row.name, frozenset(row.scopes), frozenset(row.brands))


def flush_use(db: Database) -> int:
    """Write each key's last use noted since the last flush (the API calls this every
    `STUDIO_API_KEY_USE_FLUSH_SECONDS` and when it stops). Returns how many keys were written;
    if the database is busy, they are kept for the next flush."""
    with _use_lock:
        noted = _last_use.pop(db, {})
    if not noted:
        return 0
    try:
        with db.write() as session:
            for key_id, when in noted.items():
                session.connection().execute(
                    update(ApiKey).where(col(ApiKey.id) == key_id).values(last_used_at=when)
                )
    except DatabaseBusy:
        with _use_lock:
            kept = _last_use.setdefault(db, {})
            for key_id, when in noted.items():
                kept[key_id] = max(when, kept.get(key_id, when))
        raise
    return len(noted)


def _view(row: ApiKey, creator: str) -> KeyView:
    return KeyView(
        name=row.name,
        prefix=row.prefix,
        scopes=list(row.scopes),
        brands=list(row.brands),
        created_by=creator,
        created_at=iso_seconds(row.created_at),
        last_used_at=iso_seconds(row.last_used_at),
        state="revoked" if row.revoked_at else "active",
    )


def _named(session: Session, name: str) -> ApiKey | None:
    if not _NAME.fullmatch(name):  # no key has it (nor could every such text be stored)
        return None
    return session.exec(select(ApiKey).where(ApiKey.name == name)).first()
