"""Reading and changing variant rows: the helpers every workflow step shares.

`land` is the only way a variant row changes after it is created: an UPDATE guarded by the
revision this transaction read, so a concurrent change turns into a `Conflict`, never a lost
update.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from studio.errors import Conflict, NotFound
from studio.store.models import MAX_ID, CheckReport, Variant, VariantVersion, status_phrase, utcnow


def land(session: Session, variant: Variant, values: dict[str, Any]) -> None:
    """Apply `values` only if the row is still at the revision this transaction read."""
    session.flush()
    read = variant.revision
    statement = (
        update(Variant)
        .where(col(Variant.id) == variant.id, col(Variant.revision) == read)
        .values(**values, revision=read + 1, updated_at=utcnow())
    )
    if session.connection().execute(statement).rowcount != 1:
        session.expire(variant)
        raise Conflict(changed_message(session, variant, read))
    session.refresh(variant)


def changed_message(session: Session, variant: Variant, read: int) -> str:
    session.refresh(variant)
    return (
        f"variant #{variant.id} changed while you were deciding (revision {read} -> "
        f"{variant.revision}; it now {status_phrase(variant.status)}). Reload it and "
        "decide again."
    )


def get(session: Session, variant_id: int) -> Variant:
    variant = session.get(Variant, variant_id) if 0 < variant_id <= MAX_ID else None
    if variant is None:
        raise NotFound(f"no variant #{variant_id}")
    return variant


def current_version(session: Session, variant: Variant) -> VariantVersion:
    return session.exec(
        select(VariantVersion).where(
            VariantVersion.variant_id == variant.id,
            VariantVersion.number == variant.current_version,
        )
    ).one()


def latest_report(session: Session, variant: Variant) -> CheckReport:
    return session.exec(
        select(CheckReport)
        .where(
            CheckReport.variant_id == variant.id,
            CheckReport.version_number == variant.current_version,
        )
        .order_by(col(CheckReport.id).desc())
    ).first()  # type: ignore[return-value]  # every version is checked when it is saved


def authors(session: Session, variant: Variant) -> set[int]:
    rows = session.exec(
        select(VariantVersion.created_by).where(VariantVersion.variant_id == variant.id)
    )
    return {variant.author_id, *rows}
