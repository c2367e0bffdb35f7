"""Drafting jobs: a brief's variants drafted as a persisted job, independent of whoever asked.

The brief, the job and one item per variant are saved before any model is called. A worker
claims a job (PostgreSQL: `FOR UPDATE SKIP LOCKED`, so several workers never take the same one;
SQLite: the write lock), saves each variant as it arrives, and beats a heartbeat; a job whose
heartbeat stops (a crashed worker or CLI) is put back in the queue, and only its unfinished
variants are drafted again.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from studio.drafting.brief import Brief
from studio.drafting.factory import make_provider as make_provider  # for workers
from studio.drafting.provider import (
    DraftTask,
    Provider,
    angles_for,
    close_provider,
    ranked_angles,
)
from studio.drafting.runner import DEFAULT_REPAIR_ROUNDS, Outcome, draft_all
from studio.errors import InvalidInput, StudioError
from studio.services import audit, packs, review
from studio.services.acting import attempt
from studio.services.learning import Lessons, lessons_for
from studio.services.policy import Action, require_role
from studio.store import brands
from studio.store import jobs as job_rows
from studio.store.db import Database
from studio.store.models import Brief as BriefRow
from studio.store.models import Job, JobItem, JobStatus, User, Variant, saved_id, utcnow

STALE_AFTER = dt.timedelta(seconds=60)
HEARTBEAT_EVERY = 5.0


def build_tasks(brief: Brief, lessons: Lessons | None = None) -> list[DraftTask]:
    """Every variant the brief asks for: segment x channel x count, angles taken in turn (the
    best measured angles first when the brief learns from results)."""
    pack = packs.brand_pack(brief.brand)
    known = {claim.id for claim in pack.pack.claims}
    for i, claim_id in enumerate(brief.claims):
        if claim_id not in known:
            raise InvalidInput(
                f"the brief is not valid:\n  claims[{i}]: {claim_id!r} is not in the "
                f"{brief.brand} claims registry (known: {', '.join(sorted(known)) or 'none'})"
            )
    tasks: list[DraftTask] = []
    for request in brief.channels:
        examples = lessons.for_request(request) if lessons else ()
        angles = ranked_angles(angles_for(brief), examples)
        tasks.extend(
            DraftTask(brief, pack, segment, request, index, angles[index % len(angles)], examples)
            for segment in brief.segments
            for index in range(request.count)
        )
    return tasks


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def enqueue(
    db: Database, brief: Brief, *, actor: str, provider: str, options: dict[str, Any],
    title: str | None = None, claim_for: str | None = None,
) -> int:  # fmt: skip
    """Save the brief, a job and its items in one transaction; returns the job id.

    With `claim_for`, the job starts claimed by that worker (the CLI runs it itself).
    """
    tasks = build_tasks(brief)

    def body(session: Session, user: User) -> int:
        require_role(user, Action.CREATE)
        brand = brands.ensure(session, brief.brand, tasks[0].pack)
        row = BriefRow(
            brand_id=saved_id(brand),
            title=title or brief.campaign,
            spec=brief.model_dump(mode="json"),
            offer_ends=brief.offer.ends if brief.offer else None,
            created_by=saved_id(user),
        )
        session.add(row)
        session.flush()
        now = utcnow()
        job = Job(
            brief_id=saved_id(row),
            provider=provider,
            requested_by=saved_id(user),
            options=options,
            status=JobStatus.RUNNING if claim_for else JobStatus.QUEUED,
            worker=claim_for,
            attempts=1 if claim_for else 0,
            started_at=now if claim_for else None,
            heartbeat_at=now if claim_for else None,
        )
        session.add(job)
        session.flush()
        session.add_all(JobItem(job_id=job.id or 0, key=task.key) for task in tasks)
        audit.record(session, user.name, "job.enqueue", "job", job.id or 0,
                     state_after=job.status, detail={"brief": row.id, "provider": provider,
                                                     "variants": len(tasks)})  # fmt: skip
        return saved_id(job)

    return attempt(db, actor, "job.enqueue", ("job", "-"), body)


def claim_next(db: Database, worker: str) -> int | None:
    """Take the oldest queued job for this worker, or None. Never the same job twice."""
    with db.write() as session:
        statement = (
            select(Job.id)
            .where(Job.status == JobStatus.QUEUED)
            .order_by(col(Job.id))
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        job_id = session.exec(statement).first()
        if job_id is None:
            return None
        now = utcnow()
        claimed = session.connection().execute(
            update(Job)
            .where(col(Job.id) == job_id, col(Job.status) == JobStatus.QUEUED)
            .values(
                status=JobStatus.RUNNING,
                worker=worker,
                started_at=now,
                heartbeat_at=now,
                attempts=col(Job.attempts) + 1,
            )
        )
        if claimed.rowcount != 1:
            return None
        audit.record(session, worker[:64], "job.claim", "job", job_id,
                     state_before="queued", state_after="running")  # fmt: skip
        return job_id


def requeue_stale(db: Database, stale_after: dt.timedelta = STALE_AFTER) -> list[int]:
    """Jobs whose worker stopped beating: back to the queue, unfinished items with them."""
    cutoff = utcnow() - stale_after
    with db.write() as session:
        stale = list(
            session.exec(
                select(Job).where(Job.status == JobStatus.RUNNING, col(Job.heartbeat_at) < cutoff)
            )
        )
        for job in stale:
            session.connection().execute(
                update(JobItem)
                .where(col(JobItem.job_id) == job.id, col(JobItem.status) == JobStatus.RUNNING)
                .values(status=JobStatus.QUEUED)
            )
            before_worker = job.worker
            job.status, job.worker = JobStatus.QUEUED, None
            session.add(job)
            audit.record(session, audit.SYSTEM, "job.requeue", "job", job.id or 0,
                         state_before="running", state_after="queued",
                         detail={"worker": before_worker, "reason": "no heartbeat"})  # fmt: skip
        return [job.id for job in stale if job.id is not None]


def retry_failed(db: Database, job_id: int, *, actor: str) -> int:
    """Queue a failed job again with its failed items; returns how many will be drafted."""

    def body(session: Session, user: User) -> int:
        require_role(user, Action.CREATE)
        job = job_rows.get(session, job_id)
        if job.status != JobStatus.FAILED:
            raise InvalidInput(f"job #{job_id} is {job.status}; only a failed job can be retried")
        failed = session.exec(
            select(JobItem).where(JobItem.job_id == job_id, JobItem.status == JobStatus.FAILED)
        ).all()
        for item in failed:
            item.status, item.error, item.updated_at = JobStatus.QUEUED, None, utcnow()
            session.add(item)
        job.status, job.worker, job.error, job.finished_at = JobStatus.QUEUED, None, None, None
        session.add(job)
        audit.record(session, user.name, "job.retry", "job", job_id, state_before="failed",
                     state_after="queued", detail={"variants": len(failed)})  # fmt: skip
        return len(failed)

    return attempt(db, actor, "job.retry", ("job", job_id), body)


@dataclass
class JobResult:
    job_id: int
    status: str
    outcomes: list[Outcome]
    error: str | None


async def run_job(
    db: Database,
    job_id: int,
    provider: Provider,
    *,
    concurrency: int | None = None,
    on_outcome: Callable[[Outcome], Awaitable[None]] | None = None,
) -> JobResult:
    """Draft every unfinished item of a claimed job, saving each variant as it arrives."""
    job, brief, author, pending = await asyncio.to_thread(_load, db, job_id)
    lessons = await asyncio.to_thread(lessons_for, db, brief)
    tasks = [task for task in build_tasks(brief, lessons) if task.key in pending]
    rounds = int(job.options.get("rounds", DEFAULT_REPAIR_ROUNDS))
    limit = concurrency or provider.concurrency

    arrived: asyncio.Queue[Outcome | None] = asyncio.Queue()

    async def saver() -> None:
        """Save what has arrived, together when several arrived at once: one transaction."""
        finished = False
        while not finished:
            batch = [await arrived.get()]
            while not arrived.empty():
                batch.append(arrived.get_nowait())
            finished = None in batch
            ready = [outcome for outcome in batch if outcome is not None]
            if ready:
                await asyncio.to_thread(_save_batch, db, job, author, pending, ready)
            for outcome in ready:
                if on_outcome is not None:
                    await on_outcome(outcome)

    async def arrive(outcome: Outcome) -> None:
        arrived.put_nowait(outcome)

    saving = asyncio.create_task(saver())
    beating = asyncio.create_task(_heartbeat(db, job_id))
    try:
        outcomes = await draft_all(
            provider, tasks, concurrency=limit, max_rounds=rounds, on_outcome=arrive
        )
    finally:
        arrived.put_nowait(None)
        await saving
        beating.cancel()
    status, error = await asyncio.to_thread(_finish, db, job_id)
    return JobResult(job_id, status, outcomes, error)


def _load(db: Database, job_id: int) -> tuple[Job, Brief, str, dict[str, int]]:
    """The job, its brief and author, and its unfinished items (now marked running).

    An item whose variant was saved before a crash (but not marked done) is linked to that
    variant now instead of being drafted again.
    """
    with db.write() as session:
        job = job_rows.get(session, job_id)
        spec = session.get(BriefRow, job.brief_id)
        assert spec is not None  # a foreign key
        brief = Brief.model_validate(spec.spec)
        author = session.get(User, job.requested_by)
        items = session.exec(
            select(JobItem).where(JobItem.job_id == job_id, JobItem.status != JobStatus.DONE)
        ).all()
        pending: dict[str, int] = {}
        for item in items:
            name = variant_name(brief.brand, job_id, item.key)
            saved = session.exec(select(Variant.id).where(Variant.name == name)).first()
            item.status = JobStatus.DONE if saved else JobStatus.RUNNING
            item.variant_id, item.updated_at = saved or item.variant_id, utcnow()
            session.add(item)
            if not saved:
                pending[item.key] = item.id or 0
        return job, brief, author.name if author else "?", pending


def _save_batch(
    db: Database, job: Job, author: str, pending: dict[str, int], outcomes: list[Outcome]
) -> None:
    """Drafted variants saved with their items marked done, in one transaction; if that fails
    (one bad variant), each is saved alone, so a failure fails its own item only."""
    drafted = [o for o in outcomes if o.ok]
    for outcome in outcomes:
        if not outcome.ok:
            with db.write() as session:
                _record_item(session, job, pending[outcome.task.key], outcome,
                             JobStatus.FAILED, None, outcome.error)  # fmt: skip
    if not drafted:
        return
    try:
        _save_drafted(db, job, author, pending, drafted)
        return
    except Exception as exc:  # one bad variant must not take the others down with it
        if len(drafted) == 1:
            _save_failure(db, job, pending, drafted[0], exc)
            return
    for outcome in drafted:
        try:
            _save_drafted(db, job, author, pending, [outcome])
        except Exception as exc:
            _save_failure(db, job, pending, outcome, exc)


def _save_drafted(
    db: Database, job: Job, author: str, pending: dict[str, int], outcomes: list[Outcome]
) -> None:
    items = [
        review.NewVariant(
            brand=o.task.brief.brand, channel=o.task.copy_channel, fields=o.fields,
            name=variant_name(o.task.brief.brand, job.id or 0, o.task.key),
            brief_id=job.brief_id, variant_group=o.task.group,
            provenance={**o.provenance, "job": job.id, "rules_version": o.task.pack.version},
        )
        for o in outcomes
    ]  # fmt: skip

    def mark_done(session: Session, variants: list[Variant]) -> None:
        for outcome, variant in zip(outcomes, variants, strict=True):
            _record_item(session, job, pending[outcome.task.key], outcome, JobStatus.DONE,
                         variant.id, None)  # fmt: skip

    review.create_variants(db, actor=author, items=items, also=mark_done)


def _save_failure(
    db: Database, job: Job, pending: dict[str, int], outcome: Outcome, exc: Exception
) -> None:
    message = exc.message if isinstance(exc, StudioError) else f"{type(exc).__name__}: {exc}"
    with db.write() as session:
        _record_item(session, job, pending[outcome.task.key], outcome, JobStatus.FAILED, None,
                     f"could not save the variant: {message}")  # fmt: skip


def _record_item(
    session: Session,
    job: Job,
    item_id: int,
    outcome: Outcome,
    status: JobStatus,
    variant_id: int | None,
    error: str | None,
) -> None:
    item = session.get(JobItem, item_id)
    assert item is not None
    item.status, item.variant_id, item.error = status, variant_id, error
    item.rounds = [r.summary() for r in outcome.rounds]
    item.updated_at = utcnow()
    session.add(item)
    session.connection().execute(
        update(Job).where(col(Job.id) == job.id).values(heartbeat_at=utcnow())
    )


def variant_name(brand: str, job_id: int, key: str) -> str:
    """Stable and unique per job item, so a resumed job can find what it already saved."""
    return f"{brand}-j{job_id}-{key.replace('/', '-')}".lower()[:120]


def _finish(db: Database, job_id: int) -> tuple[str, str | None]:
    with db.write() as session:
        job = session.get(Job, job_id)
        assert job is not None
        items = session.exec(select(JobItem).where(JobItem.job_id == job_id)).all()
        failed = [item for item in items if item.status != JobStatus.DONE]
        job.status = JobStatus.FAILED if failed else JobStatus.DONE
        job.error = (
            f"{len(failed)} of {len(items)} variants failed; first: {failed[0].key}: "
            f"{failed[0].error}"
            if failed
            else None
        )
        job.finished_at = utcnow()
        session.add(job)
        audit.record(session, job.worker or audit.SYSTEM, "job.finish", "job", job_id,
                     state_before="running", state_after=job.status,
                     detail={"failed": len(failed), "variants": len(items)})  # fmt: skip
        return job.status, job.error


async def _heartbeat(db: Database, job_id: int) -> None:
    while True:
        await asyncio.sleep(HEARTBEAT_EVERY)
        await asyncio.to_thread(_beat, db, job_id)


def _beat(db: Database, job_id: int) -> None:
    with db.write() as session:
        session.connection().execute(
            update(Job).where(col(Job.id) == job_id).values(heartbeat_at=utcnow())
        )


def saved_variants(db: Database, job_id: int) -> dict[str, int | None]:
    """Each item's key and the variant saved for it (None while it has none)."""
    with db.read() as session:
        items = session.exec(select(JobItem).where(JobItem.job_id == job_id))
        return {item.key: item.variant_id for item in items}


def provider_of(db: Database, job_id: int) -> str:
    """The drafter a job was queued for."""
    with db.read() as session:
        return job_rows.get(session, job_id).provider


def run_claimed(db: Database, job_id: int, provider: Provider) -> JobResult:
    """Run a job this worker claimed to its end, closing the drafter after."""
    return asyncio.run(_run_and_close(db, job_id, provider))


async def _run_and_close(db: Database, job_id: int, provider: Provider) -> JobResult:
    try:
        return await run_job(db, job_id, provider)
    finally:
        await close_provider(provider)
