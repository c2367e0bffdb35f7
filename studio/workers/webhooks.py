"""The webhook dispatcher loop, run by `studio worker` beside the drafting loop.

Up to `concurrency` deliveries are in flight at once, each on a thread of its own, so one slow
receiver (up to the timeout) does not hold up the others. Every turn first brings the feed up
to the present (`services/catch_up`: an approval expiring or a window opening, approved copy
re-checked when a brand's rules changed), so those events are sent when they fall due, with no
API request needed; a turn with nothing due costs one primary-key read.

A database outage (busy, locked, a dropped connection) is waited out with a growing pause
(`services/outages`) and the loop goes on; an attempt whose outcome could not be recorded is sent
again when its lease runs out. Anything else is a bug: it stops the loop by raising.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from functools import partial

import httpx

from studio.services import catch_up, dispatch, jobs, outages
from studio.services.dispatch import Claimed
from studio.services.workspace import Database


def serve(
    db: Database,
    *,
    timeout: float,
    once: bool = False,
    poll: float = 0.25,
    concurrency: int = 16,
    stop: threading.Event | None = None,
    log: Callable[[str], None] = print,
) -> int:
    """Deliver until `stop` is set (or, with `once`, nothing is due or in flight). Returns how
    many attempts were made."""
    name, made = f"{jobs.worker_name()}:webhooks", 0
    stop = stop or threading.Event()
    in_flight: set[Future[None]] = set()
    database = outages.Outages("webhook dispatcher", log, wait=stop.wait)
    nothing: list[Claimed] = []

    with dispatch.new_client() as client, ThreadPoolExecutor(concurrency) as pool:
        while not stop.is_set():
            room = concurrency - len(in_flight)
            turn = partial(_turn, db, name, room, timeout, log)
            claimed = database.run(turn, nothing)
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


def _turn(
    db: Database, worker: str, room: int, timeout: float, log: Callable[[str], None]
) -> list[Claimed]:
    """One turn: the feed caught up (its events queued), then up to `room` deliveries leased."""
    moved = catch_up.catch_up(db)
    if moved:
        log(f"feed: {moved} variant(s) moved as a change fell due (expiry, a window opening, "
            "a rule change)")  # fmt: skip
    return dispatch.claim_due(db, worker, limit=room, timeout=timeout) if room else []
