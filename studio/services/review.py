"""Writing and routing copy: create (checked at once), edit (a new immutable version), submit,
and the decisions that need only a comment: reject, request changes, revoke. Approval, with
its re-check, overrides and acknowledgements, is `approval`."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from guardrails import Variant as Copy
from studio.errors import InvalidInput
from studio.services import audit, packs, queries
from studio.services.deciding import (
    CLEARED_APPROVAL,
    Change,
    add_review,
    add_version,
    attempt_on_variant,
    check_content,
    check_version,
    clean_comment,
    decide_on,
)
from studio.services.policy import TO_STATE, Action, after_edit, require_role, require_state
from studio.services.schemas import VariantSummary
from studio.store import brands, variants
from studio.store.db import Database
from studio.store.models import Status, User, Variant, saved_id, utcnow

_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,119}$")


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


def create_variant(db: Database, *, actor: str, **new: Any) -> VariantSummary:
    """A new draft (version 1), checked at once so the copywriter sees its findings."""
    return create_variants(db, actor=actor, items=[NewVariant(**new)])[0]


def create_variants(
    db: Database,
    *,
    actor: str,
    items: list[NewVariant],
    also: Callable[[Session, list[Variant]], None] | None = None,
) -> list[VariantSummary]:
    """New drafts in one transaction (a drafting job saves what arrives together at once).

    `also` runs inside the same transaction: a job marks its items done there, so a crash
    cannot leave a saved variant its job does not know about.
    """
    compiled = {brand: packs.brand_pack(brand) for brand in {item.brand for item in items}}
    prepared = [(item, _prepare(item), compiled[item.brand]) for item in items]

    def body(session: Session, user: User) -> list[VariantSummary]:
        require_role(user, Action.CREATE)
        created = [_create(session, user, *entry) for entry in prepared]
        if also is not None:
            also(session, created)
        return [queries.summary(session, variant) for variant in created]

    return attempt_on_variant(db, actor, Action.CREATE, None, body)


def _prepare(item: NewVariant) -> Copy:
    """Validate before any transaction: bad copy or a bad name is an InvalidInput naming it."""
    copy = packs.as_copy(item.channel, item.fields)
    check_content(copy)
    if item.name is not None and not _NAME.fullmatch(item.name):
        raise InvalidInput(
            f"variant name {item.name!r}: use lowercase letters, digits and '-' (at most 120)"
        )
    return copy


def _create(
    session: Session, user: User, item: NewVariant, copy: Copy, pack: packs.CompiledPack
) -> Variant:
    brand_row = brands.ensure(session, item.brand, pack)
    slug = item.name or f"{item.brand}-{copy.channel.value}-{uuid.uuid4().hex[:10]}"
    if session.exec(select(Variant).where(Variant.name == slug)).first():
        raise InvalidInput(f"a variant named {slug!r} already exists")
    variant = Variant(
        name=slug,
        brand_id=saved_id(brand_row),
        brief_id=item.brief_id,
        channel=copy.channel.value,
        variant_group=item.variant_group,
        author_id=saved_id(user),
    )
    session.add(variant)
    session.flush()
    version = add_version(session, variant, 1, copy.fields, user, item.provenance)
    report, summary = check_version(session, variant, version, pack)
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
) -> VariantSummary:
    """A new immutable version; copy a reviewer has seen goes back to review."""

    def decide(session: Session, user: User, variant: Variant) -> Change:
        require_role(user, Action.EDIT)
        require_state(variant, Action.EDIT)
        copy = packs.as_copy(variant.channel, fields)
        check_content(copy)
        current = variants.current_version(session, variant)
        if packs.content_hash(variant.channel, copy.fields) == current.content_hash:
            raise InvalidInput(f"variant #{variant.id}: the copy is unchanged (version "
                               f"{current.number}); nothing to save")  # fmt: skip
        pack = packs.brand_pack(brands.slug_of(session, variant))
        version = add_version(session, variant, current.number + 1, copy.fields, user, provenance)
        report, summary = check_version(session, variant, version, pack)
        status = after_edit(variant.status)
        values: dict[str, Any] = {"current_version": version.number, "status": status, **summary}
        if status == Status.IN_REVIEW:
            values["submitted_at"] = utcnow()
        values.update(CLEARED_APPROVAL)
        return Change(values, {"version": version.number, "report": report.id,
                                "content_hash": version.content_hash})  # fmt: skip

    return decide_on(db, actor, Action.EDIT, variant_id, decide, expected_revision)


def apply_fix(
    db: Database,
    variant_id: int,
    *,
    actor: str,
    rule: str,
    field: str,
    start: int,
    expected_revision: int | None = None,
) -> VariantSummary:
    """Replace the words a finding of the current version points at with the rule's fix, as a
    new version (checked again, like any edit). The finding is named by rule, field and start,
    as the writer saw it; if the copy changed since, there is nothing to apply."""
    with db.read() as session:
        variant = variants.get(session, variant_id)
        version = variants.current_version(session, variant)
        findings = packs.stored_report(variants.latest_report(session, variant)).findings
    chosen = next((f for f in findings if (f.rule, f.field, f.start) == (rule, field, start)
                   and f.fix is not None), None)  # fmt: skip
    if chosen is None or chosen.fix is None:
        raise InvalidInput(f"variant #{variant_id}: no fix of {rule} at {field}:{start} in the "
                           "current version (it changed since; look again)")  # fmt: skip
    fields = _replaced(version.fields, field, chosen.start, chosen.end, chosen.fix)
    return edit(db, variant_id, actor=actor, fields=fields, expected_revision=expected_revision,
                provenance={"source": "fix", "rule": rule, "field": field})  # fmt: skip


def _replaced(fields: dict[str, Any], path: str, start: int, end: int, text: str) -> dict[str, Any]:
    """`fields` with `path` (`body`, or `headlines[2]` in a list field) spliced at start:end."""
    name, _, index = path.partition("[")
    out: dict[str, Any] = {key: list(value) if isinstance(value, list) else value
                           for key, value in fields.items()}  # fmt: skip
    items: list[str] = out[name] if index else [out[name]]
    i = int(index.rstrip("]")) if index else 0
    items[i] = items[i][:start] + text + items[i][end:]
    if not index:
        out[name] = items[0]
    return out


def submit_group(db: Database, group: str, *, actor: str) -> list[VariantSummary]:
    """Submit every draft of a variant group (drafts and copy sent back for changes) at once;
    each submission is its own decision, audited like a single one."""
    with db.read() as session:
        waiting = session.exec(
            select(Variant.id).where(
                Variant.variant_group == group,
                col(Variant.status).in_([Status.DRAFT, Status.CHANGES_REQUESTED]),
            )
        ).all()
    if not waiting:
        raise InvalidInput(f"variant group {group!r} has no drafts to submit", field="group")
    return [submit(db, variant_id, actor=actor) for variant_id in waiting if variant_id]


def submit(
    db: Database,
    variant_id: int,
    *,
    actor: str,
    comment: str | None = None,
    expected_revision: int | None = None,
) -> VariantSummary:
    comment = clean_comment(Action.SUBMIT, comment)

    def decide(session: Session, user: User, variant: Variant) -> Change:
        require_role(user, Action.SUBMIT)
        require_state(variant, Action.SUBMIT)
        add_review(session, variant, Action.SUBMIT, user, comment)
        return Change({"status": Status.IN_REVIEW, "submitted_at": utcnow()})

    return decide_on(db, actor, Action.SUBMIT, variant_id, decide, expected_revision, comment)


def reject(db: Database, variant_id: int, *, actor: str, comment: str,
           expected_revision: int | None = None) -> VariantSummary:  # fmt: skip
    return _simple_decision(db, Action.REJECT, variant_id, actor, comment, expected_revision)


def request_changes(db: Database, variant_id: int, *, actor: str, comment: str,
                    expected_revision: int | None = None) -> VariantSummary:  # fmt: skip
    return _simple_decision(
        db, Action.REQUEST_CHANGES, variant_id, actor, comment, expected_revision
    )


def revoke(db: Database, variant_id: int, *, actor: str, comment: str,
           expected_revision: int | None = None) -> VariantSummary:  # fmt: skip
    return _simple_decision(db, Action.REVOKE, variant_id, actor, comment, expected_revision)


def _simple_decision(
    db: Database,
    action: Action,
    variant_id: int,
    actor: str,
    comment: str,
    expected_revision: int | None,
) -> VariantSummary:
    cleaned = clean_comment(action, comment)

    def decide(session: Session, user: User, variant: Variant) -> Change:
        require_role(user, action)
        require_state(variant, action)
        add_review(session, variant, action, user, cleaned)
        values: dict[str, Any] = {"status": TO_STATE[action]}
        if action is Action.REVOKE:
            values.update(flag_reason=None, flagged_at=None)
        return Change(values)

    return decide_on(db, actor, action, variant_id, decide, expected_revision, cleaned)
