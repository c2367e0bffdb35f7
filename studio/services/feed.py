"""The read side of the pull feed, as an API key sees it.

Pages are ordered by the feed seq (the order changes committed in; `updated_at` grows with it),
so a sync that pages on with the cursor, or comes back with `updated_since`, misses nothing.
Every read first brings the feed up to the present (`catch_up`: expiry, windows opening, rule
changes are written as they take effect, with a new position), then joins the documents
rendered when each publication last changed: nothing is rendered or translated on a read.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, bindparam, func, select
from sqlmodel import col

from studio.errors import InvalidInput, NotFound
from studio.publishing.dialects import DIALECTS
from studio.publishing.documents import STUDIO
from studio.services import accounts
from studio.services.api_keys import KeyIdentity
from studio.services.catch_up import catch_up
from studio.services.schemas import FeedCursor, FeedPage, VariantDocument
from studio.store.db import Database
from studio.store.models import MAX_ID, FeedDocument, FeedState, Publication, Scope, as_utc

DEFAULT_PAGE, MAX_PAGE = 50, 200
STATUSES = ("approved", "revoked")  # approved: the sync feed, tombstones included
# Plain rows, not ORM objects: the feed only reads them, and objects cost more than the lookup.
_SERVED = select(
    *(col(column) for column in (Publication.seq, Publication.variant_id, Publication.brand,
                                 Publication.state, FeedDocument.body, FeedDocument.etag,
                                 FeedDocument.untranslatable))
).join(FeedDocument, and_(col(FeedDocument.variant_id) == Publication.variant_id,
                          col(FeedDocument.dialect) == bindparam("dialect")))  # fmt: skip
_ONE = _SERVED.where(col(Publication.variant_id) == bindparam("variant_id"))


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
    and the tombstones of copy that stopped being served; `revoked` is the tombstones alone.
    With a dialect, copy that cannot be said in it is served without its fields and with an
    `error` naming the tag; the page counts them and pages on."""
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
    states = [FeedState.REVOKED] if status == "revoked" else [FeedState.APPROVED,
                                                              FeedState.REVOKED]  # fmt: skip
    statement = _filtered(
        _SERVED.where(col(Publication.seq) > after, col(Publication.state).in_(states)),
        brand=brand, channel=channel, campaign=campaign, variant_group=variant_group,
    )  # fmt: skip
    if key.brands:
        statement = statement.where(col(Publication.brand).in_(sorted(key.brands)))
    if since is not None:
        # From the first row changed since: `seq + 0` keeps SQLite from walking the seq index
        # from the start to find it, so the updated_at index answers.
        first = select(func.min(col(Publication.seq) + 0)).where(
            col(Publication.updated_at) >= since
        )
        statement = statement.where(col(Publication.seq) >= first.scalar_subquery(),
                                    col(Publication.updated_at) >= since)  # fmt: skip
    catch_up(db)
    rows = db.all(statement.order_by(col(Publication.seq)).limit(limit + 1),
                  {"dialect": dialect or STUDIO})  # fmt: skip
    has_more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = FeedCursor(seq=rows[-1].seq).encode() if has_more else None
    return FeedPage(items=[row.body for row in rows], has_more=has_more, next_cursor=next_cursor,
                    untranslatable=sum(row.untranslatable for row in rows))  # fmt: skip


def get_variant(
    db: Database, key: KeyIdentity, variant_id: int, *, dialect: str | None = None
) -> VariantDocument:
    """One variant: its approved resource, or its tombstone. Copy that was never approved, or
    of a brand the key does not see, does not exist for the key."""
    key.require(Scope.VARIANTS_READ)
    _check_dialect(dialect)
    row = None
    if 0 < variant_id <= MAX_ID:
        catch_up(db)
        row = db.first(_ONE, {"variant_id": variant_id, "dialect": dialect or STUDIO})
    if row is None or row.state == FeedState.SCHEDULED or not key.sees(row.brand):
        raise NotFound(f"no approved variant #{variant_id}")
    return VariantDocument(body=row.body, etag=row.etag)


@dataclass(frozen=True)
class Export:
    """The approved set as the feed serves it, and the copy a dialect cannot carry (each
    one's `error`, with its id and name), which `documents` leaves out."""

    documents: list[dict[str, Any]]
    untranslatable: list[dict[str, Any]]


def export_approved(
    db: Database,
    actor: str,
    *,
    brand: str | None = None,
    channel: str | None = None,
    campaign: str | None = None,
    variant_group: str | None = None,
    dialect: str | None = None,
) -> Export:
    """Every variant served as approved at this moment, exactly as the feed serves it, for a
    signed-in user handing copy to an engine by file (`studio variants export`)."""
    _check_dialect(dialect)
    statement = _filtered(
        _SERVED.where(col(Publication.state) == FeedState.APPROVED),
        brand=brand, channel=channel, campaign=campaign, variant_group=variant_group,
    )  # fmt: skip
    with db.read() as session:
        accounts.acting(session, actor)
    catch_up(db)
    rows = db.all(statement.order_by(col(Publication.seq)), {"dialect": dialect or STUDIO})
    documents = [json.loads(row.body) for row in rows]
    return Export(
        documents=[document for document in documents if "error" not in document],
        untranslatable=[{"id": document["id"], "name": document["name"], **document["error"]}
                        for document in documents if "error" in document],
    )  # fmt: skip


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


def _check_dialect(dialect: str | None) -> None:
    if dialect is not None and dialect not in DIALECTS:
        raise InvalidInput(f"dialect {dialect!r}: use one of {', '.join(DIALECTS)}",
                           field="dialect")  # fmt: skip
