"""Drafting a brief: now, for whoever asked and is waiting (`studio generate`), saved as a job
claimed by the caller or with no database at all when nothing is to be kept; or queued for
`studio worker` (the UI's New brief page, which follows the job's progress)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from studio.drafting.brief import load_brief, parse_brief, read_brief
from studio.drafting.factory import configured_drafter as configured_drafter  # for the UI
from studio.drafting.factory import default_provider_name, describe, make_provider
from studio.drafting.openai_provider import OpenAIProvider
from studio.drafting.provider import DraftingError, Provider, close_provider
from studio.drafting.runner import Outcome as Outcome  # what surfaces print
from studio.drafting.runner import draft_all
from studio.services import jobs
from studio.services.acting import authorize
from studio.services.learning import lessons_for
from studio.services.policy import Action
from studio.store.db import Database

OnOutcome = Callable[[Outcome], Awaitable[None]]


@dataclass(frozen=True)
class Plan:
    """What is about to be drafted, told before the first call so progress has a total."""

    variants: int
    drafter: str
    learning: str | None = None  # what `learn_from` found to learn from, or why nothing


@dataclass
class Drafted:
    """How a drafting run ended; `variant_ids` maps each variant's key to its saved id."""

    job_id: int | None
    status: str
    drafter: str
    is_llm: bool
    outcomes: list[Outcome]
    variant_ids: dict[str, int | None]


def draft_brief(
    brief_path: Path,
    *,
    provider_name: str | None,
    db: Database | None,
    actor: str | None,
    rounds: int,
    on_plan: Callable[[Plan], None],
    on_outcome: OnOutcome,
) -> Drafted:
    """Draft a brief file's variants, check and repair them; with a database, save them as a
    job by `actor` (each variant saved as it arrives)."""
    brief = load_brief(brief_path)
    provider = make_provider(provider_name)
    lessons = lessons_for(db, brief)
    tasks = jobs.build_tasks(brief, lessons)
    on_plan(Plan(len(tasks), describe(provider), lessons.note))
    if db is None:
        outcomes = asyncio.run(_draft_unsaved(provider, tasks, rounds, on_outcome))
        status = "failed" if any(not o.ok for o in outcomes) else "done"
        return Drafted(None, status, describe(provider), provider.is_llm, outcomes, {})
    if actor is None:
        raise ValueError("saving drafts needs the acting user")
    job_id = jobs.enqueue(db, brief, actor=actor, provider=provider.name,
                          options={"rounds": rounds},
                          claim_for=f"generate@{jobs.worker_name()}")  # fmt: skip
    result = asyncio.run(_run_saved(db, job_id, provider, on_outcome))
    return Drafted(job_id, result.status, describe(provider), provider.is_llm, result.outcomes,
                   jobs.saved_variants(db, job_id))  # fmt: skip


def queue_brief(db: Database, *, actor: str, text: bytes, source: str, rounds: int = 2) -> int:
    """Check a brief (the same messages as `studio generate`, naming `source` and the line)
    and queue it for the worker with the configured drafter; the job's id."""
    brief = read_brief(text, source)
    return jobs.enqueue(db, brief, actor=actor, provider=default_provider_name(),
                        options={"rounds": rounds})  # fmt: skip


def queue_brief_fields(db: Database, *, actor: str, fields: dict[str, Any],
                       rounds: int = 2) -> int:  # fmt: skip
    """A brief filled in field by field (the New brief form): checked with the same messages
    as a brief file, naming each field, and queued like `queue_brief`."""
    brief = parse_brief(fields, "the form")
    return jobs.enqueue(db, brief, actor=actor, provider=default_provider_name(),
                        options={"rounds": rounds})  # fmt: skip


@dataclass(frozen=True)
class ConnectionCheck:
    """What a "test connection" found: `ok`, and what answered or why nothing did."""

    drafter: str
    ok: bool
    detail: str
    seconds: float


def test_connection(db: Database, *, actor: str) -> ConnectionCheck:
    """Call the configured drafter once (admins only): a tiny completion from an LLM endpoint;
    the offline drafter needs no connection and says so."""
    authorize(db, actor, Action.CONFIGURE, ("settings", "llm"))
    provider = make_provider(None)
    if not isinstance(provider, OpenAIProvider):
        offline = "no endpoint is configured: the offline drafter needs no connection"
        return ConnectionCheck(describe(provider), True, offline, 0.0)
    started = time.monotonic()
    try:
        model = asyncio.run(_probe(provider))
    except DraftingError as exc:
        return ConnectionCheck(describe(provider), False, str(exc), time.monotonic() - started)
    return ConnectionCheck(describe(provider), True, f"model {model} answered",
                           time.monotonic() - started)  # fmt: skip


async def _probe(provider: OpenAIProvider) -> str:
    try:
        return await provider.probe()
    finally:
        await provider.close()


async def _draft_unsaved(
    provider: Provider, tasks: list[jobs.DraftTask], rounds: int, on_outcome: OnOutcome
) -> list[Outcome]:
    try:
        return await draft_all(provider, tasks, concurrency=provider.concurrency,
                               max_rounds=rounds, on_outcome=on_outcome)  # fmt: skip
    finally:
        await close_provider(provider)


async def _run_saved(
    db: Database, job_id: int, provider: Provider, on_outcome: OnOutcome
) -> jobs.JobResult:
    try:
        return await jobs.run_job(db, job_id, provider, on_outcome=on_outcome)
    finally:
        await close_provider(provider)
