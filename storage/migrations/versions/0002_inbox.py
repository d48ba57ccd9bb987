"""The durable inbox: updates stored before they are confirmed to Telegram, until handled.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

At = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "inbox",
        sa.Column("update_id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("payload", sa.Text(), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("answered", sa.Boolean(), nullable=False),
        sa.Column("received_at", At, nullable=False),
        sa.Column("claimed_at", At, nullable=True),
    )
    op.create_index("ix_inbox_state_update_id", "inbox", ["state", "update_id"])
    op.create_index("ix_inbox_user_id_state", "inbox", ["user_id", "state"])


def downgrade() -> None:
    op.drop_table("inbox")
