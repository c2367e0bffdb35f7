"""`studio jobs list|show|retry`: where drafting runs stand, variant by variant."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from studio.cli.support import database, print_json, reporting_errors, signed_in
from studio.services import jobs, queries
from studio.services.schemas import MAX_ID

app = typer.Typer(help="Drafting jobs.", no_args_is_help=True)
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON.")]
JobId = Annotated[int, typer.Argument(min=1, max=MAX_ID, help="The job's number.")]


@app.command("list")
def list_jobs(
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 50, as_json: JsonFlag = False
) -> None:
    """The newest jobs first."""
    db = database()
    actor = signed_in(db).name
    with reporting_errors():
        rows = queries.list_jobs(db, actor, limit=limit)
    if as_json:
        print_json([row.model_dump(mode="json") for row in rows])
        return
    for row in rows:
        created = row.model_dump(mode="json")["created_at"]
        sys.stdout.write(f"#{row.id:<5} {row.status:<8} {row.provider:<8} "
                         f"brief #{row.brief:<5} {created}  {row.error or ''}\n")  # fmt: skip
    if not rows:
        sys.stdout.write("no jobs yet\n")


@app.command("show")
def show(job_id: JobId, as_json: JsonFlag = False) -> None:
    """One job and the status of each of its variants."""
    db = database()
    actor = signed_in(db).name
    with reporting_errors():
        job = queries.job_detail(db, actor, job_id)
    if as_json:
        print_json(job.model_dump(mode="json"))
        return
    sys.stdout.write(f"job #{job.id} {job.status} ({job.provider}), brief "
                     f"#{job.brief}, by {job.requested_by}\n")  # fmt: skip
    for item in job.variants:
        where = f"variant #{item.variant_id}" if item.variant_id else item.error or ""
        rounds = " -> ".join(item.rounds)
        sys.stdout.write(f"  {item.key:<36} {item.status:<8} {rounds:<24} {where}\n")


@app.command("retry")
def retry(job_id: JobId) -> None:
    """Queue a failed job again; only its failed variants are drafted (by `studio worker`)."""
    db = database()
    actor = signed_in(db).name
    with reporting_errors():
        count = jobs.retry_failed(db, job_id, actor=actor)
    sys.stdout.write(f"job #{job_id} is queued again: {count} variant(s) to draft; run "
                     "`studio worker` to draft them\n")  # fmt: skip
