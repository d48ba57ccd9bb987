"""Many copies, long histories: per-source reading lookups, a partial index for co-likes, and what
the bot awaits from a user kept in the database (not in one copy's memory).

Revision ID: 0003_growth
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003_growth"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("awaiting", sa.String(32), nullable=True))
    # "the newest N face readings of this user in this stretch": an index range scan that stops at N
    op.create_index("ix_readings_user_id_source_at", "readings", ["user_id", "source", "at"])
    # co-likes read the most recent likes of everyone; without it every /playlist scans the whole table
    op.create_index("ix_feedback_liked_at", "feedback", ["at"],
                    postgresql_where=sa.text("liked"), sqlite_where=sa.text("liked"))


def downgrade() -> None:
    op.drop_index("ix_feedback_liked_at", "feedback")
    op.drop_index("ix_readings_user_id_source_at", "readings")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("awaiting")
