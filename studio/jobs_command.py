"""`studio jobs list|show|retry`: where drafting runs stand, variant by variant."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer
from sqlmodel import col, select

from studio.cli_support import database, print_json, reporting_errors
from studio.drafting import jobs
from studio.errors import NotFound
from studio.models import Job, User, iso_seconds

app = typer.Typer(help="Drafting jobs.", no_args_is_help=True)
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _summary(job: Job, requested_by: str) -> dict[str, Any]:
    return {"id": job.id, "status": job.status, "provider": job.provider, "brief": job.brief_id,
            "requested_by": requested_by, "created_at": iso_seconds(job.created_at),
            "attempts": job.attempts, "worker": job.worker, "error": job.error}  # fmt: skip


@app.command("list")
def list_jobs(
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 50, as_json: JsonFlag = False
) -> None:
    """The newest jobs first."""
    with database().read() as session:
        names = {u.id: u.name for u in session.exec(select(User))}
        rows = [
            _summary(job, names.get(job.requested_by, "?"))
            for job in session.exec(select(Job).order_by(col(Job.id).desc()).limit(limit))
        ]
    if as_json:
        print_json(rows)
        return
    for row in rows:
        error = row["error"] or ""
        sys.stdout.write(f"#{row['id']:<5} {row['status']:<8} {row['provider']:<8} "
                         f"brief #{row['brief']:<5} {row['created_at']}  {error}\n")  # fmt: skip
    if not rows:
        sys.stdout.write("no jobs yet\n")


@app.command("show")
def show(job_id: int, as_json: JsonFlag = False) -> None:
    """One job and the status of each of its variants."""
    with reporting_errors(), database().read() as session:
        job = session.get(Job, job_id)
        if job is None:
            raise NotFound(f"no job #{job_id} (see `studio jobs list`)")
        user = session.get(User, job.requested_by)
        data = _summary(job, user.name if user else "?")
        data["variants"] = [
            {"key": item.key, "status": item.status, "variant_id": item.variant_id,
             "error": item.error, "rounds": [r["kind"] for r in item.rounds]}
            for item in jobs.job_items(session, job_id)
        ]  # fmt: skip
    if as_json:
        print_json(data)
        return
    sys.stdout.write(f"job #{data['id']} {data['status']} ({data['provider']}), brief "
                     f"#{data['brief']}, by {data['requested_by']}\n")  # fmt: skip
    for item in data["variants"]:
        where = f"variant #{item['variant_id']}" if item["variant_id"] else item["error"] or ""
        rounds = " -> ".join(item["rounds"])
        sys.stdout.write(f"  {item['key']:<36} {item['status']:<8} {rounds:<24} {where}\n")


@app.command("retry")
def retry(
    job_id: int,
    actor: Annotated[str, typer.Option("--as", help="Who asks for the retry.")],
) -> None:
    """Queue a failed job again; only its failed variants are drafted (by `studio worker`)."""
    with reporting_errors():
        count = jobs.retry_failed(database(), job_id, actor=actor)
    sys.stdout.write(f"job #{job_id} is queued again: {count} variant(s) to draft; run "
                     "`studio worker` to draft them\n")  # fmt: skip
