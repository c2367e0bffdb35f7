"""sign-in: access tokens (CLI sessions and personal access tokens, stored as hashes), and the
end date of a brief's offer (copy for an ended offer cannot be approved)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "accesstoken",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=32), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    with op.batch_alter_table("accesstoken", schema=None) as batch_op:
        batch_op.create_index("ix_accesstoken_user", ["user_id", "kind"], unique=False)
    with op.batch_alter_table("brief", schema=None) as batch_op:
        batch_op.add_column(sa.Column("offer_ends", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("brief", schema=None) as batch_op:
        batch_op.drop_column("offer_ends")
    with op.batch_alter_table("accesstoken", schema=None) as batch_op:
        batch_op.drop_index("ix_accesstoken_user")
    op.drop_table("accesstoken")
