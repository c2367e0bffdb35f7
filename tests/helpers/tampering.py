"""Changing the audit log behind the studio's back, for the tests that prove it is caught."""

from __future__ import annotations

from sqlalchemy import text

from studio.store.db import Database


def tamper(db: Database, sql: str, **params: object) -> None:
    """Change the log as someone with owner rights could: switch off the append-only triggers
    first. What the chain must catch is exactly this."""
    with db.engine.begin() as connection:
        if db.is_sqlite:
            connection.execute(text("DROP TRIGGER IF EXISTS auditevent_no_update"))
            connection.execute(text("DROP TRIGGER IF EXISTS auditevent_no_delete"))
        else:
            connection.execute(
                text("ALTER TABLE auditevent DISABLE TRIGGER auditevent_append_only")
            )
        connection.execute(text(sql), params)
