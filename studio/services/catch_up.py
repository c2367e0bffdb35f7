"""Bring the feed up to the present before it is read: changes that happen at a moment rather
than by a decision (an approval expiring, a validity window opening, a brand's rules changing
on disk) are written as they take effect, with a new feed position and their webhook event.

A tombstone that kept the position of the approval it replaces would be invisible to an engine
syncing with `updated_since` or a cursor, which would go on sending expired offers; so these
changes are never worked out at read time, only written. The API runs this before every feed
read, and the worker on every turn, so either alone keeps the feed true.

Cheap when nothing is due: one primary-key read of the feed head; the earliest moment anything
falls due is worked out again only when the feed moved. The brands' rule files are looked at at
most once every RULES_MAX_AGE seconds per process (walking them costs more than a read).
"""

from __future__ import annotations

import threading
import time
import weakref
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlmodel import col

from guardrails import RulePackError
from studio.errors import StudioError
from studio.services import packs, publishing, recheck
from studio.store.db import Database
from studio.store.models import (
    Brand,
    FeedDocument,
    FeedHead,
    FeedState,
    Publication,
    as_utc,
    utcnow,
)

RULES_MAX_AGE = 1.0  # a rule edit reaches the feed within this many seconds
_HEAD = select(col(FeedHead.seq)).where(col(FeedHead.id) == 1)


@dataclass
class _Known:
    """What this process last worked out about one database."""

    seq: int = -1
    due_at: float = float("inf")  # POSIX time the next change falls due
    rechecked: dict[str, str | None] = field(default_factory=dict)  # brand -> rules version
    rules_looked_at: float = float("-inf")  # monotonic: when the rule files were last looked at
    documented: bool = False  # every publication has its documents (see migration 0009)


_known: weakref.WeakKeyDictionary[Database, _Known] = weakref.WeakKeyDictionary()
_lock = threading.Lock()  # one catch-up at a time in a process; the others wait for it


def catch_up(db: Database) -> int:
    """Write whatever has fallen due, and re-check copy whose brand's rules changed. Returns
    how many variants moved in the feed (0 when nothing was due)."""
    known = _known.setdefault(db, _Known())
    head = db.first(_HEAD, {})
    seq = head[0] if head else 0
    if seq != known.seq:
        with _lock:  # one thread works it out; the others wait and use its answer
            if seq != known.seq:
                _look_again(db, known, seq)
    stale: list[str] = []
    if time.monotonic() - known.rules_looked_at >= RULES_MAX_AGE:
        known.rules_looked_at = time.monotonic()
        stale = [brand for brand, checked in known.rechecked.items()
                 if _rules_now(brand) != checked]  # fmt: skip
    if known.due_at > utcnow().timestamp() and not stale:
        return 0
    with _lock:
        moved = publishing.sweep(db)
        publishing.render_missing(db)
        for brand in stale:
            moved += _recheck(db, brand, _rules_now(brand))
        known.seq = -1  # look again next time: the feed moved, or another thread moved it
    return moved


def _look_again(db: Database, known: _Known, seq: int) -> None:
    """The next moment anything falls due, and each brand's rules version its copy was last
    checked at."""
    expiring = select(func.min(Publication.valid_until)).where(
        col(Publication.state) == FeedState.APPROVED
    )
    opening = select(func.min(Publication.valid_from)).where(
        col(Publication.state) == FeedState.SCHEDULED
    )
    undocumented = (
        select(func.count())
        .select_from(Publication)
        .outerjoin(FeedDocument, col(FeedDocument.variant_id) == Publication.variant_id)
        .where(col(FeedDocument.variant_id).is_(None))
    )
    with db.read() as session:
        moments = [session.execute(query).scalar() for query in (expiring, opening)]
        # Only publications from before documents were stored lack them: asked once a process.
        missing = 0 if known.documented else session.execute(undocumented).scalar_one()
        rows = session.execute(select(col(Brand.slug), col(Brand.rules_version)))
        known.rechecked = {slug: version for slug, version in rows}
    due = [as_utc(moment).timestamp() for moment in moments if moment is not None]
    known.due_at = 0.0 if missing else min(due, default=float("inf"))
    known.documented = not missing
    known.seq = seq


def _recheck(db: Database, brand: str, version: str | None) -> int:
    """Re-check the brand's approved copy under its rules as they are now; if they no longer
    load, withhold its copy until they do. Another process may have done it already: the
    recheck skips a brand whose copy was checked at this version, and withholding is
    idempotent. Returns how many variants moved."""
    if version is None:
        return publishing.withhold(db, brand, "the brand's rules do not load; the copy is "
                                   "withheld until they do")  # fmt: skip
    return len(recheck.recheck_approved(db, actor=None, brand=brand, only_if_rules_changed=True))


def _rules_now(brand: str) -> str | None:
    """The brand's rules version on disk (None if its pack does not load)."""
    try:
        return packs.brand_pack(brand).version
    except (StudioError, RulePackError):
        return None
