"""The per-source reading lookups ordered as they are read (at, then id), so PostgreSQL stops after the
newest few instead of sorting the whole stretch: (user_id, source, at) -> (user_id, source, at, id).

Revision ID: 0004_newest_per_source
Revises: 0003_growth
"""
from alembic import op

revision = "0004_newest_per_source"
down_revision = "0003_growth"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_readings_user_id_source_at_id", "readings", ["user_id", "source", "at", "id"])
    op.drop_index("ix_readings_user_id_source_at", "readings")


def downgrade() -> None:
    op.create_index("ix_readings_user_id_source_at", "readings", ["user_id", "source", "at"])
    op.drop_index("ix_readings_user_id_source_at_id", "readings")
