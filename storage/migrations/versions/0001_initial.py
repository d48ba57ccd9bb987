"""Users, readings, recommendations, feedback.

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Migrations spell out plain types so later edits to storage/schema.py cannot rewrite history.
RowId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
At = sa.DateTime(timezone=True)


def _user_id(primary_key: bool = False) -> sa.Column[int]:
    return sa.Column("user_id", sa.BigInteger(), sa.ForeignKey("users.id", ondelete="CASCADE"),
                     primary_key=primary_key, nullable=False)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("consented_at", At, nullable=True),
        sa.Column("prefs", sa.JSON(), nullable=False),
        sa.Column("taste", sa.JSON(), nullable=False),
        sa.Column("created_at", At, nullable=False),
    )
    op.create_table(
        "readings",
        sa.Column("id", RowId, primary_key=True),
        _user_id(),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("probs", sa.JSON(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("at", At, nullable=False),
        sa.Column("meta", sa.JSON(), nullable=False),
    )
    op.create_index("ix_readings_user_id_at", "readings", ["user_id", "at"])
    op.create_index("ix_readings_at", "readings", ["at"])
    op.create_table(
        "recommendations",
        sa.Column("id", RowId, primary_key=True),
        _user_id(),
        sa.Column("track_ids", sa.JSON(), nullable=False),
        sa.Column("strategy", sa.String(64), nullable=False),
        sa.Column("mood_label", sa.String(64), nullable=False),
        sa.Column("at", At, nullable=False),
    )
    op.create_index("ix_recommendations_user_id_at", "recommendations", ["user_id", "at"])
    op.create_table(
        "feedback",
        _user_id(primary_key=True),
        sa.Column("track_id", sa.String(128), primary_key=True),
        sa.Column("liked", sa.Boolean(), nullable=False),
        sa.Column("at", At, nullable=False),
    )


def downgrade() -> None:
    for table in ("feedback", "recommendations", "readings", "users"):
        op.drop_table(table)
