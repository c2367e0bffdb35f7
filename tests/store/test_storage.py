"""Storage on SQLite and PostgreSQL: migrations, upgrades that keep data, SQLite's lock handling,
and decisions that land whole or not at all."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlmodel import SQLModel, select

from studio.errors import DatabaseBusy
from studio.services import approval, audit
from studio.store.db import Database, alembic_config, database_url, normalise_url
from studio.store.models import AuditEvent, Override, Review, Status, User, Variant
from tests.helpers.variants import CURE, JUSTIFIED, draft, in_review


def test_migrations_create_exactly_the_models(empty_db: Database) -> None:
    empty_db.migrate()
    with empty_db.engine.connect() as connection:
        tables = set(inspect(connection).get_table_names())
        diff = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert {"variant", "variantversion", "checkreport", "auditevent", "user"} <= tables
    assert diff == [], f"models and migrations disagree: {diff}"


def test_upgrading_an_existing_database_keeps_its_data(empty_db: Database) -> None:
    """Build the oldest schema, put data in it, upgrade to the newest: the data is all there."""
    revisions = list(ScriptDirectory.from_config(alembic_config()).walk_revisions())
    oldest = revisions[-1].revision
    with empty_db._writer.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, oldest)
        connection.execute(
            text("INSERT INTO \"user\" (name, role, password_hash, disabled, created_at) "
                 "VALUES ('old-timer', 'reviewer', 'x', false, CURRENT_TIMESTAMP)")
        )  # fmt: skip
    empty_db.migrate()
    empty_db.migrate()  # idempotent
    with empty_db.read() as session:
        (user,) = session.exec(select(User)).all()
    assert (user.name, user.role) == ("old-timer", "reviewer")
    with empty_db.engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    assert current == revisions[0].revision


def test_the_routing_migration_fills_each_variants_categories_from_its_report(
    db: Database,
) -> None:
    """0006 adds the categories the review queue routes on; copy saved before it gets them
    from its newest report (here: downgraded past 0006 and upgraded again)."""
    cured = draft(db, CURE)
    with db.read() as session:
        before = session.get(Variant, cured.id)
        assert before is not None and "claim" in before.categories.split()
        expected = before.categories
    with db._writer.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, "0005")
    db.migrate()
    with db.read() as session:
        after = session.get(Variant, cured.id)
        focus = session.exec(select(User.focus)).all()
    assert after is not None and after.categories == expected
    assert set(focus) == {"all"}


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'x.db'}")
    with database.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_database_url_defaults_and_normalisation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("STUDIO_DATABASE_URL", raising=False)
    monkeypatch.setenv("STUDIO_DATA_DIR", str(tmp_path))
    assert database_url() == f"sqlite:///{tmp_path / 'studio.db'}"
    monkeypatch.setenv("STUDIO_DATABASE_URL", "postgresql://u:p@db:5432/studio")
    assert database_url() == "postgresql+psycopg://u:p@db:5432/studio"
    assert normalise_url("sqlite:///x.db") == "sqlite:///x.db"


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Database:
    database = Database(f"sqlite:///{tmp_path / 'locked.db'}", busy_ms=300)
    database.migrate()
    with database.write() as session:
        session.add(User(name="wendy", role="copywriter", password_hash="x"))
        session.add(User(name="rita", role="reviewer", password_hash="x"))
    return database


def _lock(path: str) -> sqlite3.Connection:
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    return holder


def test_a_locked_sqlite_database_is_reported_clearly_and_nothing_changes(
    sqlite_db: Database,
) -> None:
    variant = in_review(sqlite_db)
    holder = _lock(sqlite_db.engine.url.database or "")
    try:
        started = time.monotonic()
        with pytest.raises(DatabaseBusy, match=r"stayed locked by another process for 0.3 s"):
            approval.approve(sqlite_db, variant.id or 0, actor="rita")
        assert time.monotonic() - started >= 0.3  # it waited (retried) before giving up
    finally:
        holder.rollback()
        holder.close()
    with sqlite_db.read() as session:
        assert session.get(Variant, variant.id).status == Status.IN_REVIEW  # type: ignore[union-attr]
    assert approval.approve(sqlite_db, variant.id or 0, actor="rita").status == Status.APPROVED


def test_a_briefly_locked_sqlite_database_is_waited_for(sqlite_db: Database) -> None:
    variant = in_review(sqlite_db)
    holder = _lock(sqlite_db.engine.url.database or "")
    threading.Timer(0.1, holder.rollback).start()
    assert approval.approve(sqlite_db, variant.id or 0, actor="rita").status == Status.APPROVED
    holder.close()


def test_a_failure_mid_decision_leaves_no_half_state(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The approval, its overrides and its audit event are one transaction."""
    variant = in_review(db, CURE)
    events_before = _event_count(db)
    real_record = audit.record

    def failing_record(session, actor, action, *args, **kwargs):  # type: ignore[no-untyped-def]
        if action == "variant.approve" and kwargs.get("outcome", "ok") == "ok":
            raise RuntimeError("disk full")
        return real_record(session, actor, action, *args, **kwargs)

    monkeypatch.setattr(audit, "record", failing_record)
    with pytest.raises(RuntimeError, match="disk full"):
        approval.approve(db, variant.id or 0, actor="rita", overrides={"CLAIM-HEALTH": JUSTIFIED})
    with db.read() as session:
        after = session.get(Variant, variant.id)
        assert after is not None and after.status == Status.IN_REVIEW
        assert after.approved_by is None and after.revision == variant.revision
        assert session.exec(select(Review).where(Review.action == "approve")).all() == []
        assert session.exec(select(Override)).all() == []
        assert audit.verify(session).ok
    assert _event_count(db) == events_before


def _event_count(db: Database) -> int:
    with db.read() as session:
        return len(session.exec(select(AuditEvent)).all())


def test_single_statement_reads_see_each_committed_write_at_once(db: Database) -> None:
    """`first` holds no snapshot between calls: a write committed in between is read next."""
    count = text('SELECT count(*) FROM "user"')
    before = db.first(count, {})
    with db.write() as session:
        session.add(User(name="newcomer", role="copywriter", password_hash="x"))
    after = db.first(count, {})
    assert before is not None and after is not None and after[0] == before[0] + 1


def test_a_pooled_connection_the_server_dropped_is_replaced(db: Database) -> None:
    if db.is_sqlite:
        pytest.skip("a SQLite file cannot drop a connection")
    pid = text("SELECT pg_backend_pid()")
    first = db.first(pid, {})
    assert first is not None
    admin = Database(db.url)
    try:
        with admin.engine.connect() as other:
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first[0]})
    finally:
        admin.dispose()
    second = db.first(pid, {})
    assert second is not None and second[0] != first[0]
