"""The dashboard's figures: what the checks find, how long review takes, how often copy is
approved and findings overridden (per rule: a rule overridden most of the time is a rule to
fix), and what the engine reports per variant and group.

Read-only aggregates for any signed-in user, over a window of whole weeks. They are counted
here rather than in SQL because findings live in each report's JSON, which SQLite and
PostgreSQL query differently; the window bounds the rows read.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any, TypeVar

from sqlalchemy import func, tuple_
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from studio.errors import InvalidInput
from studio.services import accounts, engagement
from studio.services.policy import Action
from studio.services.schemas import View
from studio.store.db import Database
from studio.store.models import Brand, CheckReport, Override, Review, Variant, as_utc, utcnow

MAX_WEEKS = 104
MAX_GROUPS = 50
T = TypeVar("T")
DECISIONS = (Action.APPROVE.value, Action.REJECT.value, Action.REQUEST_CHANGES.value)


class FindingsInWeek(View):
    """Findings of one rule in the first check of the versions saved in a week."""

    week: dt.date
    rule: str
    category: str
    severity: str
    count: int


class ReviewWeek(View):
    """The decisions taken in a week and how long their copy had waited since submission."""

    week: dt.date
    approved: int
    rejected: int
    changes_requested: int
    overridden: int  # approvals that overrode at least one blocking finding
    median_hours: float | None
    p90_hours: float | None


class RuleOverrides(View):
    """How often a rule's blocking finding, in front of a reviewer, was overridden."""

    rule: str
    decided: int  # decisions taken on copy the rule blocked
    overridden: int

    @property
    def rate(self) -> float:
        return self.overridden / self.decided if self.decided else 0.0


class VariantResult(View):
    group: str
    brand: str
    variant_id: int
    label: str | None
    served: bool
    sends: int
    open_rate: float | None
    click_rate: float | None
    conversion_rate: float | None
    unsubscribe_rate: float | None
    share: float | None  # the recommended share of the group's traffic


class Dashboard(View):
    since: dt.date
    brand: str | None
    findings: list[FindingsInWeek]
    review: list[ReviewWeek]
    rules: list[RuleOverrides]
    results: list[VariantResult]

    def by_week_and_category(self) -> dict[tuple[dt.date, str], int]:
        counted: Counter[tuple[dt.date, str]] = Counter()
        for finding in self.findings:
            counted[(finding.week, finding.category)] += finding.count
        return dict(counted)

    def top_rules(self, limit: int) -> list[tuple[str, int]]:
        """The rules with the most findings in the window, most first."""
        counted: Counter[str] = Counter()
        for finding in self.findings:
            counted[finding.rule] += finding.count
        return counted.most_common(limit)

    @property
    def decisions(self) -> int:
        return sum(w.approved + w.rejected + w.changes_requested for w in self.review)

    @property
    def approval_rate(self) -> float | None:
        approved = sum(w.approved for w in self.review)
        return approved / self.decisions if self.decisions else None

    @property
    def override_rate(self) -> float | None:
        """Of the approvals, the share that overrode a blocking finding."""
        approved = sum(w.approved for w in self.review)
        return sum(w.overridden for w in self.review) / approved if approved else None


def figures(db: Database, actor: str, *, weeks: int = 12, brand: str | None = None,
            today: dt.date | None = None) -> Dashboard:  # fmt: skip
    """The dashboard over the last `weeks` whole weeks (Monday to Sunday, UTC), this one
    included, for one brand or all."""
    if not 1 <= weeks <= MAX_WEEKS:
        raise InvalidInput(f"weeks {weeks}: give 1 to {MAX_WEEKS}", field="weeks")
    today = today or utcnow().date()
    since = _week_of(today) - dt.timedelta(weeks=weeks - 1)
    start = dt.datetime.combine(since, dt.time(), dt.UTC)
    with db.read() as session:
        accounts.acting(session, actor)
        reviews = _reviews(session, start, brand)
        seen = _reports_seen(session, [r for r in reviews if r.action != Action.SUBMIT.value])
        overrides = _overrides(session, [r.id for r in reviews if r.action == "approve"])
        return Dashboard(
            since=since,
            brand=brand,
            findings=_findings(_first_checks(session, start, brand)),
            review=_review_weeks(reviews, overrides),
            rules=_rule_overrides(reviews, seen, overrides),
            results=_results(engagement.reported_groups(session, brand, MAX_GROUPS)),
        )


def _week_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _first_checks(session: Session, start: dt.datetime, brand: str | None) -> list[CheckReport]:
    """Each version's first check (the copy as written, before any re-check under new rules)."""
    first = select(func.min(CheckReport.id)).group_by(
        col(CheckReport.variant_id), col(CheckReport.version_number)
    )
    statement = select(CheckReport).where(
        col(CheckReport.id).in_(first), col(CheckReport.created_at) >= start
    )
    if brand is not None:
        statement = _of_brand(statement, CheckReport.variant_id, brand)
    return list(session.exec(statement))


def _of_brand(statement: SelectOfScalar[T], variant_id: Any, brand: str) -> SelectOfScalar[T]:
    """`statement` narrowed to the copy of one brand (none at all for a brand with no copy)."""
    return (
        statement.join(Variant, col(Variant.id) == variant_id)
        .join(Brand, col(Brand.id) == Variant.brand_id)
        .where(Brand.slug == brand)
    )


def _findings(reports: Iterable[CheckReport]) -> list[FindingsInWeek]:
    counted: Counter[tuple[dt.date, str, str, str]] = Counter()
    for report in reports:
        week = _week_of(as_utc(report.created_at).date())
        for finding in report.report.get("findings", []):
            counted[(week, finding["rule"], finding["category"], finding["severity"])] += 1
    return [
        FindingsInWeek(week=week, rule=rule, category=category, severity=severity, count=n)
        for (week, rule, category, severity), n in sorted(counted.items())
    ]


def _reviews(session: Session, start: dt.datetime, brand: str | None) -> list[Review]:
    """Submissions and decisions, per variant in order; a submission before the window is
    read too, so the wait of a decision inside it is known."""
    statement = select(Review).where(
        col(Review.action).in_((Action.SUBMIT.value, *DECISIONS))
    )  # fmt: skip
    if brand is not None:
        statement = _of_brand(statement, Review.variant_id, brand)
    decided = select(Review.variant_id).where(
        col(Review.action).in_(DECISIONS), col(Review.created_at) >= start
    )
    statement = statement.where(col(Review.variant_id).in_(decided))
    return list(session.exec(statement.order_by(col(Review.variant_id), col(Review.id))))


def _reports_seen(session: Session, decisions: list[Review]) -> dict[int, CheckReport]:
    """The report each decision was taken on, by review id: the one an approval names, or else
    (a rejection, a request for changes) the newest check of that version made before it."""
    named = [r.report_id for r in decisions if r.report_id is not None]
    pairs = {(r.variant_id, r.version_number) for r in decisions if r.report_id is None}
    rows: list[CheckReport] = []
    if named:
        rows += session.exec(select(CheckReport).where(col(CheckReport.id).in_(named)))
    if pairs:
        versions = tuple_(col(CheckReport.variant_id), col(CheckReport.version_number))
        rows += session.exec(select(CheckReport).where(versions.in_(pairs)))
    by_id = {row.id: row for row in rows}
    checks: dict[tuple[int, int], list[CheckReport]] = defaultdict(list)
    for row in sorted(rows, key=lambda row: row.id or 0):
        checks[(row.variant_id, row.version_number)].append(row)
    seen: dict[int, CheckReport] = {}
    for review in decisions:
        if review.report_id is not None:
            report = by_id.get(review.report_id)
        else:
            before = [row for row in checks[(review.variant_id, review.version_number)]
                      if row.created_at <= review.created_at]  # fmt: skip
            report = before[-1] if before else None
        if report is not None and review.id is not None:
            seen[review.id] = report
    return seen


def _overrides(session: Session, review_ids: list[int | None]) -> dict[int, set[str]]:
    """The rules each approval overrode."""
    found: dict[int, set[str]] = defaultdict(set)
    wanted = [rid for rid in review_ids if rid is not None]
    if wanted:
        for row in session.exec(select(Override).where(col(Override.review_id).in_(wanted))):
            found[row.review_id].add(row.rule)
    return found


def _review_weeks(reviews: list[Review], overrides: dict[int, set[str]]) -> list[ReviewWeek]:
    counts: dict[dt.date, Counter[str]] = defaultdict(Counter)
    waits: dict[dt.date, list[float]] = defaultdict(list)
    submitted: dict[int, dt.datetime] = {}
    for review in reviews:
        at = as_utc(review.created_at)
        if review.action == Action.SUBMIT.value:
            submitted[review.variant_id] = at
            continue
        week = _week_of(at.date())
        counts[week][review.action] += 1
        if review.action == Action.APPROVE.value and overrides.get(review.id or 0):
            counts[week]["overridden"] += 1
        since = submitted.pop(review.variant_id, None)
        if since is not None:
            waits[week].append((at - since).total_seconds() / 3600)
    return [
        ReviewWeek(
            week=week,
            approved=n[Action.APPROVE.value],
            rejected=n[Action.REJECT.value],
            changes_requested=n[Action.REQUEST_CHANGES.value],
            overridden=n["overridden"],
            median_hours=statistics.median(waits[week]) if waits[week] else None,
            p90_hours=_p90(waits[week]),
        )
        for week, n in sorted(counts.items())
    ]


def _p90(hours: list[float]) -> float | None:
    if len(hours) < 2:
        return hours[0] if hours else None
    return statistics.quantiles(hours, n=10, method="inclusive")[-1]


def _rule_overrides(
    reviews: list[Review], seen: dict[int, CheckReport], overrides: dict[int, set[str]]
) -> list[RuleOverrides]:
    """Per rule: decisions taken on a report where it blocked, and how many overrode it.
    Most overridden first."""
    decided: Counter[str] = Counter()
    overridden: Counter[str] = Counter()
    for review in reviews:
        report = seen.get(review.id or 0)
        if report is None:
            continue
        blocking = {f["rule"] for f in report.report.get("findings", [])
                    if f["severity"] == "error"}  # fmt: skip
        decided.update(blocking)
        overridden.update(blocking & overrides.get(review.id or 0, set()))
    rows = [RuleOverrides(rule=rule, decided=n, overridden=overridden[rule])
            for rule, n in decided.items()]  # fmt: skip
    return sorted(rows, key=lambda row: (-row.rate, -row.decided, row.rule))


def _results(groups: list[engagement.GroupFigures]) -> list[VariantResult]:
    return [
        VariantResult(
            group=group.variant_group, brand=group.brand, variant_id=v.variant_id,
            label=v.label, served=v.served, sends=v.counts["sends"],
            open_rate=v.rates["open_rate"], click_rate=v.rates["click_rate"],
            conversion_rate=v.rates["conversion_rate"],
            unsubscribe_rate=v.rates["unsubscribe_rate"], share=v.share,
        )
        for group in groups
        for v in group.variants
    ]  # fmt: skip
