"""Rules changed -> re-check approved copy: flag it for review, or revoke it if the pack says so.

A failure is an error finding the approval did not override (same rule, field and words). What
happens next is the pack's `on_rule_change` policy: `flag` keeps the copy approved but puts it in
front of a reviewer; `revoke` withdraws it. Either way the system records an audit event.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from guardrails import CompiledPack, RecheckPolicy, Report, Severity
from studio.services import audit, packs, publishing
from studio.services.acting import authorize
from studio.services.policy import Action
from studio.store import variants
from studio.store.db import Database
from studio.store.models import Brand, Override, Review, Status, Variant, saved_id, utcnow

_EVENT = {"flagged": "variant.flag", "revoked": "variant.revoke"}


@dataclass(frozen=True)
class RecheckOutcome:
    variant_id: int
    name: str
    brand: str
    result: str  # passed | flagged | revoked
    failing: list[str]  # "RULE at field "words"" for each new failure


def recheck_approved(
    db: Database,
    *,
    actor: str | None,
    brand: str | None = None,
    only_if_rules_changed: bool = False,
) -> list[RecheckOutcome]:
    """Re-check every approved variant (of one brand, or all) under the brand's current pack.

    `actor` is the reviewer or admin who asked; None is the studio itself (at start, with
    `only_if_rules_changed`: brands whose pack version is the one last rechecked against are
    skipped). The flags and revocations are the system's, naming who asked.
    """
    if brand:
        packs.brand_pack(brand)  # a brand is a pack: a name that cannot be one is said so
    if actor is not None:
        authorize(db, actor, Action.RECHECK, ("brand", brand or "*"))
    with db.read() as session:
        statement = select(Brand).order_by(col(Brand.slug))
        if brand:
            statement = statement.where(Brand.slug == brand)
        brand_rows = list(session.exec(statement))
    outcomes: list[RecheckOutcome] = []
    for row in brand_rows:
        pack = packs.brand_pack(row.slug)
        if only_if_rules_changed and row.rules_version == pack.version:
            continue
        with db.read() as session:
            ids = list(
                session.exec(
                    select(Variant.id)
                    .where(Variant.brand_id == row.id, Variant.status == Status.APPROVED)
                    .order_by(col(Variant.id))
                )
            )
        brand_outcomes = [_recheck_one(db, variant_id, row.slug, pack) for variant_id in ids]
        outcomes.extend(o for o in brand_outcomes if o is not None)
        _record_brand(db, row.slug, pack, brand_outcomes, actor)
    return outcomes


def _recheck_one(
    db: Database, variant_id: int | None, slug: str, pack: CompiledPack
) -> RecheckOutcome | None:
    with db.write() as session:
        variant = variants.get(session, variant_id or 0)
        if variant.status != Status.APPROVED:
            return None  # decided by someone since we listed it
        version = variants.current_version(session, variant)
        stored = packs.store_report(session, variant, version, pack)
        failing = _new_failures(session, variant, packs.stored_report(stored))
        values: dict[str, Any] = dict(packs.summary_of(stored))
        result = "passed"
        if failing:
            reason = f"under rules {pack.version}: " + "; ".join(failing)
            if pack.pack.on_rule_change is RecheckPolicy.REVOKE:
                result = "revoked"
                values.update(status=Status.REVOKED, flag_reason=None, flagged_at=None)
                session.add(
                    Review(
                        variant_id=saved_id(variant),
                        version_number=version.number,
                        action="revoke",
                        comment=f"Revoked by the rules recheck {reason}",
                        content_hash=version.content_hash,
                        rules_version=pack.version,
                        report_id=stored.id,
                    )
                )
            else:
                result = "flagged"
                values.update(flag_reason=f"Fails {reason}", flagged_at=utcnow())
        before = variant.status
        variants.land(session, variant, values)
        if failing:
            audit.record(session, audit.SYSTEM, _EVENT[result], "variant", variant.id
                         or 0, state_before=before, state_after=variant.status,
                         detail={"rule": "on_rule_change", "policy": pack.pack.on_rule_change,
                                 "rules_version": pack.version, "report": stored.id,
                                 "failing": failing})  # fmt: skip
        publishing.republish(session, variant)
        return RecheckOutcome(variant.id or 0, variant.name, slug, result, failing)


def _new_failures(session: Session, variant: Variant, report: Report) -> list[str]:
    """Error findings the approval's overrides do not cover (same rule, field and words)."""
    approval = session.exec(
        select(Review)
        .where(Review.variant_id == variant.id, Review.action == "approve")
        .order_by(col(Review.id).desc())
    ).first()
    covered = set()
    if approval is not None:
        for override in session.exec(select(Override).where(Override.review_id == approval.id)):
            covered.add((override.rule, override.field, override.text))
    return [
        f'{f.rule} at {f.field} "{f.text}"'
        for f in report.findings
        if f.severity is Severity.ERROR and (f.rule, f.field, f.text) not in covered
    ]


def _record_brand(
    db: Database,
    slug: str,
    pack: CompiledPack,
    outcomes: list[RecheckOutcome | None],
    actor: str | None,
) -> None:
    counts = {"passed": 0, "flagged": 0, "revoked": 0}
    for outcome in outcomes:
        if outcome is not None:
            counts[outcome.result] += 1
    with db.write() as session:
        row = session.exec(select(Brand).where(Brand.slug == slug)).one()
        before = row.rules_version
        row.rules_version = pack.version
        session.add(row)
        detail = {"rules_before": before, "rules_after": pack.version,
                  "requested_by": actor or "startup", **counts}  # fmt: skip
        audit.record(session, audit.SYSTEM, "rules.recheck", "brand", slug, detail=detail)
