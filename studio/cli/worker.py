"""`studio worker`: run queued drafting jobs and deliver webhooks until stopped (or, with
--once, until nothing is queued or due)."""

from __future__ import annotations

import sys
import threading
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

    def deliver() -> None:
        results["webhooks"] = webhooks.serve(
            db,
            timeout=settings().webhook_timeout,
            once=once,
            poll=poll,
            concurrency=webhook_concurrency,
            stop=stop,
            log=log,
        )

    dispatcher = threading.Thread(target=deliver, name="webhooks", daemon=True)
    dispatcher.start()
    try:
        with reporting_errors():
            ran = drafting.serve(db, once=once, poll=poll, log=log)
        dispatcher.join()
    finally:
        stop.set()
    log(f"worker: {ran} job(s) run, {results.get('webhooks', 0)} webhook attempt(s) made")
