"""The read side of the pull feed, as an API key sees it.

Pages are ordered by the feed seq (the order changes committed in; `updated_at` grows with it),
so a sync that pages on with the cursor, or comes back with `updated_since`, misses nothing.
Copy is served as approved only if it still is at the moment of the read: a validity window
that has closed, or rules that changed since the copy was last checked, turn it into a tombstone
even before the worker's sweep or recheck moves it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from collections.abc import Callable
from typing import Any, NamedTuple

from sqlalchemy import Row, bindparam, select
from sqlmodel import col

from guardrails import RulePackError
from studio.errors import InvalidInput, NotFound, StudioError
from studio.publishing.dialects import DIALECTS, translate_fields
from studio.services import accounts, packs
from studio.services.api_keys import KeyIdentity
from studio.services.schemas import FeedCursor, FeedPage, VariantDocument
from studio.settings import settings
from studio.store.db import Database
from studio.store.models import MAX_ID, FeedState, Publication, Scope, as_utc, iso_seconds, utcnow

DEFAULT_PAGE, MAX_PAGE = 50, 200
RULES_MAX_AGE = 1.0  # a rule edit reaches the feed within this many seconds
_rules_seen: dict[tuple[str, str], tuple[float, str | None]] = {}  # (root, brand) -> when, version
STATUSES = ("approved", "revoked")  # approved: the sync feed, tombstones included
# Publication rows as plain rows: the feed only reads them, and ORM objects cost more to build
# than the lookup does.
_PUBLICATION = select(*Publication.__table__.columns)  # type: ignore[attr-defined]
_ONE = _PUBLICATION.where(col(Publication.variant_id) == bindparam("variant_id"))
Published = Row[*tuple[Any, ...]]  # a Publication as a row of _PUBLICATION


def list_variants(
    db: Database,
    key: KeyIdentity,
    *,
    status: str = "approved",
    brand: str | None = None,
    channel: str | None = None,
    campaign: str | None = None,
    variant_group: str | None = None,
    updated_since: dt.datetime | str | None = None,
    limit: int = DEFAULT_PAGE,
    cursor: str | None = None,
    dialect: str | None = None,
) -> FeedPage:
    """A page of the feed. `status=approved` (the default) is what a sync wants: served copy
    and the tombstones of copy that stopped being served; `revoked` is the tombstones alone."""
    key.require(Scope.VARIANTS_READ)
    if status not in STATUSES:
        raise InvalidInput(f"status {status!r}: use one of {', '.join(STATUSES)}", field="status")
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"limit {limit}: a page holds 1 to {MAX_PAGE}", field="limit")
    _check_dialect(dialect)
    if brand is not None:
        key.require_brand(brand)
    after = FeedCursor.decode(cursor).seq if cursor else 0
    since = as_utc(_instant(updated_since)) if updated_since is not None else None
    page = _Page(after, status, brand, channel, campaign, variant_group,
                 tuple(sorted(key.brands)), since, limit)  # fmt: skip
    rows = db.cached(page, lambda: db.all(_page_statement(page), {}))
    has_more = len(rows) > limit
    rows = rows[:limit]
    rules_now = _rules_versions()
    items = [_document(row, rules_now, dialect) for row in rows]
    next_cursor = FeedCursor(seq=rows[-1].seq).encode() if has_more else None
    return FeedPage(items=items, has_more=has_more, next_cursor=next_cursor)


class _Page(NamedTuple):
    """What picks a page's rows; also its key in the read cache."""

    after: int
    status: str
    brand: str | None
    channel: str | None
    campaign: str | None
    variant_group: str | None
    brands: tuple[str, ...]  # the key's, if it is limited to some
    since: dt.datetime | None
    limit: int


def _page_statement(page: _Page) -> Any:
    """Built only when the page is not cached: building a statement costs more than the hit."""
    states = [FeedState.REVOKED] if page.status == "revoked" else [FeedState.APPROVED,
                                                                   FeedState.REVOKED]  # fmt: skip
    statement = _filtered(
        _PUBLICATION.where(col(Publication.seq) > page.after, col(Publication.state).in_(states)),
        brand=page.brand, channel=page.channel, campaign=page.campaign,
        variant_group=page.variant_group,
    )  # fmt: skip
    if page.brands:
        statement = statement.where(col(Publication.brand).in_(page.brands))
    if page.since is not None:
        statement = statement.where(col(Publication.updated_at) >= page.since)
    return statement.order_by(col(Publication.seq)).limit(page.limit + 1)


def get_variant(
    db: Database, key: KeyIdentity, variant_id: int, *, dialect: str | None = None
) -> VariantDocument:
    """One variant: its approved resource, or its tombstone. Copy that was never approved, or
    of a brand the key does not see, does not exist for the key."""
    key.require(Scope.VARIANTS_READ)
    _check_dialect(dialect)
    row = (db.cached(("publication", variant_id),
                     lambda: db.first(_ONE, {"variant_id": variant_id}))
           if 0 < variant_id <= MAX_ID else None)  # fmt: skip
    if row is None or row.state == FeedState.SCHEDULED or not key.sees(row.brand):
        raise NotFound(f"no approved variant #{variant_id}")
    body = _document(row, _rules_versions(), dialect)
    digest = hashlib.sha256(body.encode()).hexdigest()[:32]
    return VariantDocument(body=body, etag=f'"v{row.version}-{digest}"')


def export_approved(
    db: Database,
    actor: str,
    *,
    brand: str | None = None,
    channel: str | None = None,
    campaign: str | None = None,
    variant_group: str | None = None,
    dialect: str | None = None,
) -> list[dict[str, Any]]:
    """Every variant served as approved at this moment, exactly as the feed serves it, for a
    signed-in user handing copy to an engine by file (`studio variants export`)."""
    _check_dialect(dialect)
    statement = _filtered(
        _PUBLICATION.where(col(Publication.state) == FeedState.APPROVED),
        brand=brand, channel=channel, campaign=campaign, variant_group=variant_group,
    )  # fmt: skip
    with db.read() as session:
        accounts.acting(session, actor)
        rows = list(session.connection().execute(statement.order_by(col(Publication.seq))))
    rules_now = _rules_versions()
    documents = [json.loads(_document(row, rules_now, dialect)) for row in rows]
    return [document for document in documents if document["status"] == "approved"]


def _instant(value: dt.datetime | str) -> dt.datetime:
    """An ISO 8601 date-time (no offset: UTC). Only that: a bare number is not read as a Unix
    time, which a client that sent one most likely did not mean."""
    if isinstance(value, dt.datetime):
        return value
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            f"updated_since {value!r}: use an ISO 8601 date-time such as 2026-01-31T09:00:00Z",
            field="updated_since",
        ) from None


def _filtered(statement: Any, **equal: str | None) -> Any:
    """The statement limited to publications whose named columns equal the given values."""
    for name, value in equal.items():
        if value is not None:
            statement = statement.where(col(getattr(Publication, name)) == value)
    return statement


def _document(row: Published, rules_now: Callable[[str], str | None], dialect: str | None) -> str:
    if row.state == FeedState.REVOKED:
        return _tombstone(row, row.reason or "no longer approved", row.revoked_at)
    if row.valid_until is not None and as_utc(row.valid_until) <= utcnow():
        return _tombstone(row, f"its approval expired at {iso_seconds(row.valid_until)}",
                          row.valid_until)  # fmt: skip
    if rules_now(row.brand) != row.rules_version:
        return _tombstone(row, "the brand's rules changed since this copy was checked; it is "
                          "withheld until it passes a recheck", row.updated_at)  # fmt: skip
    if dialect is None:
        return row.resource
    resource = json.loads(row.resource)
    fallbacks = {name: field.fallback for name, field in _merge_fields(row.brand).items()}
    try:
        resource["fields"] = translate_fields(resource["fields"], dialect, fallbacks)
    except InvalidInput as exc:
        raise InvalidInput(f"variant #{row.variant_id}: {exc.message}", field="dialect") from None
    resource["dialect"] = dialect
    return json.dumps(resource, ensure_ascii=False, separators=(",", ":"))


def _tombstone(row: Published, reason: str, revoked_at: dt.datetime | None) -> str:
    name = json.loads(row.resource).get("name")
    return json.dumps(
        {"object": "variant", "id": row.variant_id, "name": name, "brand": row.brand,
         "status": "revoked", "revoked_at": iso_seconds(revoked_at), "reason": reason,
         "version": row.version, "updated_at": iso_seconds(row.updated_at)},
        ensure_ascii=False, separators=(",", ":"),
    )  # fmt: skip


def _rules_versions() -> Callable[[str], str | None]:
    """Each brand's current rules version, looked up once per read and, per process, at most
    once every RULES_MAX_AGE seconds (walking the rule files costs more than the read); a pack
    that no longer loads has none, so nothing of that brand is served as approved."""
    known: dict[str, str | None] = {}
    root = str(settings().rules_root().absolute())

    def version(brand: str) -> str | None:
        if brand not in known:
            now = time.monotonic()
            seen = _rules_seen.get((root, brand))
            if seen is None or now - seen[0] >= RULES_MAX_AGE:
                try:
                    seen = (now, packs.brand_pack(brand).version)
                except (StudioError, RulePackError):
                    seen = (now, None)
                _rules_seen[(root, brand)] = seen
            known[brand] = seen[1]
        return known[brand]

    return version


def _merge_fields(brand: str) -> dict[str, Any]:
    return dict(packs.brand_pack(brand).pack.merge_fields)


def _check_dialect(dialect: str | None) -> None:
    if dialect is not None and dialect not in DIALECTS:
        raise InvalidInput(f"dialect {dialect!r}: use one of {', '.join(DIALECTS)}",
                           field="dialect")  # fmt: skip
