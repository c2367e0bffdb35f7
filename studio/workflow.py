"""The approval workflow: create, edit, submit, approve, reject, request changes, revoke.

Every action runs in one transaction with its audit event; a refused one is rolled back whole and
then audited as `denied` (naming the rule that refused it) in a transaction of its own. A decision
lands only on the revision of the variant it read (`UPDATE ... WHERE revision = :read`), so of two
reviewers deciding at once exactly one wins and the other gets a `Conflict`.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlmodel import Session, select

from guardrails import Finding, Report, Severity
from guardrails import Variant as Copy
from studio import audit, brands, checking, variants
from studio.acting import attempt
from studio.db import Database
from studio.errors import Conflict, InvalidInput, Refused
from studio.models import (
    MAX_ID,
    CheckReport,
    Override,
    Review,
    Status,
    User,
    Variant,
    VariantVersion,
    as_utc,
    utcnow,
)
from studio.models import Brief as BriefRow
from studio.policy import (
    COMMENT_REQUIRED,
    TO_STATE,
    Action,
    after_edit,
    require_justification,
    require_other_person,
    require_role,
    require_state,
)

T = TypeVar("T")
MAX_FIELD_CHARS = 100_000
MAX_COMMENT_CHARS = 5_000
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,119}$")


@dataclass
class _Change:
    """What an action does to a variant; `variants.land` applies it if no one got there first."""

    values: dict[str, Any] = field(default_factory=dict)
    detail: dict[str, Any] = field(default_factory=dict)


# --- actions ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewVariant:
    """What a new variant is made of; `create_variants` saves several in one transaction."""

    brand: str
    channel: str
    fields: dict[str, Any]
    name: str | None = None
    brief_id: int | None = None
    variant_group: str | None = None
    provenance: dict[str, Any] | None = None


def create_variant(db: Database, *, actor: str, **new: Any) -> Variant:
    """A new draft (version 1), checked at once so the copywriter sees its findings."""
    return create_variants(db, actor=actor, items=[NewVariant(**new)])[0]


def create_variants(
    db: Database,
    *,
    actor: str,
    items: list[NewVariant],
    also: Callable[[Session, list[Variant]], None] | None = None,
) -> list[Variant]:
    """New drafts in one transaction (a drafting job saves what arrives together at once).

    `also` runs inside the same transaction: a job marks its items done there, so a crash
    cannot leave a saved variant its job does not know about.
    """
    packs = {brand: checking.brand_pack(brand) for brand in {item.brand for item in items}}
    prepared = [(item, _prepare(item), packs[item.brand]) for item in items]

    def body(session: Session, user: User) -> list[Variant]:
        require_role(user, Action.CREATE)
        created = [_create(session, user, *entry) for entry in prepared]
        if also is not None:
            also(session, created)
        return created

    return _attempt(db, actor, Action.CREATE, None, body)


def _prepare(item: NewVariant) -> Copy:
    """Validate before any transaction: bad copy or a bad name is an InvalidInput naming it."""
    copy = checking.as_copy(item.channel, item.fields)
    _check_content(copy)
    if item.name is not None and not _NAME.fullmatch(item.name):
        raise InvalidInput(
            f"variant name {item.name!r}: use lowercase letters, digits and '-' (at most 120)"
        )
    return copy


def _create(
    session: Session, user: User, item: NewVariant, copy: Copy, pack: checking.CompiledPack
) -> Variant:
    brand_row = brands.ensure(session, item.brand, pack)
    slug = item.name or f"{item.brand}-{copy.channel.value}-{uuid.uuid4().hex[:10]}"
    if session.exec(select(Variant).where(Variant.name == slug)).first():
        raise InvalidInput(f"a variant named {slug!r} already exists")
    variant = Variant(
        name=slug,
        brand_id=brand_row.id,  # type: ignore[arg-type]
        brief_id=item.brief_id,
        channel=copy.channel.value,
        variant_group=item.variant_group,
        author_id=user.id,  # type: ignore[arg-type]
    )
    session.add(variant)
    session.flush()
    version = _add_version(session, variant, 1, copy.fields, user, item.provenance)
    report, summary = _check(session, variant, version, pack)
    for key, value in summary.items():
        setattr(variant, key, value)  # flushed by the audit append below
    audit.record(
        session, user.name, "variant.create", "variant", variant.id or 0,
        state_after=variant.status,
        detail={"brand": item.brand, "channel": copy.channel.value, "version": 1,
                "report": report.id, "content_hash": version.content_hash},
    )  # fmt: skip
    return variant


def edit(
    db: Database,
    variant_id: int,
    *,
    actor: str,
    fields: dict[str, Any],
    provenance: dict[str, Any] | None = None,
    expected_revision: int | None = None,
) -> Variant:
    """A new immutable version; copy a reviewer has seen goes back to review."""

    def decide(session: Session, user: User, variant: Variant) -> _Change:
        require_role(user, Action.EDIT)
        require_state(variant, Action.EDIT)
        copy = checking.as_copy(variant.channel, fields)
        _check_content(copy)
        current = variants.current_version(session, variant)
        if checking.content_hash(variant.channel, copy.fields) == current.content_hash:
            raise InvalidInput(f"variant #{variant.id}: the copy is unchanged (version "
                               f"{current.number}); nothing to save")  # fmt: skip
        pack = checking.brand_pack(brands.slug_of(session, variant))
        version = _add_version(session, variant, current.number + 1, copy.fields, user, provenance)
        report, summary = _check(session, variant, version, pack)
        status = after_edit(variant.status)
        values: dict[str, Any] = {"current_version": version.number, "status": status, **summary}
        if status == Status.IN_REVIEW:
            values["submitted_at"] = utcnow()
        values.update(_CLEARED_APPROVAL)
        return _Change(values, {"version": version.number, "report": report.id,
                                "content_hash": version.content_hash})  # fmt: skip

    return _decide(db, actor, Action.EDIT, variant_id, decide, expected_revision)


def submit(
    db: Database,
    variant_id: int,
    *,
    actor: str,
    comment: str | None = None,
    expected_revision: int | None = None,
) -> Variant:
    comment = _clean_comment(Action.SUBMIT, comment)

    def decide(session: Session, user: User, variant: Variant) -> _Change:
        require_role(user, Action.SUBMIT)
        require_state(variant, Action.SUBMIT)
        _add_review(session, variant, Action.SUBMIT, user, comment)
        return _Change({"status": Status.IN_REVIEW, "submitted_at": utcnow()})

    return _decide(db, actor, Action.SUBMIT, variant_id, decide, expected_revision, comment)


def reject(db: Database, variant_id: int, *, actor: str, comment: str,
           expected_revision: int | None = None) -> Variant:  # fmt: skip
    return _simple_decision(db, Action.REJECT, variant_id, actor, comment, expected_revision)


def request_changes(db: Database, variant_id: int, *, actor: str, comment: str,
                    expected_revision: int | None = None) -> Variant:  # fmt: skip
    return _simple_decision(
        db, Action.REQUEST_CHANGES, variant_id, actor, comment, expected_revision
    )


def revoke(db: Database, variant_id: int, *, actor: str, comment: str,
           expected_revision: int | None = None) -> Variant:  # fmt: skip
    return _simple_decision(db, Action.REVOKE, variant_id, actor, comment, expected_revision)


def _simple_decision(
    db: Database,
    action: Action,
    variant_id: int,
    actor: str,
    comment: str,
    expected_revision: int | None,
) -> Variant:
    cleaned = _clean_comment(action, comment)

    def decide(session: Session, user: User, variant: Variant) -> _Change:
        require_role(user, action)
        require_state(variant, action)
        _add_review(session, variant, action, user, cleaned)
        values: dict[str, Any] = {"status": TO_STATE[action]}
        if action is Action.REVOKE:
            values.update(flag_reason=None, flagged_at=None)
        return _Change(values)

    return _decide(db, actor, action, variant_id, decide, expected_revision, cleaned)


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
) -> Variant:
    """Approve the current version as the reviewer saw it, bound to its hash and rules version.

    `seen_report_id` is the check report the reviewer looked at (default: the newest stored one).
    The copy is re-checked under the rules as they are now first; if the copy or the rules differ
    from what the reviewer saw, the approval is refused and the fresh report is kept for them.
    Every error finding needs an override with a justification, and every warning must be
    acknowledged by its rule id in `acknowledged` (or all at once with `acknowledge_all`).
    An approval of copy drafted from a brief is valid until the brief's offer ends at the latest.
    """
    _check_validity(valid_from, valid_until)
    comment = _clean_comment(Action.APPROVE, comment)
    overrides = overrides or {}
    previous, pack = _refresh_report(db, variant_id)
    seen = seen_report_id or previous

    def decide(session: Session, user: User, variant: Variant) -> _Change:
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
        report = checking.stored_report(latest)
        review = _add_review(session, variant, Action.APPROVE, user, comment, latest, version)
        covered = _apply_overrides(session, review, report, overrides, user)
        warnings = _acknowledge_warnings(report, acknowledged, acknowledge_all)
        now = utcnow()
        return _Change(
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

    return _decide(db, actor, Action.APPROVE, variant_id, decide, expected_revision, comment)


def _refresh_report(db: Database, variant_id: int) -> tuple[int, checking.CompiledPack]:
    """Re-check the current version now; store a new report if the outcome or rules differ.

    Returns the report that was newest *before*, so an approval based on it is refused when the
    rules (or the date: a claim may have expired) have since changed the outcome, and the pack
    the approval binds to.
    """
    with db.read() as session:
        variant = variants.get(session, variant_id)
        previous = variants.latest_report(session, variant)
        version = variants.current_version(session, variant)
        pack = checking.brand_pack(brands.slug_of(session, variant))
    fresh = pack.check(checking.as_copy(variant.channel, version.fields))
    if previous.rules_version != pack.version or fresh.model_dump(mode="json") != previous.report:
        _store_recheck(db, variant_id, pack, (version.number, fresh))
    return previous.id or 0, pack


def _store_recheck(
    db: Database,
    variant_id: int,
    pack: checking.CompiledPack,
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
        report, summary = _check(session, variant, version, pack, known)
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
                review_id=review.id,  # type: ignore[arg-type]
                variant_id=review.variant_id,
                version_number=review.version_number,
                rule=finding.rule,
                field=finding.field,
                start=finding.start,
                end=finding.end,
                text=finding.text,
                justification=why,
                actor_id=user.id,  # type: ignore[arg-type]
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


# --- the transaction frame ----------------------------------------------------------------


def _attempt(
    db: Database,
    actor: str,
    action: Action,
    variant_id: int | None,
    body: Callable[[Session, User], T],
) -> T:
    def state_of(session: Session) -> str | None:
        variant = session.get(Variant, variant_id) if variant_id is not None else None
        return variant.status if variant else None

    target = ("variant", variant_id if variant_id is not None else "-")
    return attempt(db, actor, f"variant.{action.value}", target, body, state_of)


def _decide(
    db: Database,
    actor: str,
    action: Action,
    variant_id: int,
    decide: Callable[[Session, User, Variant], _Change],
    expected_revision: int | None,
    comment: str | None = None,
) -> Variant:
    def body(session: Session, user: User) -> Variant:
        variant = variants.get(session, variant_id)
        if expected_revision is not None and variant.revision != expected_revision:
            raise Conflict(variants.changed_message(session, variant, expected_revision))
        before = variant.status
        change = decide(session, user, variant)
        change.values.setdefault("status", before)
        variants.land(session, variant, change.values)
        if comment:
            change.detail["comment"] = comment
        audit.record(session, user.name, f"variant.{action.value}", "variant", variant_id,
                     state_before=before, state_after=variant.status,
                     detail=change.detail)  # fmt: skip
        return variant

    return _attempt(db, actor, action, variant_id, body)


# --- helpers ------------------------------------------------------------------------------

_CLEARED_APPROVAL: dict[str, Any] = {
    "approved_version": None,
    "approved_content_hash": None,
    "approved_rules_version": None,
    "approved_by": None,
    "approved_at": None,
    "valid_from": None,
    "valid_until": None,
    "flag_reason": None,
    "flagged_at": None,
}


def _add_version(
    session: Session,
    variant: Variant,
    number: int,
    fields: dict[str, Any],
    user: User,
    provenance: dict[str, Any] | None,
) -> VariantVersion:
    version = VariantVersion(
        variant_id=variant.id,  # type: ignore[arg-type]
        number=number,
        fields=fields,
        content_hash=checking.content_hash(variant.channel, fields),
        provenance=provenance or {"source": "manual", "by": user.name},
        created_by=user.id,  # type: ignore[arg-type]
    )
    session.add(version)  # flushed with the report that follows
    return version


def _check(
    session: Session,
    variant: Variant,
    version: VariantVersion,
    pack: checking.CompiledPack,
    known: Report | None = None,
) -> tuple[CheckReport, dict[str, Any]]:
    report = checking.store_report(session, variant, version, pack, known)
    return report, checking.summary_of(report)


def _add_review(
    session: Session,
    variant: Variant,
    action: Action,
    user: User,
    comment: str | None,
    report: CheckReport | None = None,
    version: VariantVersion | None = None,
) -> Review:
    version = version or variants.current_version(session, variant)
    review = Review(
        variant_id=variant.id,  # type: ignore[arg-type]
        version_number=version.number,
        action=action.value,
        actor_id=user.id,
        comment=comment,
        content_hash=version.content_hash,
        rules_version=report.rules_version if report else None,
        report_id=report.id if report else None,
        provenance=version.provenance if report else None,
    )
    session.add(review)
    session.flush()
    return review


def _clean_comment(action: Action, comment: str | None) -> str | None:
    text = (comment or "").strip()
    if len(text) > MAX_COMMENT_CHARS:
        raise InvalidInput(f"the comment is {len(text)} characters; at most "
                           f"{MAX_COMMENT_CHARS} are kept")  # fmt: skip
    if action in COMMENT_REQUIRED and not text:
        raise InvalidInput(f"{action.value} needs a comment saying why (--comment TEXT)")
    return text or None


def _check_content(copy: Copy) -> None:
    """Copy with no text at all is not a draft; a field beyond the size limit is refused."""
    if not copy.has_text():
        raise InvalidInput(f"the {copy.channel.value} copy has no text at all: nothing to save")
    for name, value in copy.fields.items():
        texts = value if isinstance(value, list) else [value]
        if sum(len(text) for text in texts) > MAX_FIELD_CHARS:
            raise InvalidInput(f"field {name!r} is longer than {MAX_FIELD_CHARS:,} characters")


def _check_validity(valid_from: dt.datetime | None, valid_until: dt.datetime | None) -> None:
    if valid_until is None:
        return
    if valid_from is not None and as_utc(valid_until) <= as_utc(valid_from):
        raise InvalidInput("valid_until must be after valid_from")
    if as_utc(valid_until) <= utcnow():
        raise InvalidInput("valid_until is in the past: the approval would be expired already")
