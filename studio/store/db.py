"""Connecting to the database, transactions, and bringing the schema up to date.

SQLite (the default: one file, WAL) takes its write lock when a write transaction *begins*
(`BEGIN IMMEDIATE`), so two writers queue on the busy timeout instead of both reading and then
failing to upgrade their locks. PostgreSQL runs at READ COMMITTED; decisions guard themselves with
conditional updates (see `workflow`).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, Executable, Row, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from studio.errors import DatabaseBusy
from studio.settings import settings

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
POOL_SIZE = 20  # SQLite connections kept: at least the API's thread pool (STUDIO_API_THREADS)
_MIGRATION_LOCK_KEY = 0x5757_0001  # PostgreSQL advisory lock: one migrating process at a time


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
        # cannot drop one, and the ping would cost a statement on every read. SQLite keeps a
        # connection for each thread that may read at once (the API's thread pool): one opened
        # and closed per request costs more than the read itself.
        pooling: dict[str, Any] = (
            {"pool_size": POOL_SIZE, "max_overflow": POOL_SIZE} if self.is_sqlite
            else {"pool_pre_ping": True}
        )  # fmt: skip
        self.engine: Engine = create_engine(self.url, **(pooling | engine_args))
        if self.is_sqlite:
            _configure_sqlite(self.engine, self.busy_ms)
        self._writer = self.engine.execution_options(studio_write=True)
        self._single = self.engine.execution_options(studio_single_statement=True)

    @property
    def display(self) -> str:
        return make_url(self.url).render_as_string(hide_password=True)

    @contextmanager
    def read(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    def first(self, statement: Executable, params: dict[str, Any]) -> Row[Any] | None:
        """The first row of one read statement, without an ORM session or a transaction around
        it (SQLite runs a lone statement in its own; cheaper than a session for a hot read)."""
        with self._single.connect() as connection:
            return connection.execute(statement, params).first()

    def all(self, statement: Executable, params: dict[str, Any]) -> list[Row[Any]]:
        with self._single.connect() as connection:
            return list(connection.execute(statement, params))

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
