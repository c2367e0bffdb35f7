"""review routing: a reviewer's focus, each variant's finding categories (filled in from its
newest report), and comments on a run of words

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("focus", sa.String(length=8), nullable=False, server_default="all")
        )
    with op.batch_alter_table("variant", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("categories", sa.String(length=64), nullable=False, server_default="")
        )
    _fill_categories()
    op.create_table(
        "comment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("variant_id", sa.Integer(), nullable=False),
        sa.Column("version_number", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["variant_id"], ["variant.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("comment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_comment_variant_id"), ["variant_id"], unique=False)


def _fill_categories() -> None:
    """Each variant's categories from its newest report, as saving a report sets them now."""
    connection = op.get_bind()
    newest = connection.execute(
        sa.text(
            "SELECT r.variant_id, r.report FROM checkreport r WHERE r.id = "
            "(SELECT max(n.id) FROM checkreport n WHERE n.variant_id = r.variant_id)"
        )
    )
    for variant_id, report in newest.all():
        data = json.loads(report) if isinstance(report, str) else report
        categories = " ".join(sorted({f["category"] for f in data.get("findings", [])}))
        connection.execute(
            sa.text("UPDATE variant SET categories = :categories WHERE id = :id"),
            {"categories": categories, "id": variant_id},
        )


def downgrade() -> None:
    with op.batch_alter_table("comment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_comment_variant_id"))
    op.drop_table("comment")
    # Plain ALTER TABLE ... DROP COLUMN (SQLite has it since 3.35): a batch would rebuild the
    # tables, which foreign keys pointing at them forbid.
    op.drop_column("variant", "categories")
    op.drop_column("user", "focus")
