"""`studio generate BRIEF.yaml`: draft a brief's variants, check and repair them, save them as a
job (unless `--no-save`), and print each with what still fails. Progress goes to stderr as each
variant arrives; exit 1 when any variant could not be drafted."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any, TextIO

from studio.db import Database
from studio.drafting import jobs
from studio.drafting.brief import load_brief
from studio.drafting.factory import describe, make_provider
from studio.drafting.provider import Provider, close_provider
from studio.drafting.runner import Outcome, draft_all


def generate(
    brief_path: Path,
    *,
    provider_name: str | None,
    fmt: str,
    db: Database | None,
    actor: str | None,
    rounds: int,
    out: TextIO,
    err: TextIO,
) -> int:
    brief = load_brief(brief_path)
    provider = make_provider(provider_name)
    tasks = jobs.build_tasks(brief)
    err.write(f"drafting {len(tasks)} variants of {brief_path.name} with {describe(provider)}\n")
    progress = _Progress(len(tasks), err)
    options = {"rounds": rounds}
    if db is None:
        outcomes = asyncio.run(_draft_unsaved(provider, tasks, rounds, progress))
        variant_ids: dict[str, int | None] = {}
        job_id, status = None, "failed" if any(not o.ok for o in outcomes) else "done"
    else:
        assert actor is not None
        job_id = jobs.enqueue(db, brief, actor=actor, provider=provider.name, options=options,
                              claim_for=f"generate@{jobs.worker_name()}")  # fmt: skip
        result = asyncio.run(_run_saved(db, job_id, provider, progress))
        outcomes, status = result.outcomes, result.status
        with db.read() as session:
            variant_ids = {item.key: item.variant_id for item in jobs.job_items(session, job_id)}
    if fmt == "json":
        out.write(json.dumps(_as_json(job_id, status, provider, outcomes, variant_ids),
                             indent=2, ensure_ascii=False) + "\n")  # fmt: skip
    else:
        _print_text(job_id, status, provider, outcomes, variant_ids, out)
    return 0 if status == "done" else 1


class _Progress:
    def __init__(self, total: int, err: TextIO) -> None:
        self.total, self.done, self.err = total, 0, err

    async def __call__(self, outcome: Outcome) -> None:
        self.done += 1
        state = f"failed: {outcome.error}" if outcome.error else _verdict(outcome)
        self.err.write(f"[{self.done}/{self.total}] {outcome.task.key}: {state}\n")
        self.err.flush()


async def _draft_unsaved(
    provider: Provider, tasks: list[Any], rounds: int, progress: _Progress
) -> list[Outcome]:
    try:
        return await draft_all(provider, tasks, concurrency=provider.concurrency,
                               max_rounds=rounds, on_outcome=progress)  # fmt: skip
    finally:
        await close_provider(provider)


async def _run_saved(
    db: Database, job_id: int, provider: Provider, progress: _Progress
) -> jobs.JobResult:
    try:
        return await jobs.run_job(db, job_id, provider, on_outcome=progress)
    finally:
        await close_provider(provider)


def _verdict(outcome: Outcome) -> str:
    return outcome.report.verdict.value if outcome.report else "no copy"


def _as_json(
    job_id: int | None,
    status: str,
    provider: Provider,
    outcomes: list[Outcome],
    variant_ids: dict[str, int | None],
) -> dict[str, Any]:
    return {
        "job": job_id,
        "status": status,
        "drafter": describe(provider),
        "is_llm": provider.is_llm,
        "variants": [
            {
                "key": o.task.key,
                "group": o.task.group,
                "variant_id": variant_ids.get(o.task.key),
                "ok": o.ok,
                "error": o.error,
                "verdict": _verdict(o),
                "fields": o.fields,
                "findings": [f.model_dump(mode="json") for f in o.report.findings]
                if o.report
                else [],
                "rounds": [r.summary() for r in o.rounds],
                "provenance": o.provenance if o.rounds else None,
            }
            for o in outcomes
        ],
    }


def _print_text(
    job_id: int | None,
    status: str,
    provider: Provider,
    outcomes: list[Outcome],
    variant_ids: dict[str, int | None],
    out: TextIO,
) -> None:
    write = out.write
    if not provider.is_llm:
        write("NOTE: drafted by the offline drafter from templates, not by an LLM.\n")
    for o in outcomes:
        saved = (
            f", saved as variant #{variant_ids[o.task.key]}" if variant_ids.get(o.task.key) else ""
        )
        rounds = " -> ".join(r.kind for r in o.rounds) or "none"
        write(f"\n== {o.task.key} [{_verdict(o)}] rounds: {rounds}{saved}\n")
        if o.error:
            write(f"   FAILED: {o.error}\n")
        for name, value in o.fields.items():
            for text in value if isinstance(value, list) else [value]:
                indented = text.replace("\n", "\n" + " " * (len(name) + 5))
                write(f"   {name}: {indented}\n")
        for f in o.report.findings if o.report else []:
            write(f'   {f.severity} {f.rule} {f.field} "{f.text}": {f.message}\n')
    ok = sum(o.ok for o in outcomes)
    job = f"job #{job_id} " if job_id else ""
    write(f"\n{job}{status}: {ok} of {len(outcomes)} variants drafted\n")
