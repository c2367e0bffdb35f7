"""feed documents: every document the feed serves, rendered once when the copy changes, in the
studio's own merge-tag syntax and in each engine's dialect (or the reason it cannot be)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Existing publications get their documents from the feed's first catch-up after the upgrade
# (rendering needs each brand's rule pack, which a migration does not load).
def upgrade() -> None:
    op.create_table(
        "feeddocument",
        sa.Column("variant_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("dialect", sa.String(length=16), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("etag", sa.String(length=80), nullable=False),
        sa.Column("untranslatable", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["variant_id"], ["publication.variant_id"]),
        sa.PrimaryKeyConstraint("variant_id", "dialect"),
    )


def downgrade() -> None:
    op.drop_table("feeddocument")
