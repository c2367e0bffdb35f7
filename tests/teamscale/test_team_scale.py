"""Issue 10, point 9: a team's deployment on PostgreSQL. Two `studio api` and two `studio worker`
processes share one database while people approve, edit and revoke copy; no webhook is ever in
flight twice at once, none is lost, a worker killed mid-send has its deliveries sent again once
its lease runs out, and a sync paging the feed across both APIs ends with the approved set."""

from __future__ import annotations

import datetime as dt
import itertools
import random
import socket
import subprocess
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlmodel import col, select

from studio.services import approval, audit_log, review, webhooks
from studio.store.db import Database
from studio.store.models import (
    DeliveryState,
    Status,
    Variant,
    WebhookDelivery,
    WebhookEvent,
    as_utc,
)
from tests.helpers.api import bearer, make_key
from tests.helpers.processes import Start, processes, schema_url, start_api
from tests.helpers.receiver import Receiver, Reply, receiver
from tests.helpers.variants import CLEAN, in_review

pytestmark = pytest.mark.slow  # real processes

TIMEOUT = 2  # STUDIO_WEBHOOK_TIMEOUT: a lease is 4 x 2 s + 10 s, so a dead worker's runs out soon
OK = Reply(204, delay=0.3)  # slow enough that two sends of one event would overlap visibly
BUSY = Reply(503, {"Retry-After": "0"}, delay=0.3)
BEFORE = 30  # changes, all told, before a worker is killed (at least)
AFTER = 15  # changes each of the two pairs makes once its replacement runs
PAUSE = 0.05  # between one person's changes, so they spread over the worker's death
# --- processes -------------------------------------------------------------------------------


def start_worker(
    start: Start, env: dict[str, str], name: str
) -> tuple[subprocess.Popen[bytes], str]:
    """`studio worker` polling often; the process and the name it leases deliveries under."""
    proc = start(name, env, "worker", "--poll", "0.1", "--webhook-concurrency", "4")
    return proc, f"{socket.gethostname()}:{proc.pid}:webhooks"


# --- the engine's side -----------------------------------------------------------------------


@dataclass(frozen=True)
class Arrival:
    message_id: str
    at: float  # monotonic, as the request was read
    until: float  # when it was answered: the receiver sleeps the reply's delay, then answers
    wall: float  # time.time() at arrival, to compare with leases in the database
    status: int


class Script:
    """The receiver's replies, by webhook-id: the first try of every third event is refused
    with 503 (Retry-After: 0; the schedule's 5 s wait still applies, a second refusal would wait
    5 min); every reply takes a while. Each arrival is kept with when it came and was answered."""

    def __init__(self, box: Receiver) -> None:
        self.box = box
        self.arrivals: list[Arrival] = []
        self.order: dict[str, int] = {}
        box.next_reply = self.reply  # called under the receiver's lock as each request arrives

    def reply(self) -> Reply:
        message_id = self.box.received[-1].message_id
        number = self.order.setdefault(message_id, len(self.order))
        first = all(seen.message_id != message_id for seen in self.arrivals)
        reply = BUSY if first and number % 3 == 1 else OK
        now = time.monotonic()
        self.arrivals.append(Arrival(message_id, now, now + reply.delay, time.time(), reply.status))
        return reply

    def in_flight(self) -> set[str]:
        now = time.monotonic()
        return {seen.message_id for seen in list(self.arrivals) if seen.until > now}


class Sync:
    """An engine's sync: each pass asks for the changes since the last one it read
    (`updated_since`), pages on with `next_cursor`, keeps approved copy and deletes what a
    tombstone names; its requests take turns between the API processes."""

    def __init__(self, bases: list[str], key: str) -> None:
        self.client = httpx.Client(headers=bearer(key), trust_env=False, timeout=10)
        self.turns = itertools.cycle(bases)
        self.asked: Counter[str] = Counter()
        self.synced: dict[int, dict] = {}
        self.since: str | None = None

    def catch_up(self) -> None:
        params: dict[str, object] = {"limit": 3}
        if self.since:
            params["updated_since"] = self.since
        while True:
            base = next(self.turns)
            response = self.client.get(f"{base}/v1/variants", params=params)
            assert response.status_code == 200, (base, response.text)
            self.asked[base] += 1
            page = response.json()
            for item in page["data"]:
                if item["status"] == "revoked":
                    self.synced.pop(item["id"], None)
                else:
                    self.synced[item["id"]] = item
            if page["data"]:
                self.since = page["data"][-1]["updated_at"]
            if not page["has_more"]:
                return
            params["cursor"] = page["next_cursor"]


# --- the team --------------------------------------------------------------------------------


def work(db: Database, author: str, reviewer: str, seed: int, done: list[str],
         more: threading.Event, stop: threading.Event) -> dict[int, int]:  # fmt: skip
    """One copywriter and one reviewer at work: new copy approved, approved copy edited (back to
    review, approved again later) or revoked; on while `more` is set, then AFTER changes more.
    Returns what they left approved (id -> version)."""
    rng = random.Random(seed)
    live: dict[int, int] = {}
    waiting: list[int] = []
    left = AFTER
    for number in itertools.count():
        if not more.is_set():
            left -= 1
        if stop.is_set() or left < 0:
            return live
        action = rng.choice(["new", "new", "edit", "revoke", "again"])
        if action == "edit" and live:
            target = rng.choice(sorted(live))
            body = CLEAN.replace("routine", f"routine {author} {number}")
            review.edit(db, target, actor=author, fields={"body": body})
            del live[target]
            waiting.append(target)
        elif action == "revoke" and live:
            target = rng.choice(sorted(live))
            review.revoke(db, target, actor=reviewer, comment="withdrawn by legal")
            del live[target]
        elif action == "again" and waiting:
            target = waiting.pop(0)
            live[target] = approval.approve(
                db, target, actor=reviewer, acknowledge_all=True
            ).version
        else:
            body = CLEAN.replace("routine", f"day {author} {number}")
            fresh = in_review(db, body, author)
            live[fresh.id] = approval.approve(
                db, fresh.id, actor=reviewer, acknowledge_all=True
            ).version
        done.append(action)
        time.sleep(PAUSE)
    raise AssertionError("unreachable")


def leased_to(db: Database, worker: str) -> dict[str, dt.datetime]:
    """The webhook-ids `worker` holds a lease on, with when each lease ends."""
    with db.read() as session:
        rows = session.exec(
            select(WebhookEvent.message_id, WebhookDelivery.lease_until)
            .join(WebhookDelivery, col(WebhookDelivery.event_id) == WebhookEvent.id)
            .where(WebhookDelivery.worker == worker,
                   WebhookDelivery.state == DeliveryState.PENDING,
                   col(WebhookDelivery.lease_until).is_not(None))
        ).all()  # fmt: skip
    return {message_id: as_utc(until) for message_id, until in rows if until is not None}


def outbox(db: Database) -> list[tuple[WebhookEvent, WebhookDelivery]]:
    with db.read() as session:
        return list(
            session.exec(
                select(WebhookEvent, WebhookDelivery)
                .join(WebhookDelivery, col(WebhookDelivery.event_id) == WebhookEvent.id)
                .order_by(col(WebhookEvent.id))
            ).all()
        )


def wait_until(
    what: str, check: Callable[[], bool], seconds: float, state: Callable[[], object] = str
) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, f"gave up after {seconds:g} s on {what}: {state()}"
        time.sleep(0.1)


# --- the test --------------------------------------------------------------------------------


@pytest.mark.parametrize("empty_db", ["postgres"], indirect=True)
def test_two_apis_and_two_workers_lose_nothing_and_never_double_send(
    db: Database, env: dict[str, str], rules_dir: Path, tmp_path: Path
) -> None:
    """The whole deployment at once, with the people in this process (the service layer, as
    the CLI calls it) and the APIs, workers and receiver where an engine would meet them."""
    studio_env = {**env, "STUDIO_DATABASE_URL": schema_url(db),
                  "STUDIO_RULES_DIR": str(rules_dir),
                  "STUDIO_WEBHOOK_TIMEOUT": str(TIMEOUT)}  # fmt: skip
    key = make_key(db, scopes=["variants:read"])
    more, stop, done = threading.Event(), threading.Event(), []
    with receiver() as box, processes(tmp_path) as start, ThreadPoolExecutor(3) as pool:
        script = Script(box)
        secret = webhooks.add_endpoint(db, actor="ada", name="engine", url=box.url,
                                       allow_private=True).secret  # fmt: skip
        apis = [start_api(start, studio_env, tmp_path, f"api-{n}") for n in (1, 2)]
        (victim, victim_name), (survivor, survivor_name) = (
            start_worker(start, studio_env, f"worker-{n}") for n in (1, 2)
        )
        sync = Sync(apis, key)
        try:
            more.set()  # the team works on until the victim is dead and replaced
            teams = [pool.submit(work, db, "wendy", "rita", 1, done, more, stop),
                     pool.submit(work, db, "walt", "rob", 2, done, more, stop)]  # fmt: skip

            def syncing() -> None:
                while not stop.wait(0.2):
                    sync.catch_up()

            syncer = pool.submit(syncing)

            def both_deliver() -> bool:  # so the two ran together (a worker takes ~4 s to start)
                finishers = Counter(
                    d.worker for _, d in outbox(db) if d.state == DeliveryState.DELIVERED
                )
                return (
                    len(done) >= BEFORE
                    and min(finishers[victim_name], finishers[survivor_name]) >= 3
                )

            wait_until("both workers to deliver", both_deliver, 60, lambda: len(done))

            def victim_is_sending() -> bool:
                return bool(set(leased_to(db, victim_name)) & script.in_flight())

            wait_until("the victim to be mid-send", victim_is_sending, 30)
            victim.kill()
            killed_at = time.time()
            victim.wait(10)
            killed = leased_to(db, victim_name)  # final: nobody may take these before it ends
            assert killed
            replacement, replacement_name = start_worker(start, studio_env, "worker-3")
            more.clear()
            team_left = [team.result(timeout=120) for team in teams]

            def drained() -> bool:
                states = {delivery.state for _, delivery in outbox(db)}
                assert not states - {DeliveryState.PENDING, DeliveryState.DELIVERED}, states
                return states == {DeliveryState.DELIVERED}

            def undelivered() -> list[object]:
                return [(d.id, d.state, d.attempts, d.next_attempt_at, d.lease_until, d.worker)
                        for _, d in outbox(db) if d.state != DeliveryState.DELIVERED]  # fmt: skip

            wait_until("every delivery to be delivered", drained, 60, undelivered)
        finally:
            stop.set()
        syncer.result(timeout=30)
        sync.catch_up()
        sync.client.close()
        assert survivor.poll() is None and replacement.poll() is None
    for name in ("api-1", "api-2", "worker-2", "worker-3"):
        assert "Traceback" not in (tmp_path / f"{name}.log").read_text(), name

    rows = outbox(db)
    events = {event.message_id: event for event, _ in rows}
    assert len(events) == len(rows) >= BEFORE + 2 * AFTER  # one endpoint: a delivery per event
    by_id: defaultdict[str, list[Arrival]] = defaultdict(list)
    for arrival in script.arrivals:
        by_id[arrival.message_id].append(arrival)
    assert set(by_id) == set(events)  # nothing lost, nothing invented
    assert all(got.verifies_with(secret) for got in box.received)
    for got in box.received:  # one webhook-id per event, the same on every retry
        assert got.body.decode() == events[got.message_id].payload
    for message_id, arrivals in by_id.items():
        for first, then in itertools.pairwise(sorted(arrivals, key=lambda a: a.at)):
            assert then.at >= first.until, f"{message_id} was in flight twice at once"
        delivered = [a for a in arrivals if 200 <= a.status < 300]
        if message_id in killed:  # its sender died: sent again, but not before the lease ran out
            resent = [a for a in arrivals if a.wall > killed_at]
            assert resent[0].wall >= killed[message_id].timestamp() - 0.5 and delivered
        else:
            assert len(delivered) == 1, f"{message_id} was delivered {len(delivered)} times"
    assert sum(len(arrivals) >= 2 for arrivals in by_id.values()) >= len(events) // 3  # retries
    finishers = Counter(delivery.worker for _, delivery in rows)
    assert finishers[victim_name] >= 3 and finishers[survivor_name] >= 3
    assert not set(finishers) - {
        victim_name, survivor_name, replacement_name}  # fmt: skip
    for message_id in killed:
        assert next(d for e, d in rows if e.message_id == message_id).worker != victim_name

    with db.read() as session:
        approved_now = {v.id: v.current_version for v in session.exec(
            select(Variant).where(Variant.status == Status.APPROVED))}  # fmt: skip
    assert approved_now == {**team_left[0], **team_left[1]}
    assert {item_id: item["version"] for item_id, item in sync.synced.items()} == approved_now
    assert all(sync.asked[base] >= 5 for base in apis), sync.asked
    assert audit_log.verify(db, "ada").problem is None  # concurrent writers kept one chain
