"""`studio worker`: the drafting job loop. Each turn puts dead workers' jobs back in the queue,
claims the oldest queued job and runs it; the job's state lives in the database, so any number
of workers (on PostgreSQL) can share a queue and a crashed one loses nothing."""

from __future__ import annotations

import time
from collections.abc import Callable

from studio.services import jobs
from studio.services.jobs import Provider, make_provider
from studio.services.workspace import Database


def serve(
    db: Database,
    drafter_for: Callable[[str], Provider] = make_provider,
    *,
    once: bool = False,
    poll: float = 2.0,
    log: Callable[[str], None] = print,
) -> int:
    """Run jobs until stopped, each with the drafter `drafter_for` makes for its provider name;
    with `once`, stop when the queue is empty. Returns how many jobs it ran."""
    name, ran = jobs.worker_name(), 0
    while True:
        for job_id in jobs.requeue_stale(db):
            log(f"job #{job_id}: its worker stopped; back in the queue")
        claimed = jobs.claim_next(db, name)
        if claimed is None:
            if once:
                return ran
            time.sleep(poll)
            continue
        job_id = claimed
        provider_name = jobs.provider_of(db, job_id)
        log(f"job #{job_id}: drafting with {provider_name}")
        result = jobs.run_claimed(db, job_id, drafter_for(provider_name))
        ran += 1
        log(f"job #{job_id}: {result.status}" + (f" ({result.error})" if result.error else ""))
