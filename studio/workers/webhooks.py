"""The webhook dispatcher loop, run by `studio worker` beside the drafting loop.

Up to `concurrency` deliveries are in flight at once, each on a thread of its own, so one slow
receiver (up to the timeout) does not hold up the others. Between deliveries, every
`housekeeping_every` seconds, the feed's time-driven changes are swept (validity windows) and
approved copy is re-checked if a brand's rules changed, so their events are sent too.

A database outage (busy, locked, a dropped connection) is waited out with a growing pause
(`services/outages`) and the loop goes on; an attempt whose outcome could not be recorded is sent
again when its lease runs out. Anything else is a bug: it stops the loop by raising.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from functools import partial

import httpx

from studio.services import dispatch, jobs, outages, publishing, recheck
from studio.services.dispatch import Claimed
from studio.services.workspace import Database


def serve(
    db: Database,
    *,
    timeout: float,
    once: bool = False,
    poll: float = 0.25,
    concurrency: int = 16,
    housekeeping_every: float = 60.0,
    stop: threading.Event | None = None,
    log: Callable[[str], None] = print,
) -> int:
    """Deliver until `stop` is set (or, with `once`, nothing is due or in flight). Returns how
    many attempts were made."""
    name, made = f"{jobs.worker_name()}:webhooks", 0
    stop = stop or threading.Event()
    in_flight: set[Future[None]] = set()
    next_housekeeping = 0.0
    database = outages.Outages("webhook dispatcher", log, wait=stop.wait)
    nothing: list[Claimed] = []

    with dispatch.new_client() as client, ThreadPoolExecutor(concurrency) as pool:
        while not stop.is_set():
            if time.monotonic() >= next_housekeeping:
                next_housekeeping = time.monotonic() + housekeeping_every
                database.run(lambda: _housekeep(db, log), None)
            room = concurrency - len(in_flight)
            claim = partial(dispatch.claim_due, db, name, limit=room, timeout=timeout)
            claimed = database.run(claim, nothing) if room else nothing
            for delivery in claimed:
                in_flight.add(pool.submit(_attempt, db, client, delivery, name, timeout, log))
            made += len(claimed)
            if once and not claimed and not in_flight and not database.ongoing:
                break
            if in_flight:
                done, _ = wait(in_flight, timeout=poll, return_when=FIRST_COMPLETED)
                for future in done:
                    future.result()
                in_flight -= done
            elif not claimed:
                stop.wait(poll)
    return made


def _attempt(
    db: Database,
    client: httpx.Client,
    delivery: Claimed,
    worker: str,
    timeout: float,
    log: Callable[[str], None],
) -> None:
    try:
        outcome, state = dispatch.deliver(db, client, delivery, worker, timeout)
    except Exception as exc:
        if not outages.is_outage(exc):
            raise
        log(  # the lease runs out and it is sent again (receivers drop the duplicate by its id)
            f"webhook delivery #{delivery.delivery_id}: not recorded ({outages.describe(exc)});"
            " it will be sent again"
        )
        return
    what = f"HTTP {outcome.status}" if outcome.status else (outcome.error or "no answer")
    log(
        f"webhook delivery #{delivery.delivery_id} to {delivery.endpoint}: {what} in "
        f"{outcome.duration_ms} ms; {state}"
    )


def _housekeep(db: Database, log: Callable[[str], None]) -> None:
    moved = publishing.sweep(db)
    if moved:
        log(f"feed: {moved} variant(s) republished (a validity window opened or closed)")
    for outcome in recheck.recheck_approved(db, actor=None, only_if_rules_changed=True):
        if outcome.result != "passed":
            log(f"rules changed: variant #{outcome.variant_id} {outcome.result}")
