"""The write side of the pull feed: keep each variant's `Publication` in line with the variant.

`republish` runs inside the transaction of every change to a variant (decisions, rule
rechecks, the sweep), so what the API serves can never run ahead of or lag behind what was
decided. Copy is served only while it is approved for exactly this content, not flagged by a
rule change, and inside its validity window; anything that stops being served becomes a
tombstone so a syncing engine deletes it. Each change emits its webhook event (the outbox).
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from studio.publishing import documents
from studio.publishing.dialects import merge_variables
from studio.services import audit, outbox, packs
from studio.services.outbox import EventType
from studio.store import variants
from studio.store.db import Database
from studio.store.models import (
    Brand,
    Brief,
    CheckReport,
    FeedDocument,
    FeedHead,
    FeedState,
    Publication,
    Status,
    User,
    Variant,
    VariantVersion,
    as_utc,
    iso_seconds,
    saved_id,
    utcnow,
)


def republish(session: Session, variant: Variant) -> None:
    """Bring the variant's publication in line with the variant (inside the caller's
    transaction); a visible change takes the next feed seq and emits its event."""
    current = session.get(Publication, variant.id)
    wanted, why_not = _wanted_state(variant)
    if wanted is None:
        if current is None or current.state == FeedState.REVOKED:
            return  # never served, or already a tombstone
        _tombstone(session, current, variant, why_not)
        return
    version = variants.current_version(session, variant)
    rules_version = _verified_rules(session, variant)
    if (
        current is not None
        and current.state == wanted
        and (current.version, current.content_hash, current.rules_version)
        == (version.number, version.content_hash, rules_version)
        and (current.valid_from, current.valid_until) == (variant.valid_from, variant.valid_until)
    ):
        return
    before = current.state if current is not None else None
    row = current or Publication(variant_id=saved_id(variant), seq=0, brand="", channel="",
                                 state=wanted, version=0, content_hash="", rules_version="",
                                 resource="")  # fmt: skip
    now = utcnow()
    brand = _brand(session, variant)
    resource = _resource(session, variant, version, brand, rules_version, now)
    values: dict[str, Any] = {
        "seq": _next_seq(session), "brand": brand, "channel": variant.channel,
        "campaign": resource["campaign"], "variant_group": variant.variant_group,
        "state": wanted, "version": version.number, "content_hash": version.content_hash,
        "rules_version": rules_version, "valid_from": variant.valid_from,
        "valid_until": variant.valid_until, "revoked_at": None, "reason": None,
        "resource": json.dumps(resource, ensure_ascii=False, separators=(",", ":")),
        "updated_at": now,
    }  # fmt: skip
    for key, value in values.items():
        setattr(row, key, value)
    session.add(row)
    session.flush()
    _store_documents(
        session,
        row.variant_id,
        documents.approved(resource, packs.fallbacks(packs.brand_pack(brand))),
    )
    if wanted == FeedState.APPROVED:
        event = EventType.UPDATED if before == FeedState.APPROVED else EventType.APPROVED
        outbox.emit(session, event, brand=brand, variant_id=row.variant_id, version=row.version)


def sweep(db: Database) -> int:
    """Time-driven changes no decision makes: copy whose window opened or closed, and approved
    copy with no publication yet (approved before the feed existed). Returns how many moved."""
    now = utcnow()
    with db.read() as session:
        due = list(
            session.exec(
                select(Publication.variant_id).where(
                    (
                        (col(Publication.state) == FeedState.SCHEDULED)
                        & (col(Publication.valid_from) <= now)
                    )
                    | (
                        (col(Publication.state) == FeedState.APPROVED)
                        & (col(Publication.valid_until) <= now)
                    )
                )
            )
        )
        unpublished = list(
            session.exec(
                select(Variant.id)
                .outerjoin(Publication, col(Publication.variant_id) == Variant.id)
                .where(Variant.status == Status.APPROVED, col(Publication.variant_id).is_(None))
            )
        )
    for variant_id in [*due, *unpublished]:
        with db.write() as session:
            # Locked first: another process sweeping the same row waits, then finds it moved.
            before = session.get(Publication, variant_id, with_for_update=True)
            variant = variants.get(session, variant_id or 0)
            state_before = before.state if before else None
            republish(session, variant)
            after = session.get(Publication, variant.id)
            if after is not None and after.state != state_before:
                audit.record(session, audit.SYSTEM, "variant.publish", "variant", variant.id or 0,
                             state_before=state_before, state_after=after.state,
                             detail={"reason": after.reason or "validity window"})  # fmt: skip
    return len(due) + len(unpublished)


def withhold(db: Database, brand: str, reason: str) -> int:
    """Stop serving a brand's copy without deciding anything about it (its rules no longer
    load, so nothing can say it still passes): each served or scheduled publication becomes a
    tombstone, and the brand is marked as checked under no rules, so its copy is re-checked,
    and served again if it passes, once they load. Returns how many were withheld."""
    with db.write() as session:
        rows = list(session.exec(
            select(Publication)
            .where(Publication.brand == brand,
                   col(Publication.state).in_([FeedState.APPROVED, FeedState.SCHEDULED]))
            .with_for_update()
        ))  # fmt: skip
        for row in rows:
            _tombstone(session, row, variants.get(session, row.variant_id), reason)
        brand_row = session.exec(select(Brand).where(Brand.slug == brand)).first()
        if brand_row is not None and brand_row.rules_version is not None:
            brand_row.rules_version = None
            session.add(brand_row)
            audit.record(session, audit.SYSTEM, "feed.withhold", "brand", brand,
                         detail={"reason": reason, "withheld": len(rows)})  # fmt: skip
    return len(rows)


def _wanted_state(variant: Variant) -> tuple[FeedState | None, str]:
    """What the feed should show, or None and why the copy may not be served."""
    if variant.status != Status.APPROVED:
        return None, f"it {_phrase(variant.status)}"
    if variant.flag_reason:
        return None, f"flagged for review: {variant.flag_reason}"
    now = utcnow()
    if variant.valid_until is not None and as_utc(variant.valid_until) <= now:
        return None, f"its approval expired at {iso_seconds(variant.valid_until)}"
    if variant.valid_from is not None and as_utc(variant.valid_from) > now:
        return FeedState.SCHEDULED, ""
    return FeedState.APPROVED, ""


def _phrase(status: str) -> str:
    return {
        Status.REVOKED: "was revoked",
        Status.IN_REVIEW: "changed since its approval and is back in review",
        Status.DRAFT: "is a draft again",
    }.get(Status(status), f"is {status.replace('_', ' ')}")


def _tombstone(session: Session, row: Publication, variant: Variant, reason: str) -> None:
    was_served = row.state == FeedState.APPROVED
    now = utcnow()
    row.seq, row.state, row.revoked_at, row.reason, row.updated_at = (
        _next_seq(session), FeedState.REVOKED, now, reason, now
    )  # fmt: skip
    session.add(row)
    session.flush()
    _store_documents(session, row.variant_id, _tombstone_documents(row))
    if was_served:
        event = EventType.FLAGGED if variant.flag_reason else EventType.REVOKED
        outbox.emit(session, event, brand=row.brand, variant_id=row.variant_id,
                    version=row.version)  # fmt: skip


def _tombstone_documents(row: Publication) -> dict[str, documents.Rendered]:
    return documents.tombstone(
        json.loads(row.resource), reason=row.reason, revoked_at=iso_seconds(row.revoked_at),
        updated_at=iso_seconds(row.updated_at),
    )  # fmt: skip


def _store_documents(
    session: Session, variant_id: int, rendered: dict[str, documents.Rendered]
) -> None:
    """Replace the publication's documents, one per rendering."""
    session.connection().execute(delete(FeedDocument).where(col(FeedDocument.variant_id)
                                                            == variant_id))  # fmt: skip
    session.add_all(
        FeedDocument(variant_id=variant_id, dialect=dialect, body=document.body,
                     etag=document.etag, untranslatable=document.untranslatable)
        for dialect, document in rendered.items()
    )  # fmt: skip
    session.flush()


def render_missing(db: Database) -> int:
    """Render the documents of publications that have none (published before documents were
    stored; see migration 0009). Nothing moves in the feed: the copy is what it was."""
    with db.read() as session:
        missing = list(session.exec(
            select(Publication.variant_id)
            .outerjoin(FeedDocument, (col(FeedDocument.variant_id) == Publication.variant_id)
                       & (col(FeedDocument.dialect) == documents.STUDIO))
            .where(col(FeedDocument.variant_id).is_(None))
        ))  # fmt: skip
    for variant_id in missing:
        with db.write() as session:
            row = session.get(Publication, variant_id)
            if row is None:
                continue
            if row.state == FeedState.REVOKED:
                rendered = _tombstone_documents(row)
            else:
                rendered = documents.approved(
                    json.loads(row.resource), packs.fallbacks(packs.brand_pack(row.brand))
                )
            _store_documents(session, variant_id, rendered)
    return len(missing)


def _next_seq(session: Session) -> int:
    """The next feed position; the row lock is held to commit, so seqs commit in order."""
    result = session.connection().execute(
        update(FeedHead).where(col(FeedHead.id) == 1).values(seq=col(FeedHead.seq) + 1)
        .returning(col(FeedHead.seq))
    )  # fmt: skip
    return int(result.scalar_one())


def _verified_rules(session: Session, variant: Variant) -> str:
    """The newest rules version this content passed under: the approval's, or a later rule
    recheck's (a recheck that failed it would have flagged or revoked it)."""
    newest = session.exec(
        select(CheckReport.rules_version)
        .where(CheckReport.variant_id == variant.id,
               CheckReport.version_number == variant.current_version)
        .order_by(col(CheckReport.id).desc())
    ).first()  # fmt: skip
    return newest or variant.approved_rules_version or ""


def _brand(session: Session, variant: Variant) -> str:
    brand = session.get(Brand, variant.brand_id)
    return brand.slug if brand else ""


def _resource(
    session: Session,
    variant: Variant,
    version: VariantVersion,
    brand: str,
    rules_version: str,
    now: Any,
) -> dict[str, Any]:
    brief = session.get(Brief, variant.brief_id) if variant.brief_id else None
    spec = brief.spec if brief else {}
    approver = session.get(User, variant.approved_by) if variant.approved_by else None
    return {
        "object": "variant", "id": variant.id, "name": variant.name, "brand": brand,
        "campaign": spec.get("campaign"), "channel": variant.channel, "status": "approved",
        "version": version.number, "locale": spec.get("locale", "en-US"),
        "fields": version.fields, "merge_variables": merge_variables(version.fields),
        "variant_group": variant.variant_group, "label": variant.label,
        "approved_by": approver.name if approver else None,
        "approved_at": iso_seconds(variant.approved_at),
        "valid_from": iso_seconds(variant.valid_from),
        "valid_until": iso_seconds(variant.valid_until),
        "content_hash": version.content_hash, "rules_version": rules_version,
        "updated_at": iso_seconds(now),
    }  # fmt: skip
