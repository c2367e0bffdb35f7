"""Connecting to the database, transactions, and bringing the schema up to date.

SQLite (the default: one file, WAL) takes its write lock when a write transaction *begins*
(`BEGIN IMMEDIATE`), so two writers queue on the busy timeout instead of both reading and then
failing to upgrade their locks. PostgreSQL runs at READ COMMITTED; decisions guard themselves with
conditional updates (see `workflow`).
"""

from __future__ import annotations

import asyncio
import itertools
import threading
import uuid
import weakref
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, Executable, Row, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.pool import NullPool
from sqlmodel import Session

from studio.errors import DatabaseBusy
from studio.settings import settings

_T = TypeVar("_T")
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_MIGRATION_LOCK_KEY = 0x5757_0001  # PostgreSQL advisory lock: one migrating process at a time
_SERIALS = itertools.count(1)  # one per kept connection: change tokens of two never compare equal


def database_url() -> str:
    """$STUDIO_DATABASE_URL, else a SQLite file in the data directory."""
    configured = settings()
    if configured.database_url:
        return normalise_url(configured.database_url)
    return configured.sqlite_url()


def normalise_url(url: str) -> str:
    """`postgresql://` means psycopg 3 here (the driver we install), not psycopg2."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


class Database:
    """An engine plus the two kinds of transaction the studio uses."""

    def __init__(self, url: str | None = None, *, busy_ms: int | None = None, **engine_args: Any):
        self.url = normalise_url(url) if url else database_url()
        parsed = make_url(self.url)
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        self.busy_ms = busy_ms if busy_ms is not None else settings().sqlite_busy_ms
        if self.is_sqlite and parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        # A ping per checkout finds a PostgreSQL connection the server dropped; a SQLite file
        # cannot drop one, and the ping would cost a statement on every read.
        self.engine: Engine = create_engine(self.url, pool_pre_ping=not self.is_sqlite,
                                            **engine_args)  # fmt: skip
        if self.is_sqlite:
            _configure_sqlite(self.engine, self.busy_ms)
        self._writer = self.engine.execution_options(studio_write=True)
        self._single = self.engine.execution_options(studio_single_statement=True)
        self._kept = threading.local()
        # Outside the pool: a kept connection lives as long as its thread, and closes with it.
        autocommit = {} if self.is_sqlite else {"isolation_level": "AUTOCOMMIT"}
        self._kept_engine = create_engine(self.url, poolclass=NullPool, **engine_args)
        if self.is_sqlite:
            _configure_sqlite(self._kept_engine, self.busy_ms)
        self._kept_engine = self._kept_engine.execution_options(
            studio_single_statement=True, **autocommit
        )
        self._cache: dict[Hashable, tuple[Hashable, Any]] = {}
        self._cache_limit = settings().api_cache_entries

    @property
    def display(self) -> str:
        return make_url(self.url).render_as_string(hide_password=True)

    @contextmanager
    def read(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    def first(self, statement: Executable, params: dict[str, Any]) -> Row[Any] | None:
        """The first row of one read statement (see `_kept_connection`)."""
        return self._read(lambda connection: connection.execute(statement, params).first())

    def all(self, statement: Executable, params: dict[str, Any]) -> list[Row[Any]]:
        return self._read(lambda connection: list(connection.execute(statement, params)))

    def cached(self, key: Hashable, read: Callable[[], _T]) -> _T:
        """`read()`'s result, kept in this process and reused until anything commits to the
        database, from any process: exact, not a time to live, so a revoked key or copy is never
        served from it. For the API's hot reads (on the event loop, where the check is one
        cheap statement on the kept connection); elsewhere, or with the cache set to 0, it
        reads. Past the limit the oldest entry goes."""
        if not self._cache_limit or not _on_event_loop():
            return read()
        token = self._read(self._change_token)
        kept = self._cache.get(key)
        if kept is not None and kept[0] == token:
            return kept[1]
        value = read()  # after the token: a commit in between only makes the entry look stale
        if key not in self._cache and len(self._cache) >= self._cache_limit:
            del self._cache[next(iter(self._cache))]
        self._cache[key] = (token, value)
        return value

    def _change_token(self, connection: Connection) -> Hashable:
        """A value that differs after any commit. SQLite's `data_version` changes when another
        connection (in any process) commits; the kept connection never writes, and its serial
        tells a new connection's count from the old one's. PostgreSQL's current snapshot changes
        whenever a transaction commits (or takes a transaction id), anywhere on the server.
        Through the driver directly: SQLAlchemy's statement handling costs five times the
        statement."""
        serial = connection.info.setdefault("studio_serial", next(_SERIALS))
        raw = connection.connection.driver_connection
        assert raw is not None
        if self.is_sqlite:
            return (serial, raw.execute("PRAGMA data_version").fetchone()[0])
        return (serial, raw.execute("SELECT pg_current_snapshot()::text").fetchone()[0])

    def _read(self, run: Callable[[Connection], _T]) -> _T:
        """Run a read, once more on a new connection if the server had dropped the kept one
        (a restarted PostgreSQL), as the pool's pre-ping does for pooled connections."""
        try:
            with self._kept_connection() as connection:
                return run(connection)
        except DBAPIError as exc:
            if not exc.connection_invalidated:
                raise
        with self._kept_connection() as connection:
            return run(connection)

    @contextmanager
    def _kept_connection(self) -> Iterator[Connection]:
        """The API's hot reads run on the event loop, one statement at a time on a connection
        that loop's thread keeps, without an ORM session or an explicit transaction: checking a
        connection out of the pool and wrapping it in a transaction cost more than the lookup.
        SQLite runs a lone statement in a transaction of its own; on PostgreSQL the connection
        autocommits. A connection that failed is dropped; the next statement opens a new one.
        Other threads (the thread pool, the CLI, workers) check one out per statement, so the
        pool still bounds how many connections a process holds."""
        if not _on_event_loop():
            with self._single.connect() as connection:
                yield connection
            return
        kept: _Kept | None = getattr(self._kept, "connection", None)
        if kept is None:
            kept = _Kept(self._kept_engine.connect())
            self._kept.connection = kept
        try:
            yield kept.connection  # SQLAlchemy's transaction stays "begun": nothing was, on either
        except DBAPIError:
            self._kept.connection = None
            kept.close()
            raise

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back entirely if it raises."""
        try:
            with Session(self._writer, expire_on_commit=False) as session, session.begin():
                yield session
        except OperationalError as exc:
            if self.is_sqlite and "locked" in str(exc.orig).lower():
                raise DatabaseBusy(
                    f"the database {self.display} stayed locked by another process for "
                    f"{self.busy_ms / 1000:g} s; nothing was changed - try again"
                ) from None
            raise

    def migrate(self) -> None:
        """Bring the schema to the newest migration; existing data is kept."""
        with self._writer.begin() as connection:
            if not self.is_sqlite:
                connection.execute(text(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK_KEY})"))
            config = alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    def dispose(self) -> None:
        self._kept = threading.local()  # this thread's kept connection closes with its holder
        self.engine.dispose()


@contextmanager
def scratch_schema(url: str) -> Iterator[Database]:
    """A PostgreSQL database confined to a new schema, dropped afterwards: lets tests and
    benchmarks share one server without touching each other or anyone's data."""
    schema = "scratch_" + uuid.uuid4().hex[:12]
    admin = Database(url)
    with admin.engine.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    database = Database(url, connect_args={"options": f"-csearch_path={schema}"})
    try:
        yield database
    finally:
        database.dispose()
        with admin.engine.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def open_database(url: str | None = None) -> Database:
    """The database the studio is configured for, migrated to the newest schema."""
    database = Database(url)
    database.migrate()
    return database


class _Kept:
    """A thread's kept connection, closed when the thread ends or the database is disposed
    (whichever drops the last reference to this holder)."""

    def __init__(self, connection: Connection):
        self.connection = connection
        self._closer = weakref.finalize(self, connection.close)

    def close(self) -> None:
        self._closer()


def _on_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _configure_sqlite(engine: Engine, busy_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_ms)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        options = connection.get_execution_options()
        if options.get("studio_single_statement", False):
            return  # one statement is atomic on its own: SQLite runs it in its own transaction
        connection.exec_driver_sql("BEGIN IMMEDIATE" if options.get("studio_write") else "BEGIN")
