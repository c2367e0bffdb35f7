"""`studio worker`: run queued drafting jobs until stopped (or, with --once, the queue is empty)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from studio.cli.support import database, reporting_errors
from studio.workers import drafting


def worker(
    once: Annotated[bool, typer.Option(help="Stop when the queue is empty.")] = False,
    poll: Annotated[float, typer.Option(help="Seconds between looks at an empty queue.")] = 2.0,
) -> None:
    """Run queued drafting jobs (several workers may share a PostgreSQL database)."""
    db = database()

    def log(line: str) -> None:
        sys.stderr.write(line + "\n")

    with reporting_errors():
        ran = drafting.serve(db, once=once, poll=poll, log=log)
    log(f"worker: {ran} job(s) run")
