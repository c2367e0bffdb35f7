"""Read views of the workflow: listings, the review queue, one variant in full, diffs, jobs.

Every view is read as a signed-in user (one who exists and is enabled) inside one read
transaction, and comes back as a typed model from `schemas`, so the CLI, the UI and the API show
the same thing and no ORM row leaves this module.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, true
from sqlmodel import Session, col, select

from guardrails import Category
from studio.errors import InvalidInput
from studio.services import accounts, engagement
from studio.services.schemas import (
    ApprovalView,
    BriefView,
    CommentView,
    HistoryEntry,
    JobDetail,
    JobItemView,
    JobView,
    OverrideView,
    QueueCursor,
    QueuePage,
    ReportView,
    VariantDetail,
    VariantSummary,
)
from studio.store import jobs as job_rows
from studio.store import variants
from studio.store.db import Database
from studio.store.models import (
    MAX_ID,
    Brand,
    Brief,
    CheckReport,
    Comment,
    Focus,
    Job,
    JobItem,
    Override,
    Review,
    Status,
    User,
    Variant,
    VariantVersion,
    as_utc,
    utcnow,
)

QUEUE_PAGE = 50
MAX_LISTING = 1000


def _summary_data(variant: Variant, brand: str, author: str) -> dict[str, Any]:
    return {
        "id": variant.id, "name": variant.name, "brand": brand, "channel": variant.channel,
        "status": variant.status, "version": variant.current_version,
        "revision": variant.revision, "risk": variant.risk, "errors": variant.error_count,
        "warnings": variant.warning_count, "author": author, "group": variant.variant_group,
        "submitted_at": variant.submitted_at, "updated_at": variant.updated_at,
        "flagged": variant.flag_reason, "valid_until": variant.valid_until,
        "approved_version": variant.approved_version,
        "approved_rules_version": variant.approved_rules_version,
    }  # fmt: skip


def summary(session: Session, variant: Variant) -> VariantSummary:
    """What an action returns about the variant it changed, read in the action's transaction."""
    brand = session.get(Brand, variant.brand_id)
    author = session.get(User, variant.author_id)
    return VariantSummary(
        **_summary_data(variant, brand.slug if brand else "?", author.name if author else "?")
    )


def list_variants(
    db: Database,
    actor: str,
    *,
    status: str | None = None,
    brand: str | None = None,
    channel: str | None = None,
    flagged: bool = False,
    author: str | None = None,
    statuses: tuple[str, ...] = (),
    limit: int = 200,
) -> list[VariantSummary]:
    """The most recently changed variants first, filtered (`statuses`: any of these)."""
    if status is not None and status not in set(Status):
        raise InvalidInput(f"unknown status {status!r} (one of: {', '.join(Status)})")
    if not 0 < limit <= MAX_LISTING:
        raise InvalidInput(f"limit {limit}: give 1 to {MAX_LISTING}")
    statement = (
        select(Variant, Brand.slug, User.name)
        .join(Brand, col(Brand.id) == Variant.brand_id)
        .join(User, col(User.id) == Variant.author_id)
        .order_by(col(Variant.updated_at).desc(), col(Variant.id).desc())
        .limit(limit)
    )
    if status:
        statement = statement.where(Variant.status == status)
    if brand:
        statement = statement.where(Brand.slug == brand)
    if channel:
        statement = statement.where(Variant.channel == channel)
    if flagged:
        statement = statement.where(col(Variant.flagged_at).is_not(None))
    if statuses:
        statement = statement.where(col(Variant.status).in_(statuses))
    if author:
        statement = statement.where(User.name == author)
    with db.read() as session:
        accounts.acting(session, actor)
        return [
            VariantSummary(**_summary_data(v, slug, author))
            for v, slug, author in session.exec(statement)
        ]


SEVERITIES = ("error", "warning", "clean")  # what the queue's severity filter takes


def review_queue(
    db: Database,
    actor: str,
    *,
    brand: str | None = None,
    channel: str | None = None,
    category: str | None = None,
    severity: str | None = None,
    waited: dt.timedelta | None = None,
    assigned_to_me: bool = False,
    cursor: str | None = None,
    limit: int = QUEUE_PAGE,
) -> QueuePage:
    """Copy waiting for a decision, riskiest first, then longest waiting, in keyset pages:
    `cursor` is the `next_cursor` of the page before. Filters: a finding `category`, a
    `severity` (copy with an error, with a warning, or `clean` of both), submitted at least
    `waited` ago, and `assigned_to_me`: copy someone else wrote that the actor's focus routes
    to them (claims: a claim finding; brand: only tone or banned-word findings)."""
    if not 0 < limit <= MAX_LISTING:
        raise InvalidInput(f"limit {limit}: give 1 to {MAX_LISTING}")
    if category is not None and category not in set(Category):
        raise InvalidInput(f"category {category!r}: one of {', '.join(Category)}",
                           field="category")  # fmt: skip
    if severity is not None and severity not in SEVERITIES:
        raise InvalidInput(f"severity {severity!r}: one of {', '.join(SEVERITIES)}",
                           field="severity")  # fmt: skip
    after = QueueCursor.decode(cursor) if cursor else None
    statement = (
        select(Variant, Brand.slug, User.name)
        .join(Brand, col(Brand.id) == Variant.brand_id)
        .join(User, col(User.id) == Variant.author_id)
        .where(Variant.status == Status.IN_REVIEW)
    )
    if brand is not None:
        statement = statement.where(Brand.slug == brand)
    if channel is not None:
        statement = statement.where(Variant.channel == channel)
    if category is not None:
        statement = statement.where(_has_category(category))
    if severity is not None:
        statement = statement.where(_of_severity(severity))
    if waited is not None:
        statement = statement.where(col(Variant.submitted_at) <= utcnow() - waited)
    if after is not None:
        risk, submitted = col(Variant.risk), col(Variant.submitted_at)
        statement = statement.where(
            or_(
                risk < after.risk,
                and_(risk == after.risk, submitted > after.submitted_at),
                and_(risk == after.risk, submitted == after.submitted_at,
                     col(Variant.id) > after.id),
            )
        )  # fmt: skip
    statement = statement.order_by(
        col(Variant.risk).desc(), col(Variant.submitted_at), col(Variant.id)
    ).limit(limit + 1)
    with db.read() as session:
        me = accounts.acting(session, actor)
        if assigned_to_me:
            statement = statement.where(Variant.author_id != me.id, _routed_to(Focus(me.focus)))
        rows = list(session.exec(statement))
    more, rows = len(rows) > limit, rows[:limit]
    items = [VariantSummary(**_summary_data(v, slug, author)) for v, slug, author in rows]
    last = rows[-1][0] if rows else None
    next_cursor = None
    if more and last is not None and last.submitted_at is not None:
        at = as_utc(last.submitted_at)
        next_cursor = QueueCursor(risk=last.risk, submitted_at=at, id=last.id or 0).encode()
    return QueuePage(items=items, next_cursor=next_cursor)


def _has_category(category: str) -> ColumnElement[bool]:
    """`Variant.categories` holds whole words, none of which is part of another."""
    return col(Variant.categories).contains(category)


def _of_severity(severity: str) -> ColumnElement[bool]:
    if severity == "error":
        return col(Variant.error_count) > 0
    if severity == "warning":
        return col(Variant.warning_count) > 0
    return and_(col(Variant.error_count) == 0, col(Variant.warning_count) == 0)


_BRAND_VOICE = {Category.TONE, Category.BANNED}


def _routed_to(focus: Focus) -> ColumnElement[bool]:
    """The copy a reviewer of this focus handles; `all` handles everything."""
    if focus == Focus.CLAIMS:
        return _has_category(Category.CLAIM)
    if focus == Focus.BRAND:
        others = [~_has_category(c) for c in Category if c not in _BRAND_VOICE]
        return and_(col(Variant.categories) != "", *others)
    return true()


def variant_detail(db: Database, actor: str, variant_id: int) -> VariantDetail:
    """One variant in full: summary, current copy, newest report, history, overrides, diff."""
    with db.read() as session:
        accounts.acting(session, actor)
        return _detail(session, variant_id)


def _detail(session: Session, variant_id: int) -> VariantDetail:
    variant = variants.get(session, variant_id)
    brand = session.get(Brand, variant.brand_id)
    names = {u.id: u.name for u in session.exec(select(User))}
    version = variants.current_version(session, variant)
    report = variants.latest_report(session, variant)
    overrides = session.exec(
        select(Override).where(Override.variant_id == variant_id).order_by(col(Override.id))
    )
    comments = session.exec(
        select(Comment).where(Comment.variant_id == variant_id).order_by(col(Comment.id))
    )
    return VariantDetail(
        **_summary_data(variant, brand.slug if brand else "?", names.get(variant.author_id, "?")),
        fields=version.fields,
        content_hash=version.content_hash,
        provenance=version.provenance,
        report=_report(report),
        approval=_approval(variant, names),
        history=_history(session, variant_id, names),
        overrides=[_override(o, names) for o in overrides],
        diff=_diff(session, variant_id, version.number - 1, version.number)
        if version.number > 1
        else None,
        performance=_performance(session, variant_id),
        brief=_brief(session, variant.brief_id, names),
        comments=[comment_view(c, names.get(c.author_id, "?")) for c in comments],
    )


def _brief(
    session: Session, brief_id: int | None, names: dict[int | None, str]
) -> BriefView | None:
    brief = session.get(Brief, brief_id) if brief_id is not None else None
    if brief is None or brief.id is None:
        return None
    return BriefView(id=brief.id, title=brief.title, spec=brief.spec,
                     by=names.get(brief.created_by, "?"))  # fmt: skip


def comment_view(row: Comment, author: str) -> CommentView:
    return CommentView(version=row.version_number, field=row.field, start=row.start,
                       end=row.end, text=row.text, body=row.body, by=author,
                       at=row.created_at)  # fmt: skip


def _performance(session: Session, variant_id: int) -> dict[str, Any] | None:
    figures = engagement.variant_performance(session, variant_id)
    return dataclasses.asdict(figures) if figures else None


def _override(row: Override, names: dict[int | None, str]) -> OverrideView:
    return OverrideView(rule=row.rule, field=row.field, text=row.text,
                        version=row.version_number, justification=row.justification,
                        by=names.get(row.actor_id, "?"))  # fmt: skip


def _history(session: Session, variant_id: int, names: dict[int | None, str]) -> list[HistoryEntry]:
    """Versions saved and decisions taken, oldest first."""
    versions = session.exec(select(VariantVersion).where(VariantVersion.variant_id == variant_id))
    entries = [
        (v.created_at, HistoryEntry(at=v.created_at, version=v.number, comment=None,
                                    action="create" if v.number == 1 else "edit",
                                    by=names.get(v.created_by, "?")))
        for v in versions
    ]  # fmt: skip
    for r in session.exec(select(Review).where(Review.variant_id == variant_id)):
        who = names.get(r.actor_id, "?") if r.actor_id else "system"
        entries.append((r.created_at, HistoryEntry(at=r.created_at, action=r.action,
                                                   version=r.version_number, by=who,
                                                   comment=r.comment)))  # fmt: skip
    entries.sort(key=lambda entry: as_utc(entry[0]))
    return [entry for _, entry in entries]


def _report(report: CheckReport) -> ReportView:
    return ReportView(
        id=report.id,
        version=report.version_number,
        rules_version=report.rules_version,
        verdict=report.verdict,
        checked_at=report.created_at,
        findings=report.report.get("findings", []),
        approved_claims=report.report.get("approved_claims", []),
    )


def _approval(variant: Variant, names: dict[int | None, str]) -> ApprovalView | None:
    if variant.approved_version is None:
        return None
    return ApprovalView(
        version=variant.approved_version,
        content_hash=variant.approved_content_hash,
        rules_version=variant.approved_rules_version,
        by=names.get(variant.approved_by, "?"),
        at=variant.approved_at,
        valid_from=variant.valid_from,
        valid_until=variant.valid_until,
    )


def diff(db: Database, actor: str, variant_id: int, old: int | None, new: int | None) -> str:
    """A unified diff of two versions, field by field (list fields item by item); `new`
    defaults to the current version and `old` to the one before `new`."""
    with db.read() as session:
        accounts.acting(session, actor)
        current = variants.get(session, variant_id).current_version
        new_number = new or current
        return _diff(session, variant_id, old or new_number - 1, new_number)


def _diff(session: Session, variant_id: int, old: int, new: int) -> str:
    for number in (old, new):
        if not 0 < number <= MAX_ID:
            raise InvalidInput(f"variant #{variant_id} has no version {number}")
    rows = {
        v.number: v
        for v in session.exec(
            select(VariantVersion).where(
                VariantVersion.variant_id == variant_id,
                col(VariantVersion.number).in_([old, new]),
            )
        )
    }
    for number in (old, new):
        if number not in rows:
            raise InvalidInput(f"variant #{variant_id} has no version {number}")
    before, after = _lines(rows[old].fields), _lines(rows[new].fields)
    return "".join(
        difflib.unified_diff(before, after, f"version {old}", f"version {new}", lineterm="\n")
    )


def _lines(fields: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    for name, value in fields.items():
        texts = value if isinstance(value, list) else [value]
        for i, text in enumerate(texts):
            label = f"{name}[{i + 1}]" if isinstance(value, list) else name
            lines.extend(f"{label}: {line}\n" for line in str(text).splitlines() or [""])
    return lines


def _job_view(job: Job, requested_by: str) -> dict[str, Any]:
    return {"id": job.id, "status": job.status, "provider": job.provider, "brief": job.brief_id,
            "requested_by": requested_by, "created_at": job.created_at,
            "attempts": job.attempts, "worker": job.worker, "error": job.error}  # fmt: skip


def list_jobs(
    db: Database, actor: str, *, limit: int = 50, requested_by: str | None = None
) -> list[JobView]:
    """The newest drafting jobs first (only `requested_by`'s, if given)."""
    if not 0 < limit <= MAX_LISTING:
        raise InvalidInput(f"limit {limit}: give 1 to {MAX_LISTING}")
    with db.read() as session:
        accounts.acting(session, actor)
        names = {u.id: u.name for u in session.exec(select(User))}
        statement = select(Job).order_by(col(Job.id).desc()).limit(limit)
        if requested_by is not None:
            statement = statement.where(Job.requested_by == accounts.get(session, requested_by).id)
        jobs = session.exec(statement)
        return [JobView(**_job_view(job, names.get(job.requested_by, "?"))) for job in jobs]


def job_detail(db: Database, actor: str, job_id: int) -> JobDetail:
    """One job and where each of its variants stands."""
    with db.read() as session:
        accounts.acting(session, actor)
        job = job_rows.get(session, job_id)
        user = session.get(User, job.requested_by)
        items = session.exec(
            select(JobItem).where(JobItem.job_id == job_id).order_by(col(JobItem.id))
        )
        return JobDetail(
            **_job_view(job, user.name if user else "?"),
            variants=[_job_item(item) for item in items],
        )


def _job_item(item: JobItem) -> JobItemView:
    return JobItemView(key=item.key, status=item.status, variant_id=item.variant_id,
                       error=item.error, rounds=[r["kind"] for r in item.rounds])  # fmt: skip
