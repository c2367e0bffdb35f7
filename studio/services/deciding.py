"""The frame every workflow action runs in, and the rows they all write.

An action runs in one transaction with its audit event; a refused one is rolled back whole and
then audited as `denied` (naming the rule that refused it) in a transaction of its own. A decision
lands only on the revision of the variant it read (`UPDATE ... WHERE revision = :read`), so of two
reviewers deciding at once exactly one wins and the other gets a `Conflict`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlmodel import Session

from guardrails import Report
from guardrails import Variant as Copy
from guardrails.content import lone_surrogate
from studio.errors import Conflict, InvalidInput
from studio.services import audit, packs, publishing, queries
from studio.services.acting import attempt
from studio.services.policy import COMMENT_REQUIRED, Action
from studio.services.schemas import VariantSummary
from studio.store import variants
from studio.store.db import Database
from studio.store.models import CheckReport, Review, User, Variant, VariantVersion, saved_id

T = TypeVar("T")
MAX_FIELD_CHARS = 100_000
MAX_COMMENT_CHARS = 5_000


@dataclass
class Change:
    """What an action does to a variant; `variants.land` applies it if no one got there first."""

    values: dict[str, Any] = field(default_factory=dict)
    detail: dict[str, Any] = field(default_factory=dict)


def attempt_on_variant(
    db: Database,
    actor: str,
    action: Action,
    variant_id: int | None,
    body: Callable[[Session, User], T],
) -> T:
    """Run `body` as `actor`, audited as `variant.<action>`; a refusal records the state the
    variant was in."""

    def state_of(session: Session) -> str | None:
        variant = session.get(Variant, variant_id) if variant_id is not None else None
        return variant.status if variant else None

    target = ("variant", variant_id if variant_id is not None else "-")
    return attempt(db, actor, f"variant.{action.value}", target, body, state_of)


def decide_on(
    db: Database,
    actor: str,
    action: Action,
    variant_id: int,
    decide: Callable[[Session, User, Variant], Change],
    expected_revision: int | None,
    comment: str | None = None,
) -> VariantSummary:
    """Read the variant, let `decide` say what changes, land it at the revision read (or
    conflict), and record the event; returns the variant as it now is."""

    def body(session: Session, user: User) -> VariantSummary:
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
        publishing.republish(session, variant)
        return queries.summary(session, variant)

    return attempt_on_variant(db, actor, action, variant_id, body)


CLEARED_APPROVAL: dict[str, Any] = {
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


def add_version(
    session: Session,
    variant: Variant,
    number: int,
    fields: dict[str, Any],
    user: User,
    provenance: dict[str, Any] | None,
) -> VariantVersion:
    version = VariantVersion(
        variant_id=saved_id(variant),
        number=number,
        fields=fields,
        content_hash=packs.content_hash(variant.channel, fields),
        provenance=provenance or {"source": "manual", "by": user.name},
        created_by=saved_id(user),
    )
    session.add(version)  # flushed with the report that follows
    return version


def check_version(
    session: Session,
    variant: Variant,
    version: VariantVersion,
    pack: packs.CompiledPack,
    known: Report | None = None,
) -> tuple[CheckReport, dict[str, Any]]:
    report = packs.store_report(session, variant, version, pack, known)
    return report, packs.summary_of(report)


def add_review(
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
        variant_id=saved_id(variant),
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


def clean_comment(action: Action, comment: str | None) -> str | None:
    text = (comment or "").strip()
    broken = lone_surrogate(text)
    if broken is not None:
        raise InvalidInput(f"the comment is not valid Unicode text (a lone surrogate at "
                           f"character {broken + 1})", field="comment")  # fmt: skip
    if len(text) > MAX_COMMENT_CHARS:
        raise InvalidInput(f"the comment is {len(text)} characters; at most "
                           f"{MAX_COMMENT_CHARS} are kept")  # fmt: skip
    if action in COMMENT_REQUIRED and not text:
        raise InvalidInput(f"{action.value} needs a comment saying why", field="comment")
    return text or None


def check_content(copy: Copy) -> None:
    """Copy with no text at all is not a draft; a field beyond the size limit is refused."""
    if not copy.has_text():
        raise InvalidInput(f"the {copy.channel.value} copy has no text at all: nothing to save")
    for name, value in copy.fields.items():
        texts = value if isinstance(value, list) else [value]
        if sum(len(text) for text in texts) > MAX_FIELD_CHARS:
            raise InvalidInput(f"field {name!r} is longer than {MAX_FIELD_CHARS:,} characters")
