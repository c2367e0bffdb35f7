"""What engines report about sent copy, and what the studio makes of it: each variant's
counts and rates, and, per variant group, a recommended traffic split (Thompson sampling in
`publishing/allocation.py`), so an engine without a bandit of its own can split traffic well and
drafting can learn from what performed.

Reports are idempotent by the engine's event id: a batch resent after a timeout counts once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from studio.drafting.provider import Example
from studio.errors import InvalidInput, NotFound
from studio.publishing.allocation import SUCCESS_RATES, ArmCounts, allocate
from studio.services.api_keys import KeyIdentity
from studio.settings import settings
from studio.store.db import Database
from studio.store.models import (
    MAX_ID,
    EngagementEvent,
    EngagementKind,
    FeedState,
    Publication,
    Scope,
    VariantVersion,
    as_utc,
    utcnow,
)

MAX_BATCH = 1000
FUTURE_SKEW = dt.timedelta(minutes=5)  # clocks drift; a report from further ahead is a mistake
KINDS = tuple(kind.value for kind in EngagementKind)
_COUNTER = {"send": "sends", "delivery": "deliveries", "open": "opens", "click": "clicks",
            "conversion": "conversions", "unsubscribe": "unsubscribes",
            "complaint": "complaints"}  # fmt: skip


@dataclass(frozen=True)
class Report:
    """One event as an engine reports it."""

    event_id: str
    kind: str
    occurred_at: dt.datetime | None = None


@dataclass(frozen=True)
class Recorded:
    accepted: int  # new events counted
    duplicates: int  # already counted (same event id), ignored


@dataclass(frozen=True)
class VariantFigures:
    variant_id: int
    label: str | None
    served: bool  # approved and served now; only served copy gets a share of traffic
    counts: dict[str, int]
    rates: dict[str, float | None]
    share: float | None  # recommended share of the group's traffic


@dataclass(frozen=True)
class GroupFigures:
    variant_group: str
    brand: str
    success: str  # what the split optimises: opens, clicks or conversions
    min_sends: int
    exploring: bool  # still splitting evenly until every variant has min_sends
    reason: str
    variants: list[VariantFigures]


def record(db: Database, key: KeyIdentity, variant_id: int, reports: Sequence[Report]) -> Recorded:
    """Count an engine's events for a variant it was served. Unknown kinds, empty or oversized
    batches and reports from the future are refused whole, naming the event."""
    key.require(Scope.EVENTS_WRITE)
    if not 1 <= len(reports) <= MAX_BATCH:
        raise InvalidInput(f"a report holds 1 to {MAX_BATCH} events, not {len(reports)}")
    now = utcnow()
    rows, seen = [], set()
    for index, report in enumerate(reports):
        where = f"events[{index}] ({report.event_id!r})"
        if report.kind not in KINDS:
            raise InvalidInput(f"{where}: type {report.kind!r} is not one of {', '.join(KINDS)}",
                               field="type")  # fmt: skip
        if not 1 <= len(report.event_id) <= 200:
            raise InvalidInput(f"events[{index}]: an event id has 1 to 200 characters", field="id")
        when = as_utc(report.occurred_at) if report.occurred_at else now
        if when > now + FUTURE_SKEW:
            raise InvalidInput(f"{where}: occurred_at {when.isoformat()} is in the future",
                               field="occurred_at")  # fmt: skip
        if report.event_id in seen:
            continue
        seen.add(report.event_id)
        rows.append({"variant_id": variant_id, "event_id": report.event_id, "kind": report.kind,
                     "occurred_at": when, "received_at": now, "api_key_id": key.id})  # fmt: skip
    with db.write() as session:
        _visible(session, key, variant_id)
        insert = sqlite_insert if db.is_sqlite else postgres_insert
        statement = (
            insert(EngagementEvent)
            .values(rows)
            .on_conflict_do_nothing(index_elements=["variant_id", "event_id"])
            .returning(col(EngagementEvent.id))  # the rows it inserted: an exact count anywhere
        )
        accepted = len(session.connection().execute(statement).all())
    return Recorded(accepted=accepted, duplicates=len(reports) - accepted)


def group_for_key(
    db: Database, key: KeyIdentity, variant_group: str, *, brand: str | None = None,
    success: str = "clicks",
) -> GroupFigures:  # fmt: skip
    """A group's figures as a key with `variants:read` sees them."""
    key.require(Scope.VARIANTS_READ)
    if brand is not None:
        key.require_brand(brand)
    with db.read() as session:
        publications = _group(session, variant_group, brand)
        publications = [row for row in publications if key.sees(row.brand)]
        return _figures(session, variant_group, publications, success)


def variant_performance(session: Session, variant_id: int) -> GroupFigures | None:
    """For a variant's detail view: the figures of its group (or of it alone), None when it
    was never published."""
    row = session.get(Publication, variant_id) if 0 < variant_id <= MAX_ID else None
    if row is None:
        return None
    return _figures_of(session, row)


def reported_groups(session: Session, brand: str | None, limit: int) -> list[GroupFigures]:
    """For the dashboard: the figures of every variant group (or ungrouped variant) an engine
    has reported on, most sends first, at most `limit` of them."""
    reported = select(EngagementEvent.variant_id).distinct()
    statement = select(Publication).where(col(Publication.variant_id).in_(reported))
    if brand is not None:
        statement = statement.where(Publication.brand == brand)
    figures: dict[tuple[str, str | int], GroupFigures] = {}
    for row in session.exec(statement.order_by(col(Publication.variant_id))):
        key = (row.brand, row.variant_group or row.variant_id)
        if key not in figures:
            figures[key] = _figures_of(session, row)
    ranked = sorted(figures.values(), key=lambda g: -sum(v.counts["sends"] for v in g.variants))
    return ranked[:limit]


def best_performers(
    db: Database, *, brand: str, channel: str, campaign: str | None = None, limit: int = 3
) -> list[Example]:
    """Approved copy of a brand and channel (and campaign) with enough sends to judge, best
    click rate first, with the angle it was drafted with. What drafting learns from."""
    minimum = settings().feedback_min_sends
    with db.read() as session:
        statement = select(Publication, VariantVersion.provenance).join(
            VariantVersion, (col(VariantVersion.variant_id) == col(Publication.variant_id))
            & (col(VariantVersion.number) == col(Publication.version)),
        ).where(
            Publication.brand == brand, Publication.channel == channel,
            col(Publication.state) == FeedState.APPROVED,
        )  # fmt: skip
        if campaign is not None:
            statement = statement.where(Publication.campaign == campaign)
        rows = list(session.exec(statement))
        counts = _counts(session, [row.variant_id for row, _ in rows])
    judged = [(row, provenance, counts[row.variant_id]) for row, provenance in rows
              if counts[row.variant_id].sends >= minimum]  # fmt: skip
    judged.sort(key=lambda item: (-(item[2].click_rate or 0.0), item[0].variant_id))
    return [
        Example(row.variant_id, json.loads(row.resource)["fields"], _rates(arm), arm.sends,
                provenance.get("angle") if isinstance(provenance, dict) else None)
        for row, provenance, arm in judged[:limit]
    ]  # fmt: skip


def _figures_of(session: Session, row: Publication) -> GroupFigures:
    """The figures of the group a published variant belongs to, or of it alone."""
    group = _group(session, row.variant_group, row.brand) if row.variant_group else [row]
    return _figures(session, row.variant_group or f"variant #{row.variant_id}", group, "clicks")


def _visible(session: Session, key: KeyIdentity, variant_id: int) -> Publication:
    row = session.get(Publication, variant_id) if 0 < variant_id <= MAX_ID else None
    if row is None or row.state == FeedState.SCHEDULED or not key.sees(row.brand):
        raise NotFound(f"no approved variant #{variant_id}")
    return row


def _group(session: Session, variant_group: str | None, brand: str | None) -> list[Publication]:
    if not variant_group or len(variant_group) > 120:
        raise InvalidInput("a variant group is named by 1 to 120 characters", field="group")
    statement = select(Publication).where(Publication.variant_group == variant_group)
    if brand is not None:
        statement = statement.where(Publication.brand == brand)
    rows = list(session.exec(statement.order_by(col(Publication.variant_id))))
    if not rows:
        raise NotFound(f"no approved copy in variant group {variant_group!r}")
    if len({row.brand for row in rows}) > 1:
        raise InvalidInput(f"variant group {variant_group!r} exists in several brands "
                           f"({', '.join(sorted({row.brand for row in rows}))}); name one",
                           field="brand")  # fmt: skip
    return rows


def _figures(
    session: Session, variant_group: str, rows: list[Publication], success: str
) -> GroupFigures:
    if success not in SUCCESS_RATES:
        raise InvalidInput(f"success {success!r}: one of {', '.join(SUCCESS_RATES)}",
                           field="success")  # fmt: skip
    if not rows:
        raise NotFound(f"no approved copy in variant group {variant_group!r}")
    counts = _counts(session, [row.variant_id for row in rows])
    served = [row for row in rows if row.state == FeedState.APPROVED]
    minimum = settings().feedback_min_sends
    arms = [counts[row.variant_id] for row in served]
    seed = int.from_bytes(hashlib.sha256(repr(arms).encode()).digest()[:8], "big")
    split = allocate(arms, min_sends=minimum, success=success, seed=seed) if arms else None
    labels = {row.variant_id: _label(row) for row in rows}
    return GroupFigures(
        variant_group=variant_group, brand=rows[0].brand, success=success, min_sends=minimum,
        exploring=split.exploring if split else True,
        reason=split.reason if split else "no variant of the group is served now",
        variants=[
            VariantFigures(row.variant_id, labels[row.variant_id],
                           row.state == FeedState.APPROVED,
                           _as_dict(counts[row.variant_id]), _rates(counts[row.variant_id]),
                           split.shares.get(row.variant_id) if split else None)
            for row in rows
        ],
    )  # fmt: skip


def _counts(session: Session, variant_ids: list[int]) -> dict[int, ArmCounts]:
    found: dict[int, dict[str, int]] = {variant_id: {} for variant_id in variant_ids}
    if variant_ids:
        rows = session.exec(
            select(EngagementEvent.variant_id, EngagementEvent.kind, func.count())
            .where(col(EngagementEvent.variant_id).in_(variant_ids))
            .group_by(col(EngagementEvent.variant_id), col(EngagementEvent.kind))
        )
        for variant_id, kind, count in rows:
            found[variant_id][_COUNTER[kind]] = count
    arms = {}
    for variant_id, counted in found.items():
        numbers = {name: counted.get(name, 0) for name in _COUNTER.values()}
        numbers["sends"] = max(numbers["sends"], numbers["deliveries"])  # a delivery was sent
        arms[variant_id] = ArmCounts(variant_id=variant_id, **numbers)
    return arms


def _as_dict(arm: ArmCounts) -> dict[str, int]:
    return {name: getattr(arm, name) for name in _COUNTER.values()}


def _rates(arm: ArmCounts) -> dict[str, float | None]:
    return {name: getattr(arm, name) for name in (
        "delivery_rate", "open_rate", "click_rate", "conversion_rate", "unsubscribe_rate",
        "complaint_rate")}  # fmt: skip


def _label(row: Publication) -> str | None:
    label = json.loads(row.resource).get("label")
    return label if isinstance(label, str) else None
