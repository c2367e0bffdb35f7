"""The dashboard's figures, from a workflow run through the service layer as people run it."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from studio.errors import InvalidInput, Refused
from studio.services import api_keys, approval, dashboard, engagement, review
from studio.store.db import Database
from studio.store.models import Review
from tests.helpers.variants import CLEAN, CURE, JUSTIFIED, approved, in_review


def decided_hours_after_submission(db: Database, variant_id: int, hours: float) -> None:
    """Move the variant's submission back, so its decision came `hours` after it."""
    with db.write() as session:
        rows = list(session.exec(select(Review).where(Review.variant_id == variant_id)))
        decided = max(row.created_at for row in rows)
        for row in rows:
            if row.action == "submit":
                row.created_at = decided - dt.timedelta(hours=hours)
                session.add(row)


def test_findings_decisions_waits_and_overrides_are_counted(db: Database) -> None:
    cured = approved(db, CURE, overrides={"CLAIM-HEALTH": JUSTIFIED})
    clean = approved(db, CLEAN)
    sent_back = in_review(db, CURE)
    review.request_changes(db, sent_back.id, actor="rita", comment="Say support, not cure")
    for variant_id, hours in ((cured.id, 2.0), (clean.id, 4.0), (sent_back.id, 30.0)):
        decided_hours_after_submission(db, variant_id, hours)

    shown = dashboard.figures(db, "wendy")

    health = [f for f in shown.findings if f.rule == "CLAIM-HEALTH"]
    assert sum(f.count for f in health) == 2 and {f.category for f in health} == {"claim"}
    assert shown.decisions == 3
    assert shown.approval_rate == pytest.approx(2 / 3)
    assert shown.override_rate == pytest.approx(1 / 2)
    (week,) = shown.review
    assert (week.approved, week.changes_requested, week.rejected, week.overridden) == (2, 1, 0, 1)
    assert week.median_hours == pytest.approx(4.0)
    assert week.p90_hours is not None and 4.0 < week.p90_hours <= 30.0
    rule = next(r for r in shown.rules if r.rule == "CLAIM-HEALTH")
    assert (rule.decided, rule.overridden) == (2, 1)  # overridden once, sent back once
    assert rule.rate == pytest.approx(0.5)


def test_the_window_and_the_brand_filter_what_is_counted(db: Database) -> None:
    approved(db, CURE, overrides={"CLAIM-HEALTH": JUSTIFIED})
    later = dt.datetime.now(dt.UTC).date() + dt.timedelta(weeks=3)
    assert dashboard.figures(db, "rita", weeks=1, today=later).decisions == 0
    assert dashboard.figures(db, "rita", weeks=4, today=later).decisions == 1
    assert dashboard.figures(db, "rita", brand="brightleaf").decisions == 1
    assert dashboard.figures(db, "rita", brand="pennywise").decisions == 0
    with pytest.raises(InvalidInput, match="weeks 0"):
        dashboard.figures(db, "rita", weeks=0)


def test_engine_results_per_variant_with_the_recommended_share(db: Database) -> None:
    first, second = approved(db, CLEAN), approved(db, CLEAN.replace("routine", "day"))
    key = api_keys.authenticate(db, api_keys.create_key(
        db, actor="ada", name="engine", scopes=["events:write"]).key)  # fmt: skip
    for variant_id, clicks in ((first.id, 30), (second.id, 5)):
        events = [engagement.Report(f"s{n}", "send") for n in range(200)]
        events += [engagement.Report(f"c{n}", "click") for n in range(clicks)]
        engagement.record(db, key, variant_id, events)

    results = {r.variant_id: r for r in dashboard.figures(db, "wendy").results}

    assert set(results) == {first.id, second.id}  # ungrouped: each stands alone
    assert results[first.id].sends == 200 and results[first.id].click_rate == pytest.approx(0.15)
    assert results[second.id].click_rate == pytest.approx(0.025)


def test_only_a_signed_up_user_sees_it(db: Database) -> None:
    with pytest.raises(Refused, match="no user named 'mallory'"):
        dashboard.figures(db, "mallory")


def test_an_approval_without_blocking_findings_counts_no_rule(db: Database) -> None:
    variant = in_review(db, CLEAN)
    approval.approve(db, variant.id, actor="rita", acknowledge_all=True)
    assert dashboard.figures(db, "rita").rules == []
