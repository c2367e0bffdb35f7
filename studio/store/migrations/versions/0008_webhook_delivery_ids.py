"""webhook delivery ids are never reused: SQLite AUTOINCREMENT on webhookdelivery

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Without AUTOINCREMENT, SQLite hands out max(id) + 1, so once an endpoint is removed with its
# deliveries, the next delivery can take the id of one of them: an id an admin read, replayed or
# wrote down would name another delivery. AUTOINCREMENT keeps the highest id ever given in
# sqlite_sequence and never goes below it. PostgreSQL's sequences never reuse a value: nothing
# to do there.
#
# The table is rebuilt (SQLite cannot change a key in place). Its attempts point at it, and the
# migration runs in a transaction, where SQLite cannot turn foreign keys off: so the attempts are
# set aside first, their table dropped and made again afterwards, exactly as 0005 made it.
ATTEMPT_COLUMNS = "id, delivery_id, at, status, error, duration_ms"


def upgrade() -> None:
    _rebuild(autoincrement=True)


def downgrade() -> None:
    _rebuild(autoincrement=False)


def _rebuild(*, autoincrement: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(f"CREATE TEMP TABLE kept_webhookattempt AS SELECT {ATTEMPT_COLUMNS} "
               "FROM webhookattempt")  # fmt: skip
    op.drop_index("ix_webhookattempt_delivery_id", table_name="webhookattempt")
    op.drop_table("webhookattempt")
    with op.batch_alter_table(
        "webhookdelivery", recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
    ):
        pass
    op.create_table(
        "webhookattempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["delivery_id"], ["webhookdelivery.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_webhookattempt_delivery_id", "webhookattempt", ["delivery_id"])
    op.execute(f"INSERT INTO webhookattempt ({ATTEMPT_COLUMNS}) SELECT {ATTEMPT_COLUMNS} "
               "FROM kept_webhookattempt")  # fmt: skip
    op.execute("DROP TABLE kept_webhookattempt")
