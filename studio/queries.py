"""Read-only views of the workflow: listings, the review queue, one variant in full, diffs.

Everything here returns plain JSON-ready data, so the CLI, the UI and the API show the same thing.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from studio import variants
from studio.errors import InvalidInput
from studio.models import (
    MAX_ID,
    Brand,
    CheckReport,
    Override,
    Review,
    Status,
    User,
    Variant,
    VariantVersion,
    as_utc,
    iso_seconds,
)

QUEUE_PAGE = 50


def summary(variant: Variant, brand: str, author: str) -> dict[str, Any]:
    return {
        "id": variant.id,
        "name": variant.name,
        "brand": brand,
        "channel": variant.channel,
        "status": variant.status,
        "version": variant.current_version,
        "revision": variant.revision,
        "risk": variant.risk,
        "errors": variant.error_count,
        "warnings": variant.warning_count,
        "author": author,
        "group": variant.variant_group,
        "submitted_at": iso_seconds(variant.submitted_at),
        "updated_at": iso_seconds(variant.updated_at),
        "flagged": variant.flag_reason,
        "valid_until": iso_seconds(variant.valid_until),
    }


def list_variants(
    session: Session,
    *,
    status: str | None = None,
    brand: str | None = None,
    channel: str | None = None,
    flagged: bool = False,
    limit: int = 200,
) -> list[dict[str, Any]]:
    if status is not None and status not in set(Status):
        raise InvalidInput(f"unknown status {status!r} (one of: {', '.join(Status)})")
    statement = (
        select(Variant, Brand.slug, User.name)
        .join(Brand, col(Brand.id) == Variant.brand_id)
        .join(User, col(User.id) == Variant.author_id)
        .order_by(col(Variant.updated_at).desc(), col(Variant.id).desc())
        .limit(limit)
    )
    if status:
        statement = statement.where(Variant.status == status)
    if brand:
        statement = statement.where(Brand.slug == brand)
    if channel:
        statement = statement.where(Variant.channel == channel)
    if flagged:
        statement = statement.where(col(Variant.flagged_at).is_not(None))
    return [summary(v, slug, author) for v, slug, author in session.exec(statement)]


@dataclass(frozen=True)
class QueueCursor:
    """Where a queue page ended: (risk, submitted_at, id) of its last row."""

    risk: int
    submitted_at: dt.datetime
    id: int


def review_queue(
    session: Session,
    *,
    brand_id: int | None = None,
    channel: str | None = None,
    after: QueueCursor | None = None,
    limit: int = QUEUE_PAGE,
) -> list[Variant]:
    """Copy waiting for a decision, riskiest first, then longest waiting (keyset pages)."""
    statement = select(Variant).where(Variant.status == Status.IN_REVIEW)
    if brand_id is not None:
        statement = statement.where(Variant.brand_id == brand_id)
    if channel is not None:
        statement = statement.where(Variant.channel == channel)
    if after is not None:
        risk, submitted = col(Variant.risk), col(Variant.submitted_at)
        statement = statement.where(
            or_(
                risk < after.risk,
                and_(risk == after.risk, submitted > after.submitted_at),
                and_(risk == after.risk, submitted == after.submitted_at,
                     col(Variant.id) > after.id),
            )
        )  # fmt: skip
    statement = statement.order_by(
        col(Variant.risk).desc(), col(Variant.submitted_at), col(Variant.id)
    ).limit(limit)
    return list(session.exec(statement))


def detail(session: Session, variant_id: int) -> dict[str, Any]:
    """One variant in full: summary, current copy, newest report, history, overrides, diff."""
    variant = variants.get(session, variant_id)
    brand = session.get(Brand, variant.brand_id)
    names = {u.id: u.name for u in session.exec(select(User))}
    version = variants.current_version(session, variant)
    report = variants.latest_report(session, variant)
    overrides = session.exec(
        select(Override).where(Override.variant_id == variant_id).order_by(col(Override.id))
    )
    data = summary(variant, brand.slug if brand else "?", names.get(variant.author_id, "?"))
    data.update(
        fields=version.fields,
        content_hash=version.content_hash,
        provenance=version.provenance,
        report=_report(report),
        approval=_approval(variant, names),
        history=_history(session, variant_id, names),
        overrides=[
            {
                "rule": o.rule,
                "field": o.field,
                "text": o.text,
                "version": o.version_number,
                "justification": o.justification,
                "by": names.get(o.actor_id, "?"),
            }
            for o in overrides
        ],
        diff=diff(session, variant_id, version.number - 1, version.number)
        if version.number > 1
        else None,
    )
    return data


def _history(
    session: Session, variant_id: int, names: dict[int | None, str]
) -> list[dict[str, Any]]:
    """Versions saved and decisions taken, oldest first."""
    versions = session.exec(select(VariantVersion).where(VariantVersion.variant_id == variant_id))
    entries = [
        (v.created_at, {"at": iso_seconds(v.created_at), "version": v.number, "comment": None,
                        "action": "create" if v.number == 1 else "edit",
                        "by": names.get(v.created_by, "?")})
        for v in versions
    ]  # fmt: skip
    for r in session.exec(select(Review).where(Review.variant_id == variant_id)):
        who = names.get(r.actor_id, "?") if r.actor_id else "system"
        entries.append((r.created_at, {"at": iso_seconds(r.created_at), "action": r.action,
                                       "version": r.version_number, "by": who,
                                       "comment": r.comment}))  # fmt: skip
    entries.sort(key=lambda entry: as_utc(entry[0]))
    return [entry for _, entry in entries]


def _report(report: CheckReport) -> dict[str, Any]:
    return {
        "id": report.id,
        "version": report.version_number,
        "rules_version": report.rules_version,
        "verdict": report.verdict,
        "checked_at": iso_seconds(report.created_at),
        "findings": report.report.get("findings", []),
        "approved_claims": report.report.get("approved_claims", []),
    }


def _approval(variant: Variant, names: dict[int | None, str]) -> dict[str, Any] | None:
    if variant.approved_version is None:
        return None
    return {
        "version": variant.approved_version,
        "content_hash": variant.approved_content_hash,
        "rules_version": variant.approved_rules_version,
        "by": names.get(variant.approved_by, "?"),
        "at": iso_seconds(variant.approved_at),
        "valid_from": iso_seconds(variant.valid_from),
        "valid_until": iso_seconds(variant.valid_until),
    }


def diff(session: Session, variant_id: int, old: int, new: int) -> str:
    """A unified diff of two versions, field by field (list fields item by item)."""
    for number in (old, new):
        if not 0 < number <= MAX_ID:
            raise InvalidInput(f"variant #{variant_id} has no version {number}")
    rows = {
        v.number: v
        for v in session.exec(
            select(VariantVersion).where(
                VariantVersion.variant_id == variant_id,
                col(VariantVersion.number).in_([old, new]),
            )
        )
    }
    for number in (old, new):
        if number not in rows:
            raise InvalidInput(f"variant #{variant_id} has no version {number}")
    before, after = _lines(rows[old].fields), _lines(rows[new].fields)
    return "".join(
        difflib.unified_diff(before, after, f"version {old}", f"version {new}", lineterm="\n")
    )


def _lines(fields: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    for name, value in fields.items():
        texts = value if isinstance(value, list) else [value]
        for i, text in enumerate(texts):
            label = f"{name}[{i + 1}]" if isinstance(value, list) else name
            lines.extend(f"{label}: {line}\n" for line in str(text).splitlines() or [""])
    return lines
