"""The approval workflow's rules, on SQLite and PostgreSQL: roles, states, four-eyes, overrides,
versions, content-bound approvals, and the audit trail of every attempt."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlmodel import col, select

from studio.errors import Conflict, InvalidInput, NotFound, Refused
from studio.services import approval, audit, demo, packs, queries, review
from studio.store import brands
from studio.store.db import Database
from studio.store.models import (
    AuditEvent,
    Brief,
    Override,
    Review,
    Status,
    User,
    Variant,
    VariantVersion,
)
from tests.conftest import ban_term
from tests.helpers.variants import CLEAN, CURE, JUSTIFIED, draft, in_review


def last_event(db: Database) -> AuditEvent:
    with db.read() as session:
        return session.exec(select(AuditEvent).order_by(col(AuditEvent.seq).desc())).first()  # type: ignore[return-value]


def refused(rule: str, call, *args, **kwargs) -> Refused:  # type: ignore[no-untyped-def]
    with pytest.raises(Refused) as caught:
        call(*args, **kwargs)
    assert caught.value.rule == rule, caught.value.message
    return caught.value


def test_the_happy_path_records_every_step(db: Database) -> None:
    variant = in_review(db)
    assert variant.status == Status.IN_REVIEW and variant.submitted_at is not None
    approved = approval.approve(db, variant.id or 0, actor="rita", comment="Looks right")
    assert approved.status == Status.APPROVED
    assert approved.approved_version == 1 and approved.approved_rules_version
    with db.read() as session:
        actions = [e.action for e in session.exec(select(AuditEvent).order_by(col(AuditEvent.seq)))]
        assert actions == ["variant.create", "variant.submit", "variant.approve"]
        assert audit.verify(session).ok


def test_copywriters_cannot_approve_and_the_attempt_is_audited(db: Database) -> None:
    variant = in_review(db, author="walt")
    error = refused("role", approval.approve, db, variant.id or 0, actor="wendy")
    assert "wendy is a copywriter" in error.message and "reviewer" in error.message
    event = last_event(db)
    assert (event.actor, event.action, event.outcome) == ("wendy", "variant.approve", "denied")
    assert event.detail["rule"] == "role" and event.state_before == event.state_after == "in_review"
    with db.read() as session:
        assert session.get(Variant, variant.id).status == Status.IN_REVIEW  # type: ignore[union-attr]


def test_nobody_approves_copy_they_wrote(db: Database) -> None:
    """Four-eyes covers the author and anyone who saved a version, admins included."""
    mine = in_review(db, author="ada")
    refused("four-eyes", approval.approve, db, mine.id or 0, actor="ada")
    theirs = in_review(db)
    review.request_changes(db, theirs.id or 0, actor="rita", comment="Tighten it")
    review.edit(db, theirs.id or 0, actor="ada", fields={"body": CLEAN + " today"})
    refused("four-eyes", approval.approve, db, theirs.id or 0, actor="ada")
    assert approval.approve(db, theirs.id or 0, actor="rob").status == Status.APPROVED


def test_unknown_and_disabled_users_are_refused_and_audited(db: Database) -> None:
    variant = in_review(db)
    refused("unknown-user", approval.approve, db, variant.id or 0, actor="mallory")
    assert last_event(db).actor == "mallory"
    with db.write() as session:
        rita = session.exec(select(User).where(User.name == "rita")).one()
        rita.disabled = True
        session.add(rita)
    refused("account-disabled", approval.approve, db, variant.id or 0, actor="rita")


@pytest.mark.parametrize(
    ("action", "start"),
    [("approve", "draft"), ("reject", "draft"), ("revoke", "in_review"), ("submit", "in_review")],
)
def test_transitions_only_from_their_states(db: Database, action: str, start: str) -> None:
    variant = draft(db) if start == "draft" else in_review(db)
    actor = "wendy" if action == "submit" else "rita"
    kwargs = {"comment": "because"} if action in ("reject", "revoke") else {}
    error = refused(
        "state",
        getattr(approval if action == "approve" else review, action),
        db,
        variant.id or 0,
        actor=actor,
        **kwargs,
    )
    assert start.replace("_", " ") in error.message


def test_decisions_that_need_a_comment_say_so(db: Database) -> None:
    variant = in_review(db)
    for call in (review.request_changes, review.reject):
        with pytest.raises(InvalidInput, match="needs a comment"):
            call(db, variant.id or 0, actor="rita", comment="   ")
    review.request_changes(db, variant.id or 0, actor="rita", comment="Name the product")
    with db.read() as session:
        asked = session.exec(select(Review).where(Review.action == "request-changes")).one()
        assert asked.comment == "Name the product"


def test_an_error_finding_blocks_approval_until_overridden_per_finding(db: Database) -> None:
    variant = in_review(db, CURE)
    error = refused("blocking-finding", approval.approve, db, variant.id or 0, actor="rita")
    assert 'CLAIM-HEALTH at body "cure"' in error.message
    refused("override-justification", approval.approve, db, variant.id or 0, actor="rita",
            overrides={"CLAIM-HEALTH": "ok"})  # fmt: skip
    refused("override-unknown", approval.approve, db, variant.id or 0, actor="rita",
            overrides={"CLAIM-HEALTH": JUSTIFIED, "TONE-CAPS": JUSTIFIED})  # fmt: skip
    approved = approval.approve(
        db, variant.id or 0, actor="rita", overrides={"CLAIM-HEALTH": JUSTIFIED}
    )
    assert approved.status == Status.APPROVED
    with db.read() as session:
        (override,) = session.exec(select(Override))
        assert (override.rule, override.field, override.text) == ("CLAIM-HEALTH", "body", "cure")
        assert override.justification == JUSTIFIED
    assert last_event(db).detail["overrides"][0]["justification"] == JUSTIFIED


def test_editing_makes_a_new_version_and_sends_it_back_to_review(db: Database) -> None:
    variant = in_review(db, CURE)
    vid = variant.id or 0
    review.request_changes(db, vid, actor="rita", comment="No cure claims")
    edited = review.edit(db, vid, actor="wendy", fields={"body": CLEAN})
    assert (edited.status, edited.version, edited.errors) == ("in_review", 2, 0)
    with db.read() as session:
        shown = queries.variant_detail(db, "rita", vid).model_dump(mode="json")
        versions = list(session.exec(select(VariantVersion).order_by(col(VariantVersion.number))))
    assert [v.fields["body"] for v in versions] == [CURE, CLEAN]  # version 1 is untouched
    assert "-body: " + CURE in shown["diff"] and "+body: " + CLEAN in shown["diff"]
    assert [h["action"] for h in shown["history"]] == ["create", "submit", "request-changes",
                                                      "edit"]  # fmt: skip
    with pytest.raises(InvalidInput, match="unchanged"):
        review.edit(db, vid, actor="wendy", fields={"body": CLEAN})


def test_editing_approved_copy_withdraws_the_approval(db: Database) -> None:
    variant = in_review(db)
    approval.approve(db, variant.id or 0, actor="rita")
    edited = review.edit(db, variant.id or 0, actor="wendy", fields={"body": CLEAN + " now"})
    assert edited.status == Status.IN_REVIEW
    assert edited.approved_version is None and edited.approved_rules_version is None


def test_rejected_copy_stays_rejected(db: Database) -> None:
    variant = in_review(db)
    review.reject(db, variant.id or 0, actor="rita", comment="Off brief")
    refused("state", review.edit, db, variant.id or 0, actor="wendy", fields={"body": "x"})


def test_approval_binds_content_hash_rules_version_and_provenance(db: Database) -> None:
    variant = review.create_variant(
        db, actor="wendy", brand="brightleaf", channel="sms", fields={"body": CLEAN},
        provenance={"source": "openai", "model": "gpt-test", "prompt_hash": "sha256:abc"},
    )  # fmt: skip
    review.submit(db, variant.id or 0, actor="wendy")
    approved = approval.approve(db, variant.id or 0, actor="rita")
    with db.read() as session:
        version = session.exec(select(VariantVersion)).one()
        decision = session.exec(select(Review).where(Review.action == "approve")).one()
    shown = queries.variant_detail(db, "rita", approved.id).approval
    assert shown is not None and shown.by == "rita"
    assert shown.content_hash == version.content_hash == decision.content_hash
    assert approved.approved_rules_version == decision.rules_version
    assert approved.approved_rules_version and approved.approved_rules_version.startswith("sha256:")
    assert decision.provenance == {
        "source": "openai",
        "model": "gpt-test",
        "prompt_hash": "sha256:abc",
    }


def test_warnings_must_be_acknowledged_by_name_and_each_is_audited(db: Database) -> None:
    variant = in_review(db, CLEAN.replace("support", "give an amazing boost to"))
    vid = variant.id or 0
    assert variant.warnings == 1 and variant.errors == 0
    error = refused("warnings-unacknowledged", approval.approve, db, vid, actor="rita")
    assert 'BL-TONE-AVOID at body "amazing"' in error.message
    assert last_event(db).outcome == "denied"
    refused("acknowledge-unknown", approval.approve, db, vid, actor="rita",
            acknowledged={"BL-TONE-AVOID", "SMS-LENGTH"})  # fmt: skip
    approval.approve(db, vid, actor="rita", acknowledged={"BL-TONE-AVOID"})
    event = last_event(db)
    assert event.action == "variant.approve" and event.outcome == "ok"
    assert event.detail["acknowledged_all"] is False
    assert [(w["rule"], w["field"], w["text"]) for w in event.detail["warnings_acknowledged"]] == [
        ("BL-TONE-AVOID", "body", "amazing")
    ]


def test_all_warnings_can_be_acknowledged_at_once(db: Database) -> None:
    variant = in_review(db, CLEAN.replace("support", "give an amazing boost to"))
    approval.approve(db, variant.id or 0, actor="rita", acknowledge_all=True)
    event = last_event(db)
    assert event.detail["acknowledged_all"] is True
    assert [w["rule"] for w in event.detail["warnings_acknowledged"]] == ["BL-TONE-AVOID"]


def test_copy_with_no_text_is_refused_on_create_and_edit(db: Database) -> None:
    for blank in ("", "   \n\t", "\u200b\u2060"):
        with pytest.raises(InvalidInput, match="has no text at all"):
            draft(db, blank)
    variant = draft(db)
    with pytest.raises(InvalidInput, match="has no text at all"):
        review.edit(db, variant.id or 0, actor="wendy", fields={"body": " "})
    with db.read() as session:
        assert len(session.exec(select(Variant)).all()) == 1


def test_approving_an_older_version_than_the_current_is_refused(db: Database) -> None:
    variant = in_review(db)
    vid = variant.id or 0
    seen = queries.variant_detail(db, "rita", vid).model_dump(mode="json")["report"]["id"]
    review.edit(db, vid, actor="wendy", fields={"body": CLEAN + " today"})
    error = refused("stale-content", approval.approve, db, vid, actor="rita", seen_report_id=seen)
    assert "current version is 2" in error.message


def test_a_rule_change_since_the_reviewer_looked_refuses_the_approval(
    db: Database, rules_dir: Path
) -> None:
    variant = in_review(db)
    vid = variant.id or 0
    ban_term(rules_dir, "brightleaf", "routine")
    error = refused("stale-rules", approval.approve, db, vid, actor="rita")
    assert "rules changed since you looked" in error.message
    fresh = queries.variant_detail(db, "rita", vid).model_dump(mode="json")["report"]
    assert fresh["id"] != 1 and fresh["rules_version"] in error.message
    assert [f["rule"] for f in fresh["findings"]] == ["TEST-BANNED"]  # what changed is visible
    approved = approval.approve(db, vid, actor="rita", seen_report_id=fresh["id"],
                                overrides={"TEST-BANNED": JUSTIFIED})  # fmt: skip
    assert approved.approved_rules_version == fresh["rules_version"]


def test_stale_revision_is_a_conflict(db: Database) -> None:
    variant = in_review(db)
    review.request_changes(db, variant.id or 0, actor="rob", comment="Shorter, please")
    with pytest.raises(Conflict, match="changed while you were deciding"):
        review.reject(db, variant.id or 0, actor="rita", comment="no",
                        expected_revision=variant.revision)  # fmt: skip
    assert last_event(db).detail["rule"] == "conflict"


def test_validity_window(db: Database) -> None:
    variant = in_review(db)
    now = dt.datetime.now(dt.UTC)
    with pytest.raises(InvalidInput, match="past"):
        approval.approve(db, variant.id or 0, actor="rita", valid_until=now - dt.timedelta(days=1))
    with pytest.raises(InvalidInput, match="after valid_from"):
        approval.approve(db, variant.id or 0, actor="rita", valid_from=now + dt.timedelta(days=9),
                         valid_until=now + dt.timedelta(days=2))  # fmt: skip
    approved = approval.approve(db, variant.id or 0, actor="rita", valid_from=now,
                                valid_until=now + dt.timedelta(days=30))  # fmt: skip
    assert approved.valid_until is not None


def test_revoke_needs_a_reviewer_and_a_reason(db: Database) -> None:
    variant = in_review(db)
    approval.approve(db, variant.id or 0, actor="rita")
    refused("role", review.revoke, db, variant.id or 0, actor="wendy", comment="oops")
    revoked = review.revoke(db, variant.id or 0, actor="rob", comment="Offer ended")
    assert revoked.status == Status.REVOKED


def test_hostile_text_is_stored_exactly_and_inert(db: Database) -> None:
    hostile = "Brightleaf <script>alert('x')</script> {{ ''.__class__ }} {% for x in y %} STOP"
    variant = draft(db, hostile)
    shown = queries.variant_detail(db, "rita", variant.id or 0).model_dump(mode="json")
    assert shown["fields"]["body"] == hostile
    flagged = {f["text"] for f in shown["report"]["findings"] if f["rule"] == "MERGE-CODE"}
    assert flagged == {"{{ ''.__class__ }}", "{% for x in y %}"}  # it would run in the engine


def test_bad_input_names_the_problem(db: Database) -> None:
    with pytest.raises(InvalidInput, match="'subject' is not a sms field"):
        review.create_variant(db, actor="wendy", brand="brightleaf", channel="sms",
                                fields={"subject": "hi"})  # fmt: skip
    with pytest.raises(InvalidInput, match="longer than"):
        draft(db, "x" * 100_001)
    for not_a_brand in ("../etc", "_baseline", "/tmp"):
        with pytest.raises(InvalidInput, match="a brand is a rule-pack folder name"):
            review.create_variant(db, actor="wendy", brand=not_a_brand, channel="sms",
                                    fields={"body": "hi"})  # fmt: skip
    with pytest.raises(InvalidInput, match="no rule pack"):
        review.create_variant(db, actor="wendy", brand="no-such-brand", channel="sms",
                                fields={"body": "hi"})  # fmt: skip
    with pytest.raises(NotFound, match="no variant #999"):
        review.submit(db, 999, actor="wendy")


def for_offer(db: Database, offer_ends: dt.date) -> Variant:
    """Copy in review, drafted for a brief whose offer ends on `offer_ends`."""
    with db.write() as session:
        brand = brands.ensure(session, "brightleaf", packs.brand_pack("brightleaf"))
        wendy = session.exec(select(User).where(User.name == "wendy")).one()
        brief = Brief(brand_id=brand.id or 0, title="Winter sale", offer_ends=offer_ends,
                      created_by=wendy.id or 0)  # fmt: skip
        session.add(brief)
        session.flush()
        brief_id = brief.id
    variant = review.create_variant(db, actor="wendy", brand="brightleaf", channel="sms",
                                      fields={"body": CLEAN}, brief_id=brief_id)  # fmt: skip
    return review.submit(db, variant.id or 0, actor="wendy")


def test_copy_for_an_ended_offer_cannot_be_approved(db: Database) -> None:
    ended = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)
    variant = for_offer(db, ended)
    error = refused("offer-ended", approval.approve, db, variant.id or 0, actor="rita")
    assert f"ended on {ended.isoformat()}" in error.message and "Winter sale" in error.message
    assert last_event(db).detail["rule"] == "offer-ended"


def test_an_approval_ends_with_its_offer(db: Database) -> None:
    ends = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=3)
    variant = for_offer(db, ends)
    later = dt.datetime.combine(ends + dt.timedelta(days=1), dt.time(9), tzinfo=dt.UTC)
    with pytest.raises(InvalidInput, match="after the brief's offer ends"):
        approval.approve(db, variant.id or 0, actor="rita", valid_until=later)
    approved = approval.approve(db, variant.id or 0, actor="rita")
    assert approved.valid_until is not None
    until = approved.valid_until.replace(tzinfo=approved.valid_until.tzinfo or dt.UTC)
    assert until.date() == ends and until.hour == 23


def test_a_demo_workspace_with_an_alias_bomb_is_refused_on_its_line(
    db: Database, tmp_path: Path
) -> None:
    bomb = tmp_path / "workspace.yaml"
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 9)]
    bomb.write_text("\n".join([*lines, "briefs: *a8"]) + "\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match=rf"{bomb}:1: anchors and aliases"):
        demo.seed(db, actor="ada", workspace=bomb)
