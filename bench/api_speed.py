"""Publishing-API speed: the real `studio api` under wrk, and the webhook dispatcher, on SQLite
and PostgreSQL.

Seeds a fresh database with N variants (bench.review_queue's bulk seed, over the real brands'
packs), of which M are approved: their version rows and approval binding are bulk-inserted, then
`publishing.republish` renders each one's Publication exactly as an approval does (in batches
of 1,000 per transaction). An API key with variants:read is made by `api_keys.create_key`.
Then `studio api` (uvicorn, one process, as the CLI runs it) serves that database and wrk, on
loopback with a few connections, measures in one run: `/v1/health`, a feed page
(`GET /v1/variants?limit=50`, first and deep by cursor), get-by-id over random approved ids and
get-by-id answered 304 (the right ETag as If-None-Match), each against the health figure.
Last, webhooks: approvals made through the real services queue events for a 127.0.0.1 receiver
(tests/helpers/receiver.py, in a process of its own) and `workers.webhooks.serve` delivers
them: a backlog drained at once (events/s) and approvals made one by one while it runs
(decision-to-delivery latency, from the outbox row's creation to its `delivered_at`).

    .venv/bin/python -m bench.api_speed [--variants 100000] [--approved 20000]
                                        [--db sqlite|postgres|both] [--duration 10]
                                        [--backlog 500] [--live 100]

Repeated reads come from the API process's cache (valid until anything commits; see
`Database.cached`); `STUDIO_API_CACHE_ENTRIES=0` in the environment measures without it.
The rate limit is raised to 1000000/second for the run (a 1-second window keeps the limiter's
bookkeeping as small as the default 1200/minute does). Figures are noisy on a shared machine:
give `--duration` 20 or more for a figure to quote. PostgreSQL comes from
$STUDIO_TEST_POSTGRES_URL (default postgresql://127.0.0.1:5432/test), in a schema dropped after.
"""

from __future__ import annotations

import argparse
import dataclasses
import inspect
import multiprocessing
import os
import platform
import random
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import httpx
from sqlalchemy import bindparam, insert, text, update
from sqlalchemy.engine import make_url
from sqlmodel import col, select

from bench.review_queue import POSTGRES_URL, STATUS_WEIGHTS, seed, sqlite_database
from studio.services import api_keys, approval, packs, publishing, review, users, webhooks
from studio.store.db import Database, scratch_schema
from studio.store.models import (
    Brand,
    Status,
    User,
    Variant,
    VariantVersion,
    WebhookDelivery,
    WebhookEvent,
    as_utc,
    utcnow,
)
from studio.workers.webhooks import serve

BRANDS = ("brightleaf", "pennywise", "thread-and-co")  # real packs: copy is served as approved
NOT_APPROVED = {status: w for status, w in STATUS_WEIGHTS.items() if status != Status.APPROVED}
ADMIN, WRITER, REVIEWER = "bench-admin", "bench", "bench-reviewer"  # the last two: seed's
RATE_LIMIT = "1000000/second"
LUA = Path(__file__).with_name("api_speed.lua")
CLEAN_SMS = "Brightleaf: our vitamins support your routine. Reply STOP to opt out"
POLL = inspect.signature(serve).parameters["poll"].default
TARGETS = {"list": 0.4, "get by id": 0.6, "304": 0.8}  # x health


def copy_for(channel: str, n: int) -> dict[str, object]:
    body = (f"Hi {{{{first_name}}}}, offer {n}: our winter range is in, with free returns for 30 "
            "days. See {{shop_url}} before {{reorder_date}}.")  # fmt: skip
    if channel == "email":
        return {"subject": f"Winter range, offer {n}", "preheader": "Free returns", "body": body}
    if channel == "sms":
        return {"body": f"Offer {n}: winter range in. {{{{shop_url}}}} Reply STOP to opt out"}
    return {"headlines": [f"Winter range {n}", "Free returns", "Shop now"],
            "descriptions": ["Our winter range is in, with free returns for 30 days."]}  # fmt: skip


def seed_feed(db: Database, count: int, approved: int, rng: random.Random) -> tuple[str, list[int]]:
    """Seed, approve `approved` variants and publish them; the API key and the approved ids."""
    seed(db, count, rng, BRANDS, NOT_APPROVED)
    users.create_first_admin(db, ADMIN, "bench-admin-password-1")
    rules = {slug: packs.brand_pack(slug).version for slug in BRANDS}
    with db.write() as session:
        for brand in session.exec(select(Brand)):
            brand.rules_version = rules[brand.slug]  # as `brands.ensure` registers a brand
            session.add(brand)
        writer, reviewer = (session.exec(select(User.id).where(User.name == name)).one()
                            for name in (WRITER, REVIEWER))  # fmt: skip
        rows = session.exec(select(Variant.id, Variant.channel, Brand.slug).join(Brand)).all()
        versions, bindings = [], []
        for variant_id, channel, slug in rng.sample(list(rows), approved):
            fields = copy_for(channel, variant_id)
            digest = packs.content_hash(channel, fields)
            versions.append({"variant_id": variant_id, "number": 1, "fields": fields,
                             "content_hash": digest, "provenance": {"source": "bench"},
                             "created_by": writer})  # fmt: skip
            bindings.append({"vid": variant_id, "digest": digest, "rules": rules[slug]})
        approve = update(Variant).where(col(Variant.id) == bindparam("vid")).values(
            status=Status.APPROVED, approved_version=1, approved_content_hash=bindparam("digest"),
            approved_rules_version=bindparam("rules"), approved_by=reviewer, approved_at=utcnow(),
        )  # fmt: skip
        for start in range(0, approved, 5000):
            session.connection().execute(insert(VariantVersion), versions[start : start + 5000])
            session.connection().execute(approve, bindings[start : start + 5000])
    ids = [binding["vid"] for binding in bindings]
    for start in range(0, approved, 1000):
        with db.write() as session:
            batch = col(Variant.id).in_(ids[start : start + 1000])
            for variant in session.exec(select(Variant).where(batch)):
                publishing.republish(session, variant)  # the approval path's rendering
    with db.engine.begin() as connection:
        connection.execute(text("ANALYZE"))
    key = api_keys.create_key(db, actor=ADMIN, name="bench-engine", scopes=["variants:read"])
    return key.key, ids


@dataclasses.dataclass(frozen=True)
class Figures:
    rate: float
    p50: float
    p99: float
    bad: int  # non-2xx/3xx answers and socket errors
    requests: int
    cpu_ms: float = 0.0  # the server's CPU time per request (user + system)


def wrk(url: str, seconds: float, options: list[str], script_args: list[str]) -> Figures:
    """One wrk run on one thread; `script_args` go to the Lua script."""
    command = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds:g}s", "--latency", "--timeout",
               "5s", *options, url, *(["--", *script_args] if script_args else [])]  # fmt: skip
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout

    def number(pattern: str) -> re.Match[str]:
        found = re.search(pattern, out, re.M)
        if found is None:
            raise RuntimeError(f"no {pattern!r} in what wrk printed:\n{out}")
        return found

    def latency(percent: str) -> float:
        value, unit = number(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s|m)\s*$").groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1e3, "m": 6e4}[unit]

    bad = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    bad += sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    rate = float(number(r"Requests/sec:\s+([\d.]+)").group(1))
    requests = int(number(r"(\d+) requests in").group(1))
    return Figures(rate, latency("50"), latency("99"), bad, requests)


def cpu_seconds(pid: int) -> float:
    """User + system CPU a process has used (Linux /proc): a figure the machine's load
    disturbs less than req/s does."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def api_server(db: Database, log: Path) -> Iterator[tuple[str, int]]:
    """`studio api` over the database, in a process of its own; yields its URL and pid."""
    url = make_url(db.url)
    if not db.is_sqlite:  # the scratch schema, as the server's own connections must see it
        with db.engine.connect() as connection:
            schema = connection.execute(text("SELECT current_schema()")).scalar_one()
        url = url.update_query_dict({"options": f"-csearch_path={schema}"})
    port = free_port()
    env = {**os.environ, "STUDIO_DATABASE_URL": url.render_as_string(hide_password=False),
           "STUDIO_API_RATE_LIMIT": RATE_LIMIT}  # fmt: skip
    with log.open("w") as out:
        server = subprocess.Popen([sys.executable, "-m", "studio", "api", "--port", str(port)],
                                  env=env, stdout=out, stderr=subprocess.STDOUT)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/v1/health").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError(f"studio api did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        yield base, server.pid
    finally:
        server.terminate()
        server.wait(20)


KEYS = 20  # engines syncing at once, each with its own key
CONNECTIONS = 32
WRITES_PER_SECOND = 10


def engine_keys(db: Database) -> tuple[list[str], str]:
    """KEYS read keys, and one events:write key the background writer posts with."""
    readers = [api_keys.create_key(db, actor=ADMIN, name=f"bench-engine-{n}",
                                   scopes=["variants:read"]).key for n in range(KEYS)]  # fmt: skip
    writer = api_keys.create_key(db, actor=ADMIN, name="bench-events", scopes=["events:write"])
    return readers, writer.key


def request_files(
    db: Database, base: str, keys: list[str], ids: list[int], folder: Path, rng: random.Random
) -> dict[str, Path]:
    """What each run asks for, as lines of the Lua script: sync pages (every cursor of the
    whole approved set, and `updated_since` points through it) under every key; get-by-id over
    every approved id; 304 over a sample with the ETag each key was given."""
    headers = {"Authorization": f"Bearer {keys[0]}"}
    pages, cursor, stamps = ["/v1/variants?limit=50"], None, []
    with httpx.Client(base_url=base, headers=headers, timeout=30) as http:
        while True:
            params = {"limit": 50, **({"cursor": cursor} if cursor else {})}
            page = http.get("/v1/variants", params=params).json()
            stamps += [item["updated_at"] for item in page["data"][::50]]
            if not page["has_more"]:
                break
            cursor = page["next_cursor"]
            pages.append(f"/v1/variants?limit=50&cursor={cursor}")
        sample = rng.sample(ids, min(2000, len(ids)))
        etags = {i: http.get(f"/v1/variants/{i}").headers["ETag"] for i in sample}
    since = [f"/v1/variants?limit=50&updated_since={quote(stamp)}" for stamp in stamps]
    lines = {
        "list": [f"{path}\t{key}" for path in pages + since for key in keys],
        "get by id": [f"/v1/variants/{i}\t{rng.choice(keys)}" for i in ids],
        "304": [f"/v1/variants/{i}\t{rng.choice(keys)}\t{etag}" for i, etag in etags.items()],
    }
    files = {}
    for label, rows in lines.items():
        files[label] = folder / f"{label.replace(' ', '-')}.txt"
        files[label].write_text("".join(row + "\n" for row in rows))
    return files


class BackgroundWrites:
    """Approvals, edits of approved copy and engagement posts, WRITES_PER_SECOND in all, made
    through the services and the API while wrk runs: the feed moves under the readers."""

    def __init__(self, db: Database, base: str, events_key: str, ids: list[int]):
        self.db, self.base, self.key, self.ids = db, base, events_key, ids
        self.stop, self.made, self.errors = threading.Event(), 0, 0
        self.fresh: list[int] = []  # approved in the background, so an edit keeps its channel
        self.thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> BackgroundWrites:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop.set()
        self.thread.join()

    def _run(self) -> None:
        rng = random.Random(11)
        with httpx.Client(base_url=self.base, timeout=30,
                          headers={"Authorization": f"Bearer {self.key}"}) as http:  # fmt: skip
            while not self.stop.wait(1 / WRITES_PER_SECOND):
                try:
                    self._one(rng, http)
                    self.made += 1
                except Exception:  # a refused or busy write is counted, the run goes on
                    self.errors += 1

    def _one(self, rng: random.Random, http: httpx.Client) -> None:
        kind = self.made % 3
        if kind == 0 or not self.fresh:
            self.fresh += approve_new(self.db, 1)
        elif kind == 1:  # approved copy edited: back in review, a tombstone in the feed
            body = f"Brightleaf: offer {rng.random():.6f}, winter range in. Reply STOP to opt out"
            review.edit(self.db, self.fresh.pop(), actor=WRITER, fields={"body": body})
        else:
            target = rng.choice(self.ids)
            events = [{"id": f"evt-{rng.random()}", "type": "send"} for _ in range(10)]
            http.post(f"/v1/variants/{target}/events", json={"events": events}).raise_for_status()


def measure_api(db: Database, key: str, ids: list[int], seconds: float, rng: random.Random) -> None:
    keys, events_key = engine_keys(db)
    with tempfile.TemporaryDirectory() as folder, \
            api_server(db, Path(folder) / "api.log") as (base, pid):  # fmt: skip
        check_answers(base, key, ids)
        files = request_files(db, base, keys, ids, Path(folder), rng)
        lua = ["-s", str(LUA)]
        runs = {"health": (f"{base}/v1/health", [], []),
                **{label: (base, lua, [str(path)]) for label, path in files.items()}}  # fmt: skip
        figures = {}
        with BackgroundWrites(db, base, events_key, ids) as writes:
            for label, (url, options, script_args) in runs.items():
                wrk(url, 2, options, script_args)  # warm up
                used = cpu_seconds(pid)
                got = wrk(url, seconds, options, script_args)
                used = cpu_seconds(pid) - used
                figures[label] = dataclasses.replace(got, cpu_ms=used * 1000 / got.requests)
        resident = resident_mib(pid)
        print(f"  wrk: 1 thread, {CONNECTIONS} connections, {seconds:g} s each after a 2 s "
              f"warm-up; {KEYS} keys; {writes.made} background writes ({writes.errors} refused) "
              f"at {WRITES_PER_SECOND}/s; load average {os.getloadavg()[0]:.1f}")  # fmt: skip
        health = figures["health"].rate
        for label, got in figures.items():
            ratio = got.rate / health
            wanted = TARGETS.get(label)
            verdict = (f"   target >= {wanted} x: {'met' if ratio >= wanted else 'MISSED'}"
                       if wanted else "")  # fmt: skip
            errors = f"   ({got.bad} errors)" if got.bad else ""
            print(f"  {label:<10} {got.rate:6.0f} req/s   p50 {got.p50:6.2f} ms   p99 "
                  f"{got.p99:6.2f} ms{' (over 50)' if got.p99 > 50 else ''}   server CPU "
                  f"{got.cpu_ms:5.2f} ms/req   {ratio:4.2f} x health{verdict}{errors}")  # fmt: skip
        print(f"  API process resident memory after the runs: {resident:.0f} MiB "
              f"(target <= 300)")  # fmt: skip


def resident_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def check_answers(base: str, key: str, ids: list[int]) -> None:
    """What wrk is pointed at answers as meant: approved copy (not tombstones)."""
    headers = {"Authorization": f"Bearer {key}"}
    page = httpx.get(f"{base}/v1/variants?limit=50", headers=headers).json()
    assert len(page["data"]) == 50 and {d["status"] for d in page["data"]} == {"approved"}, page
    for variant_id in ids[:20]:
        got = httpx.get(f"{base}/v1/variants/{variant_id}", headers=headers)
        assert got.status_code == 200 and got.json()["status"] == "approved", got.text


def _receive(pipe: multiprocessing.connection.Connection) -> None:
    from tests.helpers.receiver import Reply, receiver

    with receiver(default=Reply(200)) as box:
        pipe.send(box.url)
        pipe.recv()  # until told to stop


@contextmanager
def receiving() -> Iterator[str]:
    """A webhook receiver answering 200, in a process of its own (not sharing our GIL)."""
    ours, theirs = multiprocessing.get_context("spawn").Pipe()
    process = multiprocessing.get_context("spawn").Process(target=_receive, args=(theirs,))
    process.start()
    try:
        yield ours.recv()
    finally:
        ours.send("stop")
        process.join(10)


def approve_new(db: Database, count: int, pause: float = 0.0) -> list[int]:
    """`count` drafts written, submitted and approved through the services, one by one."""
    drafts = review.create_variants(db, actor=WRITER, items=[
        review.NewVariant(brand="brightleaf", channel="sms", fields={"body": CLEAN_SMS})
        for _ in range(count)])  # fmt: skip
    for draft in drafts:
        review.submit(db, draft.id, actor=WRITER)
        approval.approve(db, draft.id, actor=REVIEWER, acknowledge_all=True)
        time.sleep(pause)
    return [draft.id for draft in drafts]


def delivery_latencies(db: Database, ids: list[int]) -> list[float]:
    with db.read() as session:
        rows = session.exec(
            select(WebhookEvent.created_at, WebhookDelivery.delivered_at)
            .join(WebhookDelivery, col(WebhookDelivery.event_id) == WebhookEvent.id)
            .where(col(WebhookEvent.variant_id).in_(ids),
                   col(WebhookDelivery.delivered_at).isnot(None))
        ).all()  # fmt: skip
    return sorted((as_utc(done) - as_utc(made)).total_seconds() * 1000
                  for made, done in rows if done)  # fmt: skip


def measure_webhooks(db: Database, backlog: int, live: int) -> None:
    quiet = lambda _line: None  # noqa: E731
    with receiving() as url:
        webhooks.add_endpoint(db, actor=ADMIN, name="bench-receiver", url=url,
                              events=["variant.approved"], allow_private=True)  # fmt: skip
        ids = approve_new(db, backlog)
        start = time.perf_counter()
        serve(db, timeout=5.0, once=True, log=quiet)  # the defaults `studio worker` runs with
        elapsed = time.perf_counter() - start
        times = delivery_latencies(db, ids)
        print(f"  webhooks, backlog: {len(times)} of {backlog} queued events delivered in "
              f"{elapsed:.2f} s: {len(times) / elapsed:.0f} events/s (concurrency 16)")  # fmt: skip
        stop = threading.Event()
        worker = threading.Thread(target=serve, args=(db,),
                                  kwargs={"timeout": 5.0, "stop": stop, "log": quiet})  # fmt: skip
        worker.start()
        start = time.perf_counter()
        ids = approve_new(db, live, pause=0.05)
        made = time.perf_counter() - start
        deadline = time.monotonic() + 30
        while len(times := delivery_latencies(db, ids)) < live and time.monotonic() < deadline:
            time.sleep(0.1)
        stop.set()
        worker.join()
        print(f"  webhooks, live: {live} approvals over {made:.1f} s while the dispatcher ran "
              f"(poll {POLL:g} s, the default): decision to delivery p50 "
              f"{statistics.median(times):.0f} ms, p99 {p99(times):.0f} ms "
              f"({len(times)} delivered)")  # fmt: skip


def p99(times: list[float]) -> float:
    return times[min(len(times) - 1, int(len(times) * 0.99))]


def environment(db: Database) -> str:
    if db.is_sqlite:
        server = f"SQLite {sqlite3.sqlite_version}"
    else:
        with db.engine.connect() as connection:
            server = f"PostgreSQL {connection.execute(text('SHOW server_version')).scalar_one()}"
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split()[1]
    return (f"  {os.cpu_count()} CPUs, Python {platform.python_version()}, {server}, "
            f"wrk {wrk_version}, load average {os.getloadavg()[0]:.1f}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", type=int, default=100_000)
    parser.add_argument("--approved", type=int, default=20_000)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per wrk run")
    parser.add_argument("--backlog", type=int, default=500, help="webhook events queued at once")
    parser.add_argument("--live", type=int, default=100, help="approvals while dispatching")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("api_speed: wrk is not installed (Debian: apt-get install wrk)")
    for backend in ["sqlite", "postgres"] if args.db == "both" else [args.db]:
        rng = random.Random(7)
        opener = sqlite_database if backend == "sqlite" else lambda: scratch_schema(POSTGRES_URL)
        with opener() as db:
            start = time.perf_counter()
            key, ids = seed_feed(db, args.variants, args.approved, rng)
            print(f"{backend}: {args.variants:,} variants, {len(ids):,} approved and published, "
                  f"seeded in {time.perf_counter() - start:.1f} s")  # fmt: skip
            print(environment(db))
            measure_api(db, key, ids, args.duration, rng)
            if args.backlog and args.live:
                measure_webhooks(db, args.backlog, args.live)


if __name__ == "__main__":
    main()
