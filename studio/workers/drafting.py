"""`studio worker`: the drafting job loop. Each turn puts dead workers' jobs back in the queue,
claims the oldest queued job and runs it; the job's state lives in the database, so any number
of workers (on PostgreSQL) can share a queue and a crashed one loses nothing.

A database outage (busy, locked, a dropped connection) fails a turn, not the loop: it is waited
out with a growing pause (`services/outages`). A job it interrupts keeps what it had saved and
goes back to the queue when its heartbeat is stale, like a crashed worker's."""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial

from studio.services import jobs, outages
from studio.services.jobs import Provider, make_provider
from studio.services.workspace import Database


def serve(
    db: Database,
    drafter_for: Callable[[str], Provider] = make_provider,
    *,
    once: bool = False,
    poll: float = 2.0,
    log: Callable[[str], None] = print,
    stop: threading.Event | None = None,
) -> int:
    """Run jobs until `stop` is set, each with the drafter `drafter_for` makes for its provider
    name; with `once`, stop when the queue is empty. Returns how many jobs it ran."""
    name, ran = jobs.worker_name(), 0
    stop = stop or threading.Event()
    database = outages.Outages("drafting worker", log, wait=stop.wait)
    while not stop.is_set():
        job_id = database.run(lambda: _claim(db, name, log), None)
        if database.ongoing:  # the database failed that turn; it was waited out
            continue
        if job_id is None:
            if once:
                break
            stop.wait(poll)
            continue
        if database.run(partial(_run, db, job_id, drafter_for, log), False):
            ran += 1
    return ran


def _claim(db: Database, name: str, log: Callable[[str], None]) -> int | None:
    """Put dead workers' jobs back in the queue, then claim the oldest queued job."""
    for stale in jobs.requeue_stale(db):
        log(f"job #{stale}: its worker stopped; back in the queue")
    return jobs.claim_next(db, name)


def _run(
    db: Database, job_id: int, drafter_for: Callable[[str], Provider], log: Callable[[str], None]
) -> bool:
    try:
        provider_name = jobs.provider_of(db, job_id)
        log(f"job #{job_id}: drafting with {provider_name}")
        result = jobs.run_claimed(db, job_id, drafter_for(provider_name))
    except Exception as exc:
        if outages.is_outage(exc):
            why = outages.describe(exc)
            log(f"job #{job_id}: interrupted by the database ({why}); what it saved is kept, "
                "and it goes back to the queue once its heartbeat is stale")  # fmt: skip
        raise
    log(f"job #{job_id}: {result.status}" + (f" ({result.error})" if result.error else ""))
    return True
