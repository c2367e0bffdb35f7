"""Rules change -> approved copy is re-checked: flagged for review, or revoked where the pack's
policy says so, each with an audit event; unchanged rules and overridden findings pass."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import col, select

from studio.services import approval, queries, recheck, review
from studio.store.db import Database
from studio.store.models import AuditEvent, Status, Variant
from tests.conftest import ban_term
from tests.helpers.variants import CLEAN, CURE, JUSTIFIED, in_review

PENNYWISE = "Pennywise: set a savings goal in the app today. Reply STOP to opt out"


def approved(db: Database, brand: str, body: str, **kwargs: object) -> int:
    variant = review.create_variant(
        db, actor="wendy", brand=brand, channel="sms", fields={"body": body}
    )
    review.submit(db, variant.id or 0, actor="wendy")
    approval.approve(db, variant.id or 0, actor="rita", **kwargs)  # type: ignore[arg-type]
    return variant.id or 0


def events(db: Database, action: str) -> list[AuditEvent]:
    with db.read() as session:
        statement = select(AuditEvent).where(AuditEvent.action == action)
        return list(session.exec(statement.order_by(col(AuditEvent.seq))))


def test_unchanged_rules_pass_and_nothing_is_flagged(db: Database, rules_dir: Path) -> None:
    vid = approved(db, "brightleaf", CLEAN)
    outcomes = recheck.recheck_approved(db, actor=None)
    assert [(o.variant_id, o.result) for o in outcomes] == [(vid, "passed")]
    assert recheck.recheck_approved(db, actor=None, only_if_rules_changed=True) == []


def test_a_new_rule_flags_approved_copy_under_the_flag_policy(
    db: Database, rules_dir: Path
) -> None:
    vid = approved(db, "brightleaf", CLEAN)
    with db.read() as session:
        first_rules = session.get(Variant, vid).approved_rules_version  # type: ignore[union-attr]
    ban_term(rules_dir, "brightleaf", "routine")
    (outcome,) = recheck.recheck_approved(db, actor=None, only_if_rules_changed=True)
    assert (outcome.result, outcome.failing) == ("flagged", ['TEST-BANNED at body "routine"'])
    with db.read() as session:
        variant = session.get(Variant, vid)
        assert variant is not None and variant.status == Status.APPROVED
        assert variant.flag_reason and "TEST-BANNED" in variant.flag_reason
        assert [r.id for r in queries.list_variants(db, "rita", flagged=True)] == [vid]
    (event,) = events(db, "variant.flag")
    assert event.actor == "system" and event.detail["policy"] == "flag"
    assert events(db, "rules.recheck")[-1].detail["flagged"] == 1
    # A reviewer re-approves it under the new rules (with a justification), clearing the flag.
    again = approval.approve(db, vid, actor="rob", overrides={"TEST-BANNED": JUSTIFIED})
    assert again.flagged is None
    assert again.approved_rules_version not in (None, first_rules)


def test_a_revoke_policy_withdraws_failing_copy(db: Database, rules_dir: Path) -> None:
    vid = approved(db, "pennywise", PENNYWISE)
    ban_term(rules_dir, "pennywise", "goal")
    (outcome,) = recheck.recheck_approved(db, actor=None)
    assert outcome.result == "revoked"
    shown = queries.variant_detail(db, "rita", vid).model_dump(mode="json")
    assert shown["status"] == Status.REVOKED
    assert shown["history"][-1]["by"] == "system" and "goal" in shown["history"][-1]["comment"]
    (event,) = events(db, "variant.revoke")
    assert event.state_before == "approved" and event.state_after == "revoked"


def test_findings_the_approval_overrode_do_not_count_again(db: Database, rules_dir: Path) -> None:
    vid = approved(db, "brightleaf", CURE, overrides={"CLAIM-HEALTH": JUSTIFIED})
    ban_term(rules_dir, "brightleaf", "nonexistentword")  # the rules change, the copy still
    (outcome,) = recheck.recheck_approved(db, actor=None)  # has only its overridden finding
    assert (outcome.variant_id, outcome.result) == (vid, "passed")


def test_copy_no_longer_approved_is_left_alone(db: Database, rules_dir: Path) -> None:
    variant = in_review(db)
    ban_term(rules_dir, "brightleaf", "routine")
    assert recheck.recheck_approved(db, actor=None) == []
    with db.read() as session:
        assert session.get(Variant, variant.id).status == Status.IN_REVIEW  # type: ignore[union-attr]
