"""`studio worker`: run queued drafting jobs and deliver webhooks until stopped (or, with
--once, until nothing is queued or due).

Both loops wait out a database outage and keep going. If the webhook dispatcher's thread stops
on anything else (a bug), the worker does not go on half alive: it says so, lets the job it is
running finish, and exits with 1, so whatever supervises it (`studio up`, systemd) starts it
again."""

from __future__ import annotations

import sys
import threading
import traceback
from typing import Annotated

import typer

from studio.cli.support import database, reporting_errors
from studio.settings import settings
from studio.workers import drafting, webhooks


def worker(
    once: Annotated[bool, typer.Option(help="Stop when nothing is queued or due.")] = False,
    poll: Annotated[
        float,
        typer.Option(
            min=0.05,
            max=60,
            help="Seconds between looks at an empty queue (a look "
            "is one indexed query; a decision reaches its webhook within this).",
        ),
    ] = 0.25,
    webhook_concurrency: Annotated[
        int, typer.Option(min=1, max=256, help="Webhook deliveries in flight at once.")
    ] = 16,
) -> None:
    """Run queued drafting jobs and deliver webhooks (several workers may share a PostgreSQL
    database)."""
    db = database()
    lock = threading.Lock()

    def log(line: str) -> None:
        with lock:
            sys.stderr.write(line + "\n")
            sys.stderr.flush()

    stop = threading.Event()
    results: dict[str, int] = {}

    died: list[BaseException] = []

    def deliver() -> None:
        try:
            results["webhooks"] = webhooks.serve(
                db,
                timeout=settings().webhook_timeout,
                once=once,
                poll=poll,
                concurrency=webhook_concurrency,
                stop=stop,
                log=log,
            )
        except BaseException as exc:
            died.append(exc)
            log(f"worker: the webhook dispatcher stopped on an error:\n{traceback.format_exc()}"
                "worker: stopping (exit 1) so that it is started again")  # fmt: skip
            stop.set()

    dispatcher = threading.Thread(target=deliver, name="webhooks", daemon=True)
    dispatcher.start()
    try:
        with reporting_errors():
            ran = drafting.serve(db, once=once, poll=poll, log=log, stop=stop)
        dispatcher.join()
    finally:
        stop.set()
    log(f"worker: {ran} job(s) run, {results.get('webhooks', 0)} webhook attempt(s) made")
    if died:
        raise typer.Exit(1)
