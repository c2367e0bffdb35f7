"""Reading the audit log, for reviewers and admins only: verify the chain (and anchors kept
outside the database), take an anchor, export every event, or page through events as views.
Each read is authorised first, and a refused one is itself audited."""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from sqlmodel import col, select

from studio.errors import InvalidInput
from studio.services import anchors, audit
from studio.services.acting import authorize
from studio.services.policy import Action
from studio.services.schemas import AuditEventView
from studio.settings import settings
from studio.store.db import Database
from studio.store.models import AuditEvent

_TARGET = ("audit", "log")
MAX_PAGE = 1000


def verify(db: Database, actor: str, anchor_file: Path | None = None) -> audit.Verification:
    """Re-compute the hash chain; with `anchor_file`, check every anchor in it matches too."""
    authorize(db, actor, Action.READ_AUDIT, _TARGET)
    kept = anchors.read(anchor_file) if anchor_file else []
    with db.read() as session:
        return audit.verify(session, kept)


def verify_here(db: Database, actor: str) -> audit.Verification:
    """`verify` with the anchors `studio up` keeps (the configured anchor file), if any."""
    kept = settings().anchor_file()
    return verify(db, actor, kept if kept.exists() else None)


def take_anchor(db: Database, actor: str) -> audit.Anchor:
    """The log's head as it is now, after checking the chain."""
    authorize(db, actor, Action.READ_AUDIT, _TARGET)
    return anchors.take(db)


def export(db: Database, actor: str, fmt: str, out: TextIO) -> int:
    """Every event, oldest first, as CSV or JSON to `out`; returns how many."""
    authorize(db, actor, Action.READ_AUDIT, _TARGET)
    with db.read() as session:
        return audit.export(session, fmt, out)


def events(
    db: Database,
    actor: str,
    *,
    after_seq: int = 0,
    limit: int = 100,
    by: str | None = None,
    action: str | None = None,
    outcome: str | None = None,
    newest_first: bool = False,
) -> list[AuditEventView]:
    """A page of events in chain order, starting after `after_seq` (or the newest `limit`),
    optionally only those `by` one actor, of one action (`approve`, or a family such as
    `webhook.`), or with one outcome (`ok`, `denied`)."""
    if not 0 < limit <= MAX_PAGE:
        raise InvalidInput(f"limit {limit}: give 1 to {MAX_PAGE}")
    authorize(db, actor, Action.READ_AUDIT, _TARGET)
    order = col(AuditEvent.seq).desc() if newest_first else col(AuditEvent.seq)
    statement = select(AuditEvent).where(col(AuditEvent.seq) > after_seq)
    if by:
        statement = statement.where(AuditEvent.actor == by)
    if action:
        family = action.endswith(".")
        statement = statement.where(col(AuditEvent.action).startswith(action, autoescape=True)
                                    if family else AuditEvent.action == action)  # fmt: skip
    if outcome:
        statement = statement.where(AuditEvent.outcome == outcome)
    statement = statement.order_by(order).limit(limit)
    with db.read() as session:
        return [
            AuditEventView.model_validate(row, from_attributes=True)
            for row in session.exec(statement)
        ]
