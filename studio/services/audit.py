"""The append-only, hash-chained audit log.

Each event's hash covers the previous event's hash and every column of its own, so editing,
removing or reordering any event breaks the chain from that point on. Appending locks the single
`AuditHead` row, which serialises writers (so `seq` is gapless and in commit order) and records
the tip, so a removed tail is detected too. `verify` names the first broken event.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TextIO

from sqlmodel import Session, col, select

from studio.canonical import canonical_json
from studio.store.models import AuditEvent, AuditHead, as_utc, utcnow

GENESIS = "0" * 64
SYSTEM = "system"  # the actor of what the studio does by itself (rule rechecks)
EXPORT_COLUMNS = [
    "seq", "at", "actor", "action", "object_type", "object_id", "outcome",
    "state_before", "state_after", "detail", "prev_hash", "hash",
]  # fmt: skip


def record(
    session: Session,
    actor: str,
    action: str,
    object_type: str,
    object_id: str | int,
    *,
    outcome: str = "ok",
    state_before: str | None = None,
    state_after: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append an event inside the caller's transaction: it lands exactly when the action does."""
    head = session.exec(select(AuditHead).where(AuditHead.id == 1).with_for_update()).one()
    event = AuditEvent(
        seq=head.seq + 1,
        at=utcnow(),
        actor=actor[:64],
        action=action,
        object_type=object_type,
        object_id=str(object_id)[:64],
        outcome=outcome,
        state_before=state_before,
        state_after=state_after,
        detail=detail or {},
        prev_hash=head.hash,
        hash="",
    )
    event.hash = event_hash(event)
    head.seq, head.hash = event.seq, event.hash
    session.add(event)
    session.add(head)
    session.flush()
    return event


def event_hash(event: AuditEvent) -> str:
    body = {column: _plain(event, column) for column in EXPORT_COLUMNS[:-2]}
    return hashlib.sha256(f"{event.prev_hash}\n{canonical_json(body)}".encode()).hexdigest()


@dataclass(frozen=True)
class Verification:
    events: int
    head_hash: str
    problem: str | None  # the first break, naming the event; None when the chain is whole
    anchors: int = 0  # how many anchors kept outside the database were checked and match

    @property
    def ok(self) -> bool:
        return self.problem is None


@dataclass(frozen=True)
class Anchor:
    """The chain's head as it was at a moment, kept outside the database: a later rewrite or
    truncation of anything up to `seq` no longer matches it."""

    seq: int
    hash: str
    at: str


def head(session: Session) -> Anchor:
    row = session.exec(select(AuditHead).where(AuditHead.id == 1)).one()
    return Anchor(row.seq, row.hash, utcnow().isoformat(timespec="seconds"))


def verify(session: Session, anchors: Sequence[Anchor] = ()) -> Verification:
    """Re-compute the chain; then every anchor must still match the event it recorded."""
    result = _verify_chain(session)
    if not result.ok:
        return result
    for anchor in anchors:
        problem = _anchor_problem(session, anchor, result.events)
        if problem:
            return Verification(result.events, result.head_hash, problem)
    return Verification(result.events, result.head_hash, None, len(anchors))


def _anchor_problem(session: Session, anchor: Anchor, events: int) -> str | None:
    if anchor.seq == 0:
        return None
    if anchor.seq > events:
        return (f"the anchor of {anchor.at} records event {anchor.seq}, but the log ends at "
                f"event {events}: events after {events} were removed")  # fmt: skip
    event = session.get(AuditEvent, anchor.seq)
    if event is None or event.hash != anchor.hash:
        return (f"event {anchor.seq} no longer matches its anchor of {anchor.at}: the log was "
                f"rewritten at or before event {anchor.seq}")  # fmt: skip
    return None


def _verify_chain(session: Session) -> Verification:
    expected_seq, prev_hash = 1, GENESIS
    for event in iter_events(session):
        if event.seq != expected_seq:
            return Verification(expected_seq - 1, prev_hash,
                           f"event {expected_seq} is missing (the next stored event is "
                           f"{event.seq}): events were removed")  # fmt: skip
        if event.prev_hash != prev_hash:
            return Verification(expected_seq - 1, prev_hash,
                           f"event {event.seq} does not follow event {event.seq - 1}: the events "
                           "were reordered, or one before it was replaced")  # fmt: skip
        if event_hash(event) != event.hash:
            return Verification(expected_seq - 1, prev_hash,
                           f"event {event.seq} was edited: its content no longer matches its "
                           "hash")  # fmt: skip
        expected_seq, prev_hash = expected_seq + 1, event.hash
    head = session.exec(select(AuditHead).where(AuditHead.id == 1)).one()
    count = expected_seq - 1
    if head.seq != count or head.hash != prev_hash:
        return Verification(count, prev_hash,
                       f"the log ends at event {count} but its head records event {head.seq}: "
                       f"events after {count} were removed")  # fmt: skip
    return Verification(count, prev_hash, None)


def iter_events(session: Session) -> Iterator[AuditEvent]:
    statement = select(AuditEvent).order_by(col(AuditEvent.seq)).execution_options(yield_per=1000)
    yield from session.exec(statement)


def export(session: Session, fmt: str, out: TextIO) -> int:
    """Write every event as CSV or a JSON array; returns how many were written."""
    count = 0
    if fmt == "csv":
        writer = csv.writer(out)
        writer.writerow(EXPORT_COLUMNS)
        for event in iter_events(session):
            writer.writerow([_csv_cell(_plain(event, column)) for column in EXPORT_COLUMNS])
            count += 1
        return count
    out.write("[")
    for event in iter_events(session):
        row = {column: _plain(event, column) for column in EXPORT_COLUMNS}
        out.write(("," if count else "") + "\n" + json.dumps(row, ensure_ascii=False))
        count += 1
    out.write("\n]\n")
    return count


def _plain(event: AuditEvent, column: str) -> Any:
    value = getattr(event, column)
    if isinstance(value, dt.datetime):
        return as_utc(value).isoformat(timespec="microseconds")
    return value


def _csv_cell(value: Any) -> Any:
    """JSON for nested values; a leading `'` keeps spreadsheets from running `=`-formulas."""
    if isinstance(value, dict):
        value = json.dumps(value, sort_keys=True, ensure_ascii=False)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
