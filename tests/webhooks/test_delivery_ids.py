"""A webhook delivery id, once handed out, is never handed out again, even after its endpoint is
removed with its deliveries: an id an admin read, replayed or wrote down keeps naming that one
delivery. PostgreSQL's sequences never reuse a value; SQLite's plain integer keys take the
highest id left plus one, so migration 0008 makes the table AUTOINCREMENT there."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import text
from sqlmodel import col, select

from studio.services import webhooks
from studio.store.db import Database, alembic_config
from studio.store.models import WebhookAttempt, WebhookDelivery
from tests.helpers.receiver import Receiver, Reply, receiver
from tests.helpers.variants import approved
from tests.webhooks.test_dispatch import deliver_due, deliveries

pytestmark = pytest.mark.usefixtures("rules_dir")


def add(db: Database, box: Receiver, name: str = "engine") -> None:
    webhooks.add_endpoint(db, actor="ada", name=name, url=box.url, allow_private=True)


def test_a_removed_endpoints_delivery_ids_are_never_handed_out_again(db: Database) -> None:
    with receiver() as box:
        add(db, box, "first")
        approved(db)
        approved(db, author="walt")
        old = [row.id for row in deliveries(db)]
        deliver_due(db)
        webhooks.remove_endpoint(db, actor="ada", name="first")
        assert deliveries(db) == []
        add(db, box, "second")
        approved(db)
        [new] = deliveries(db)
    assert new.id is not None and new.id > max(i for i in old if i is not None)


@pytest.mark.parametrize("empty_db", ["sqlite"], indirect=True)
def test_migration_0008_keeps_deliveries_and_attempts_both_ways(db: Database) -> None:
    with receiver(Reply(500)) as box:
        add(db, box)
        approved(db)
        approved(db, author="walt")
        deliver_due(db)

    def table_sql() -> str:
        with db.engine.connect() as connection:
            found = connection.execute(
                text("SELECT sql FROM sqlite_master WHERE name = 'webhookdelivery'")
            )
            return found.scalar_one()

    def migrate(to: str) -> None:
        with db.engine.begin() as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            (command.upgrade if to == "head" else command.downgrade)(config, to)

    def kept() -> tuple[list[int | None], list[int]]:
        with db.read() as session:
            ids = list(session.exec(select(WebhookDelivery.id).order_by(col(WebhookDelivery.id))))
            tried = list(session.exec(select(WebhookAttempt.delivery_id)))
        return ids, sorted(tried)

    before = kept()
    assert "AUTOINCREMENT" in table_sql() and len(before[1]) == 2
    migrate("0007")
    assert "AUTOINCREMENT" not in table_sql() and kept() == before
    migrate("head")
    assert "AUTOINCREMENT" in table_sql() and kept() == before
    with db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA foreign_key_check")).all() == []
        indexes = {row[1] for row in connection.execute(text("PRAGMA index_list(webhookattempt)"))}
    assert "ix_webhookattempt_delivery_id" in indexes
