"""Approving copy: the current version as the reviewer saw it, re-checked under the rules as
they are now, bound to its content hash and rules version, with every error finding overridden
(a written justification each) and every warning acknowledged, within the brief's offer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from guardrails import Finding, Report, Severity
from studio.errors import InvalidInput, Refused, StudioError
from studio.services import audit, packs, queries
from studio.services.deciding import Change, add_review, check_version, clean_comment, decide_on
from studio.services.policy import (
    Action,
    require_justification,
    require_other_person,
    require_role,
    require_state,
)
from studio.services.schemas import VariantSummary
from studio.store import brands, variants
from studio.store.db import Database
from studio.store.models import (
    MAX_ID,
    CheckReport,
    Override,
    Review,
    Status,
    User,
    Variant,
    as_utc,
    saved_id,
    utcnow,
)
from studio.store.models import Brief as BriefRow


def approve(
    db: Database,
    variant_id: int,
    *,
    actor: str,
    overrides: dict[str, str] | None = None,
    acknowledged: Collection[str] = frozenset(),
    acknowledge_all: bool = False,
    seen_report_id: int | None = None,
    comment: str | None = None,
    valid_from: dt.datetime | None = None,
    valid_until: dt.datetime | None = None,
    expected_revision: int | None = None,
) -> VariantSummary:
    """Approve the current version as the reviewer saw it, bound to its hash and rules version.

    `seen_report_id` is the check report the reviewer looked at (default: the newest stored one).
    The copy is re-checked under the rules as they are now first; if the copy or the rules differ
    from what the reviewer saw, the approval is refused and the fresh report is kept for them.
    Every error finding needs an override with a justification, and every warning must be
    acknowledged by its rule id in `acknowledged` (or all at once with `acknowledge_all`).
    An approval of copy drafted from a brief is valid until the brief's offer ends at the latest.
    """
    _check_validity(valid_from, valid_until)
    comment = clean_comment(Action.APPROVE, comment)
    overrides = overrides or {}
    previous, pack = _refresh_report(db, variant_id)
    seen = seen_report_id or previous

    def decide(session: Session, user: User, variant: Variant) -> Change:
        require_role(user, Action.APPROVE)
        require_state(variant, Action.APPROVE)
        version = variants.current_version(session, variant)
        require_other_person(user, variants.authors(session, variant), variant)
        until = _within_offer(session, variant, valid_until)
        latest = variants.latest_report(session, variant)
        if latest.rules_version != pack.version:  # someone re-checked under other rules meanwhile
            raise Refused("stale-rules", "the brand's rules changed while you were approving; "
                          "review the new check and approve again")  # fmt: skip
        _require_seen_is_current(session, variant, seen, latest)
        report = packs.stored_report(latest)
        review = add_review(session, variant, Action.APPROVE, user, comment, latest, version)
        covered = _apply_overrides(session, review, report, overrides, user)
        warnings = _acknowledge_warnings(report, acknowledged, acknowledge_all)
        now = utcnow()
        return Change(
            {
                "status": Status.APPROVED,
                "approved_version": version.number,
                "approved_content_hash": version.content_hash,
                "approved_rules_version": latest.rules_version,
                "approved_by": user.id,
                "approved_at": now,
                "valid_from": valid_from,
                "valid_until": until,
                "flag_reason": None,
                "flagged_at": None,
            },
            {
                "version": version.number,
                "content_hash": version.content_hash,
                "rules_version": latest.rules_version,
                "report": latest.id,
                "provenance": version.provenance,
                "overrides": covered,
                "warnings_acknowledged": warnings,
                "acknowledged_all": acknowledge_all,
                "valid_from": valid_from.isoformat() if valid_from else None,
                "valid_until": until.isoformat() if until else None,
            },
        )

    return decide_on(db, actor, Action.APPROVE, variant_id, decide, expected_revision, comment)


@dataclass(frozen=True)
class BulkApproval:
    approved: list[VariantSummary]
    left: dict[int, str]  # variant id -> why it stays in the queue


def approve_clean(db: Database, seen: dict[int, int], *, actor: str) -> BulkApproval:
    """Approve each variant the reviewer saw (id -> revision) that has no finding at all, one
    decision each, under the rules as they are now: a variant whose copy or rules changed since
    (and so may have findings now), or that this reviewer may not approve (their own copy), is
    left in the queue with the reason."""
    approved: list[VariantSummary] = []
    left: dict[int, str] = {}
    for variant_id, revision in seen.items():
        try:
            report = queries.variant_detail(db, actor, variant_id).report
            if report.findings:
                left[variant_id] = (f"it has {len(report.findings)} finding(s), suggestions "
                                    "included: decide on it on its own")  # fmt: skip
                continue
            approved.append(approve(db, variant_id, actor=actor, seen_report_id=report.id,
                                    expected_revision=revision,
                                    comment="approved in bulk: no findings"))  # fmt: skip
        except StudioError as exc:
            left[variant_id] = exc.message
    return BulkApproval(approved, left)


def _refresh_report(db: Database, variant_id: int) -> tuple[int, packs.CompiledPack]:
    """Re-check the current version now; store a new report if the outcome or rules differ.

    Returns the report that was newest *before*, so an approval based on it is refused when the
    rules (or the date: a claim may have expired) have since changed the outcome, and the pack
    the approval binds to.
    """
    with db.read() as session:
        variant = variants.get(session, variant_id)
        previous = variants.latest_report(session, variant)
        version = variants.current_version(session, variant)
        pack = packs.brand_pack(brands.slug_of(session, variant))
    fresh = packs.check(pack, packs.as_copy(variant.channel, version.fields))
    if previous.rules_version != pack.version or fresh.model_dump(mode="json") != previous.report:
        _store_recheck(db, variant_id, pack, (version.number, fresh))
    return previous.id or 0, pack


def _store_recheck(
    db: Database,
    variant_id: int,
    pack: packs.CompiledPack,
    checked: tuple[int, Report],
) -> None:
    """Store a fresh report of the current version under `pack`; audited as the system's.

    `checked` is the report just computed for a version number; it is reused unless someone
    saved a newer version in between.
    """
    with db.write() as session:
        variant = variants.get(session, variant_id)
        version = variants.current_version(session, variant)
        number, fresh = checked
        known = fresh if number == version.number else None
        report, summary = check_version(session, variant, version, pack, known)
        variants.land(session, variant, summary)
        audit.record(session, audit.SYSTEM, "variant.recheck", "variant", variant_id,
                     state_before=variant.status, state_after=variant.status,
                     detail={"report": report.id, "rules_version": pack.version,
                             "version": version.number})  # fmt: skip


def _require_seen_is_current(
    session: Session, variant: Variant, seen_id: int, latest: CheckReport
) -> None:
    if seen_id == latest.id:
        return
    seen = session.get(CheckReport, seen_id) if 0 < seen_id <= MAX_ID else None
    if seen is None or seen.variant_id != variant.id:
        raise Refused("unknown-report", f"report #{seen_id} is not a report of variant "
                      f"#{variant.id}; the newest is #{latest.id}")  # fmt: skip
    if seen.version_number != latest.version_number:
        raise Refused(
            "stale-content",
            f"the copy changed since you looked: report #{seen.id} is of version "
            f"{seen.version_number}, the current version is {latest.version_number}. Review "
            f"version {latest.version_number} (report #{latest.id}) and approve again.",
        )
    if seen.rules_version != latest.rules_version:
        raise Refused(
            "stale-rules",
            f"the rules changed since you looked: report #{seen.id} was made under rules "
            f"{seen.rules_version}, the brand's rules are now {latest.rules_version}. The copy "
            f"was re-checked as report #{latest.id} ({latest.verdict}); review it and approve "
            "again.",
        )
    raise Refused(
        "stale-report",
        f"the check result changed since you looked (report #{seen.id} -> #{latest.id}, same "
        "rules: an approved claim may have expired). Review report "
        f"#{latest.id} ({latest.verdict}) and approve again.",
    )


def _apply_overrides(
    session: Session, review: Review, report: Report, overrides: dict[str, str], user: User
) -> list[dict[str, Any]]:
    """Every error finding must be overridden by rule id with a justification; records each."""
    errors = [f for f in report.findings if f.severity is Severity.ERROR]
    error_rules = {f.rule for f in errors}
    for rule_id in overrides:
        if rule_id not in error_rules:
            present = ", ".join(sorted(error_rules)) or "none"
            raise Refused(
                "override-unknown",
                f"cannot override {rule_id}: the copy has no error finding of that rule "
                f"(error findings: {present})",
            )
    blocking = [f for f in errors if f.rule not in overrides]
    if blocking:
        raise Refused(
            "blocking-finding",
            f"{len(blocking)} error finding(s) block approval: {_listed(blocking)}. Fix the "
            "copy, or override each rule with a written justification.",
        )
    covered = []
    for finding in errors:
        why = require_justification(finding.rule, overrides[finding.rule])
        session.add(
            Override(
                review_id=saved_id(review),
                variant_id=review.variant_id,
                version_number=review.version_number,
                rule=finding.rule,
                field=finding.field,
                start=finding.start,
                end=finding.end,
                text=finding.text,
                justification=why,
                actor_id=saved_id(user),
            )
        )
        covered.append({"rule": finding.rule, "field": finding.field, "text": finding.text,
                        "justification": why})  # fmt: skip
    return covered


def _acknowledge_warnings(
    report: Report, acknowledged: Collection[str], acknowledge_all: bool
) -> list[dict[str, Any]]:
    """Every warning must be acknowledged by rule id (or all at once); lists each for the log."""
    warnings = [f for f in report.findings if f.severity is Severity.WARNING]
    warning_rules = {f.rule for f in warnings}
    unknown = sorted(set(acknowledged) - warning_rules)
    if unknown:
        present = ", ".join(sorted(warning_rules)) or "none"
        raise Refused("acknowledge-unknown", f"cannot acknowledge {', '.join(unknown)}: the "
                      f"copy has no warning of that rule (warnings: {present})")  # fmt: skip
    pending = [] if acknowledge_all else [f for f in warnings if f.rule not in acknowledged]
    if pending:
        raise Refused(
            "warnings-unacknowledged",
            f"{len(pending)} warning(s) must be acknowledged before approval: "
            f"{_listed(pending)}. Acknowledge each rule you accept, or all warnings at once.",
        )
    return [{"rule": f.rule, "field": f.field, "text": f.text, "message": f.message}
            for f in warnings]  # fmt: skip


def _listed(findings: list[Finding], shown: int = 5) -> str:
    """`RULE at field "words"` for the first few findings, and how many more there are."""
    listed = "; ".join(f'{f.rule} at {f.field} "{f.text}"' for f in findings[:shown])
    more = len(findings) - shown
    return listed + (f" and {more} more" if more > 0 else "")


def _within_offer(
    session: Session, variant: Variant, valid_until: dt.datetime | None
) -> dt.datetime | None:
    """Copy drafted for an offer is approvable only while the offer runs, and its approval
    ends with the offer (the end of its last day, UTC) unless it ends sooner."""
    brief = session.get(BriefRow, variant.brief_id) if variant.brief_id else None
    if brief is None or brief.offer_ends is None:
        return valid_until
    today = utcnow().date()
    if brief.offer_ends < today:
        raise Refused("offer-ended", f"the offer of brief #{brief.id} ({brief.title}) ended on "
                      f"{brief.offer_ends.isoformat()}; copy for an ended offer cannot be "
                      "approved")  # fmt: skip
    offer_close = dt.datetime.combine(brief.offer_ends, dt.time.max, tzinfo=dt.UTC)
    if valid_until is not None and as_utc(valid_until) > offer_close:
        raise InvalidInput(f"valid_until {as_utc(valid_until).isoformat()} is after the "
                           f"brief's offer ends ({brief.offer_ends.isoformat()})")  # fmt: skip
    return valid_until or offer_close


def _check_validity(valid_from: dt.datetime | None, valid_until: dt.datetime | None) -> None:
    if valid_until is None:
        return
    if valid_from is not None and as_utc(valid_until) <= as_utc(valid_from):
        raise InvalidInput("valid_until must be after valid_from")
    if as_utc(valid_until) <= utcnow():
        raise InvalidInput("valid_until is in the past: the approval would be expired already")
