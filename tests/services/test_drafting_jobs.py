"""Drafting jobs on SQLite and PostgreSQL: saved before any call, one failure fails one variant,
several workers never run one job twice, a dead worker's job resumes where it stopped."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
from typing import Any

import pytest
from sqlalchemy import update
from sqlmodel import col, select

from studio.drafting.openai_provider import LLMSettings, OpenAIProvider
from studio.errors import InvalidInput, Refused
from studio.services import jobs
from studio.store.db import Database
from studio.store.models import Brief as BriefRow
from studio.store.models import Job, JobItem, Variant, VariantVersion
from studio.workers import drafting as worker
from tests.helpers.briefs import brief, copy_reply
from tests.helpers.fake_openai import FakeOpenAI, Reply


def provider(url: str) -> OpenAIProvider:
    return OpenAIProvider(LLMSettings(base_url=url, api_key="t", model="fake-model",
                                      max_retries=0, timeout=3))  # fmt: skip


def enqueue(db: Database, **kwargs: Any) -> int:
    return jobs.enqueue(db, brief(**kwargs), actor="wendy", provider="openai", options={})


def run(db: Database, job_id: int, url: str) -> jobs.JobResult:
    async def go() -> jobs.JobResult:
        llm = provider(url)
        try:
            return await jobs.run_job(db, job_id, llm, concurrency=1)
        finally:
            await llm.close()

    return asyncio.run(go())


def test_variants_are_saved_as_drafts_with_provenance(db: Database) -> None:
    job_id = enqueue(db)
    with FakeOpenAI(copy_reply) as server:
        result = run(db, job_id, server.base_url)
    assert result.status == "done" and result.error is None
    with db.read() as session:
        saved = session.exec(select(Variant).order_by(col(Variant.id))).all()
        versions = session.exec(select(VariantVersion)).all()
        job = session.get(Job, job_id)
    assert len(saved) == 3 and {v.status for v in saved} == {"draft"}
    assert saved[0].name == f"brightleaf-j{job_id}-sms-commuters-a"
    assert saved[0].variant_group == "brightleaf-winter-routine-sms-commuters"
    provenance = versions[0].provenance
    assert provenance["model"] == "fake-model" and provenance["job"] == job_id
    assert provenance["rules_version"].startswith("sha256:")
    assert provenance["usage"]["completion_tokens"] == 7
    assert job is not None and job.finished_at is not None


def test_one_failed_call_fails_one_variant_not_the_brief(db: Database) -> None:
    job_id = enqueue(db)
    with FakeOpenAI(copy_reply) as server:
        server.script(Reply(status=500, content="boom"))
        result = run(db, job_id, server.base_url)
    assert result.status == "failed" and result.error and "1 of 3 variants failed" in result.error
    with db.read() as session:
        items = session.exec(select(JobItem).order_by(col(JobItem.id))).all()
        assert [i.status for i in items].count("done") == 2
        failed = next(i for i in items if i.status == "failed")
        assert failed.error and "HTTP 500" in failed.error and failed.variant_id is None
        assert len(session.exec(select(Variant)).all()) == 2


def test_an_unreachable_endpoint_keeps_the_brief(db: Database) -> None:
    with FakeOpenAI() as server:
        url = server.base_url
    job_id = enqueue(db)
    result = run(db, job_id, url)
    assert result.status == "failed" and result.error and url in result.error
    with db.read() as session:
        (row,) = session.exec(select(BriefRow)).all()
        assert row.spec["key_message"] == "A simple daily routine"  # saved before any call
        assert session.exec(select(Variant)).all() == []


def test_several_workers_never_claim_the_same_job(db: Database) -> None:
    job_ids = [enqueue(db) for _ in range(6)]
    claims: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(3)

    def worker(name: str) -> None:
        start.wait()
        while (job_id := jobs.claim_next(db, name)) is not None:
            with lock:
                claims.append(job_id)

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(claims) == sorted(job_ids)  # every job once, none twice
    with db.read() as session:
        assert {j.status for j in session.exec(select(Job))} == {"running"}


def crash(db: Database, item_states: list[str]) -> None:
    """Leave the job as a dead worker would: running, items in the given states, no heartbeat."""
    with db.write() as session:
        items = session.exec(select(JobItem).order_by(col(JobItem.id))).all()
        for item, state in zip(items, item_states, strict=True):
            item.status = state
            session.add(item)
        long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10)
        session.connection().execute(update(Job).values(status="running", heartbeat_at=long_ago))


def test_a_dead_workers_job_resumes_with_only_its_unfinished_variants(db: Database) -> None:
    job_id = enqueue(db)
    with FakeOpenAI(copy_reply) as server:
        server.script(Reply(status=500), Reply(status=500))
        run(db, job_id, server.base_url)  # one variant saved, two failed
    crash(db, _states(db))
    assert jobs.requeue_stale(db) == [job_id]
    assert jobs.claim_next(db, "w2") == job_id
    with FakeOpenAI(copy_reply) as server:
        result = run(db, job_id, server.base_url)
        calls = len(server.requests)
    assert result.status == "done" and calls == 2  # the saved variant was not drafted again
    with db.read() as session:
        assert len(session.exec(select(Variant)).all()) == 3


def _states(db: Database) -> list[str]:
    """Done items stay done; the failed ones were in flight when the worker died."""
    with db.read() as session:
        items = session.exec(select(JobItem).order_by(col(JobItem.id))).all()
    return ["done" if i.status == "done" else "running" for i in items]


def test_a_variant_saved_just_before_a_crash_is_linked_not_drafted_again(db: Database) -> None:
    job_id = enqueue(db)
    with FakeOpenAI(copy_reply) as server:
        run(db, job_id, server.base_url)
    crash(db, ["done", "running", "running"])  # saved, but the items were never marked done
    jobs.requeue_stale(db)
    jobs.claim_next(db, "w2")
    with FakeOpenAI(copy_reply) as server:
        result = run(db, job_id, server.base_url)
        calls = len(server.requests)
    assert result.status == "done" and calls == 0
    with db.read() as session:
        items = session.exec(select(JobItem)).all()
        assert len(items) == 3 and all(i.variant_id for i in items)
        assert len(session.exec(select(Variant)).all()) == 3


def test_the_worker_loop_runs_queued_jobs(db: Database) -> None:
    first, second = enqueue(db), enqueue(db)
    with FakeOpenAI(copy_reply) as server:
        ran = worker.serve(
            db, lambda _name: provider(server.base_url), once=True, log=lambda _: None
        )
    assert ran == 2
    with db.read() as session:
        assert {session.get(Job, i).status for i in (first, second)} == {"done"}  # type: ignore[union-attr]


def test_a_failed_job_can_be_retried_and_drafts_only_what_failed(db: Database) -> None:
    job_id = enqueue(db)
    with FakeOpenAI(copy_reply) as server:
        server.script(Reply(status=500))
        assert run(db, job_id, server.base_url).status == "failed"
    with pytest.raises(Refused, match="rita is a reviewer; only an admin or a copywriter"):
        jobs.retry_failed(db, job_id, actor="rita")
    assert jobs.retry_failed(db, job_id, actor="wendy") == 1
    with pytest.raises(InvalidInput, match="only a failed job can be retried"):
        jobs.retry_failed(db, job_id, actor="wendy")
    with FakeOpenAI(copy_reply) as server:
        ran = worker.serve(
            db, lambda _name: provider(server.base_url), once=True, log=lambda _: None
        )
        calls = len(server.requests)
    assert ran == 1 and calls == 1
    with db.read() as session:
        assert session.get(Job, job_id).status == "done"  # type: ignore[union-attr]
        assert len(session.exec(select(Variant)).all()) == 3
