"""The worker's two loops outlive the database failing under them: SQLite's write lock held by
another process for longer than the busy timeout, and PostgreSQL connections killed by the
server (`pg_terminate_backend`). Each time the loop says once what happened and that it keeps
going, says when the database answers again, and then does its work: the dispatcher delivers
the webhook, the drafting loop runs the job. And if the dispatcher dies of a bug, the worker
exits non-zero instead of running on half alive."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.exc import OperationalError
from sqlmodel import select
from typer.testing import CliRunner

from studio.cli import app
from studio.errors import DatabaseBusy, InvalidInput
from studio.services import jobs, outages, webhooks
from studio.store.db import Database
from studio.store.models import DeliveryState, Job, WebhookDelivery
from studio.workers import drafting
from studio.workers import webhooks as dispatcher
from tests.conftest import POSTGRES_URL
from tests.helpers.briefs import brief
from tests.helpers.receiver import receiver
from tests.helpers.variants import approved

pytestmark = pytest.mark.usefixtures("rules_dir")
APP = "studio-outage-test"  # the application_name of the loops' PostgreSQL connections
HOLD = 2.0  # seconds the database stays unusable: ten busy timeouts of 200 ms


def wait_until(what: str, ready: Callable[[], object], seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not ready():
        assert time.monotonic() < deadline, f"{what}: not within {seconds} s"
        time.sleep(0.02)


class Lines(list[str]):
    def said(self, *words: str) -> bool:
        return any(all(word in line for word in words) for line in list(self))


def start(target: Callable[[], object]) -> threading.Thread:
    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread


def finished(thread: threading.Thread, seconds: float = 30.0) -> None:
    thread.join(seconds)
    assert not thread.is_alive(), f"the loop did not finish within {seconds} s"


def queue_job(db: Database) -> int:
    return jobs.enqueue(db, brief(channels=[{"channel": "sms", "count": 1}]), actor="wendy",
                        provider="offline", options={})  # fmt: skip


def job_status(db: Database, job_id: int) -> str:
    with db.read() as session:
        job = session.get(Job, job_id)
        assert job is not None
        return job.status


def delivery_states(db: Database) -> list[str]:
    with db.read() as session:
        return [row.state for row in session.exec(select(WebhookDelivery))]


# --- the backoff on its own -------------------------------------------------------------------


def test_an_outage_is_waited_out_doubling_to_a_cap_and_logged_once_each_way() -> None:
    waits: list[float] = []
    lines = Lines()
    guard = outages.Outages("test loop", lines.append, wait=waits.append, first=0.5, longest=4)
    busy = DatabaseBusy("the database stayed locked")
    failures = [busy] * 6

    def turn() -> str:
        if failures:
            raise failures.pop()
        return "done"

    results = [guard.run(turn, "waited") for _ in range(7)]
    assert results == ["waited"] * 6 + ["done"] and not guard.ongoing
    assert waits == [0.5, 1, 2, 4, 4, 4]
    assert len(lines) == 2
    assert "test loop: the database failed (the database stayed locked); still running" in lines[0]
    assert "answers again after 6 failed attempt(s)" in lines[1]
    failures.append(busy)  # a new outage starts again from the first wait
    guard.run(turn, "waited")
    assert waits[-1] == 0.5 and len(lines) == 3


def test_what_is_not_an_outage_is_raised() -> None:
    guard = outages.Outages("test loop", lambda _line: None, wait=lambda _s: None)

    def bug() -> None:
        raise InvalidInput("not the database's fault")

    with pytest.raises(InvalidInput):
        guard.run(bug, None)
    assert not guard.ongoing
    locked = OperationalError("BEGIN IMMEDIATE", {}, sqlite3.OperationalError("database is locked"))
    assert outages.is_outage(locked) and "database is locked" in outages.describe(locked)


# --- SQLite: another process holds the write lock past the busy timeout ------------------------


@contextmanager
def write_lock_held(db: Database, lines: Lines) -> Iterator[None]:
    """Another connection (as another process would) holds SQLite's write lock until the loop
    has said it is waiting, and for at least HOLD seconds."""
    path = db.engine.url.database
    assert path
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    held_since = time.monotonic()
    try:
        yield
        wait_until("the loop saying the database failed", lambda: lines.said("database failed"))
        wait_until("the hold", lambda: time.monotonic() - held_since >= HOLD)
    finally:
        holder.execute("ROLLBACK")
        holder.close()


@pytest.fixture
def impatient(db: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    """The same database as a worker sees it with a busy timeout of 200 ms."""
    monkeypatch.setenv("STUDIO_SQLITE_BUSY_MS", "200")
    worker_db = Database(db.url)
    assert worker_db.busy_ms == 200
    yield worker_db
    worker_db.dispose()


@pytest.mark.parametrize("empty_db", ["sqlite"], indirect=True)
def test_the_dispatcher_delivers_after_sqlite_stays_locked(
    db: Database, impatient: Database
) -> None:
    lines = Lines()
    with receiver() as box:
        webhooks.add_endpoint(db, actor="ada", name="engine", url=box.url, allow_private=True)
        approved(db)
        with write_lock_held(db, lines):
            loop = start(lambda: dispatcher.serve(impatient, timeout=5, once=True, poll=0.02,
                                                  log=lines.append))  # fmt: skip
        finished(loop)
        [got] = box.wait_for(1)
    assert got.message_id.startswith("msg_")
    assert delivery_states(db) == [DeliveryState.DELIVERED]
    assert lines.said("webhook dispatcher: the database failed", "locked", "still running")
    assert lines.said("webhook dispatcher: the database answers again")
    assert sum("database failed" in line for line in lines) == 1  # once per outage


@pytest.mark.parametrize("empty_db", ["sqlite"], indirect=True)
def test_the_drafting_loop_runs_a_job_after_sqlite_stays_locked(
    db: Database, impatient: Database
) -> None:
    job_id = queue_job(db)
    lines = Lines()
    ran: list[int] = []
    with write_lock_held(db, lines):
        loop = start(lambda: ran.append(drafting.serve(impatient, once=True, poll=0.02,
                                                       log=lines.append)))  # fmt: skip
    finished(loop)
    assert ran == [1] and job_status(db, job_id) == "done"
    assert lines.said("drafting worker: the database failed", "locked", "still running")
    assert lines.said("drafting worker: the database answers again")


# --- PostgreSQL: the server kills the loop's connection mid-transaction ------------------------


@pytest.fixture
def on_postgres(db: Database) -> Iterator[Database]:
    """The same PostgreSQL schema as the worker sees it, its connections named APP."""
    if db.is_sqlite:
        pytest.skip("pg_terminate_backend is PostgreSQL's")
    with db.engine.connect() as connection:
        schema = connection.execute(text("SHOW search_path")).scalar_one()
    worker_db = Database(POSTGRES_URL, connect_args={"options": f"-csearch_path={schema}",
                                                     "application_name": APP})  # fmt: skip
    yield worker_db
    worker_db.dispose()


@contextmanager
def connection_killed(db: Database, table: str, lines: Lines) -> Iterator[None]:
    """Lock `table`, so the loop's next statement on it waits inside its transaction; kill that
    connection from the server's side; release the table once the loop has said it failed."""
    with db.engine.connect() as blocker:
        blocker.execute(text(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE"))
        yield
        waiting: list[int] = []

        def loop_waits(connection: Connection) -> bool:
            waiting[:] = connection.execute(
                text("SELECT pid FROM pg_stat_activity WHERE application_name = :app AND "
                     "wait_event_type = 'Lock'"), {"app": APP},
            ).scalars().all()  # fmt: skip
            return bool(waiting)

        # autocommit: within one transaction, pg_stat_activity would show its first snapshot
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as admin:
            wait_until("the loop waiting on the lock", lambda: loop_waits(admin))
            for pid in waiting:
                admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        wait_until("the loop saying the database failed", lambda: lines.said("database failed"))
        blocker.rollback()


@pytest.mark.parametrize("empty_db", ["postgres"], indirect=True)
def test_the_dispatcher_delivers_after_postgres_kills_its_connection(
    db: Database, on_postgres: Database
) -> None:
    lines = Lines()
    with receiver() as box:
        webhooks.add_endpoint(db, actor="ada", name="engine", url=box.url, allow_private=True)
        approved(db)
        with connection_killed(db, "webhookdelivery", lines):
            loop = start(lambda: dispatcher.serve(on_postgres, timeout=5, once=True, poll=0.02,
                                                  log=lines.append))  # fmt: skip
        finished(loop)
        [got] = box.wait_for(1)
    assert got.message_id.startswith("msg_")
    assert delivery_states(db) == [DeliveryState.DELIVERED]
    assert lines.said("webhook dispatcher: the database failed", "connection was dropped")
    assert lines.said("webhook dispatcher: the database answers again")


@pytest.mark.parametrize("empty_db", ["postgres"], indirect=True)
def test_the_drafting_loop_runs_a_job_after_postgres_kills_its_connection(
    db: Database, on_postgres: Database
) -> None:
    job_id = queue_job(db)
    lines = Lines()
    ran: list[int] = []
    with connection_killed(db, "job", lines):
        loop = start(lambda: ran.append(drafting.serve(on_postgres, once=True, poll=0.02,
                                                       log=lines.append)))  # fmt: skip
    finished(loop)
    assert ran == [1] and job_status(db, job_id) == "done"
    assert lines.said("drafting worker: the database failed", "connection was dropped")
    assert lines.said("drafting worker: the database answers again")


# --- a dispatcher that dies of a bug takes the worker process down, non-zero -------------------


def test_the_worker_exits_non_zero_when_the_dispatcher_dies(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str]
) -> None:
    monkeypatch.setenv("STUDIO_DATA_DIR", env["STUDIO_DATA_DIR"])

    def broken(*_args: object, **_kwargs: object) -> int:
        raise RuntimeError("a bug in the dispatcher")

    monkeypatch.setattr(dispatcher, "serve", broken)
    result = CliRunner().invoke(app, ["worker", "--poll", "0.05"])
    assert result.exit_code == 1, result.output
    assert "the webhook dispatcher stopped on an error" in result.output
    assert "RuntimeError: a bug in the dispatcher" in result.output
    assert "stopping (exit 1) so that it is started again" in result.output
