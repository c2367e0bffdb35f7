"""feed indexes: what catch-up asks on every feed move (the next approval to expire, the next
window to open) and where an `updated_since` sync starts, each answered from an index instead
of a scan of every publication

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-08
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_publication_updated_at", "publication", ["updated_at"])
    op.create_index("ix_publication_state_until", "publication", ["state", "valid_until"])
    op.create_index("ix_publication_state_from", "publication", ["state", "valid_from"])


def downgrade() -> None:
    op.drop_index("ix_publication_state_from", table_name="publication")
    op.drop_index("ix_publication_state_until", table_name="publication")
    op.drop_index("ix_publication_updated_at", table_name="publication")
