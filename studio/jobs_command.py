"""`studio jobs list|show|retry`: where drafting runs stand, variant by variant."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer
from sqlmodel import col, select

from studio.cli_support import database, print_json, reporting_errors, signed_in
from studio.drafting import jobs
from studio.models import MAX_ID, Job, User, iso_seconds

app = typer.Typer(help="Drafting jobs.", no_args_is_help=True)
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON.")]
JobId = Annotated[int, typer.Argument(min=1, max=MAX_ID, help="The job's number.")]


def _summary(job: Job, requested_by: str) -> dict[str, Any]:
    return {"id": job.id, "status": job.status, "provider": job.provider, "brief": job.brief_id,
            "requested_by": requested_by, "created_at": iso_seconds(job.created_at),
            "attempts": job.attempts, "worker": job.worker, "error": job.error}  # fmt: skip


@app.command("list")
def list_jobs(
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 50, as_json: JsonFlag = False
) -> None:
    """The newest jobs first."""
    db = database()
    signed_in(db)
    with db.read() as session:
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
def show(job_id: JobId, as_json: JsonFlag = False) -> None:
    """One job and the status of each of its variants."""
    db = database()
    signed_in(db)
    with reporting_errors(), db.read() as session:
        job = jobs.get_job(session, job_id)
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
def retry(job_id: JobId) -> None:
    """Queue a failed job again; only its failed variants are drafted (by `studio worker`)."""
    db = database()
    actor = signed_in(db).name
    with reporting_errors():
        count = jobs.retry_failed(db, job_id, actor=actor)
    sys.stdout.write(f"job #{job_id} is queued again: {count} variant(s) to draft; run "
                     "`studio worker` to draft them\n")  # fmt: skip
