"""The tables. Alembic migrations (storage/migrations) build exactly this; a test checks they agree."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    text,
)
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC in and out. SQLite has no time zones, so there it holds naive UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: pass a timezone-aware one")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _now() -> datetime:
    return datetime.now(UTC)


def _empty() -> dict[str, Any]:
    return {}


# Telegram user ids need 64 bits; SQLite only autoincrements a plain INTEGER primary key.
RowId = BigInteger().with_variant(Integer(), "sqlite")


def _user_id(primary_key: bool = False) -> Column[int]:
    return Column("user_id", BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=primary_key,
                  nullable=False)


metadata = MetaData()

users = Table(
    "users", metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("consented_at", UTCDateTime, nullable=True),
    Column("prefs", JSON, nullable=False, default=_empty),
    Column("taste", JSON, nullable=False, default=_empty),
    Column("created_at", UTCDateTime, nullable=False, default=_now),
    # What the bot asked and waits for an answer to ("prefs"), so any copy of the bot reads the answer right.
    Column("awaiting", String(32), nullable=True),
)

# One emotion reading (face or text). Only derived numbers: never the image, never the message.
readings = Table(
    "readings", metadata,
    Column("id", RowId, primary_key=True),
    _user_id(),
    Column("source", String(64), nullable=False),
    Column("probs", JSON, nullable=False),
    Column("confidence", Float, nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("meta", JSON, nullable=False),
    Index("ix_readings_user_id_at", "user_id", "at"),
    Index("ix_readings_at", "at"),  # the retention purge scans by time alone
    # the newest N of a source in a stretch (Store.recent_readings): read in this order, it stops after N
    Index("ix_readings_user_id_source_at_id", "user_id", "source", "at", "id"),
)

# One reply's worth of tracks.
recommendations = Table(
    "recommendations", metadata,
    Column("id", RowId, primary_key=True),
    _user_id(),
    Column("track_ids", JSON, nullable=False),
    Column("strategy", String(64), nullable=False),
    Column("mood_label", String(64), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Index("ix_recommendations_user_id_at", "user_id", "at"),
)

# The latest vote per (user, track).
feedback = Table(
    "feedback", metadata,
    _user_id(primary_key=True),
    Column("track_id", String(128), primary_key=True),
    Column("liked", Boolean, nullable=False),
    Column("at", UTCDateTime, nullable=False),
    # co-likes: the most recent likes of everyone (Store.liked_by_others) without scanning every vote
    Index("ix_feedback_liked_at", "at", postgresql_where=text("liked"), sqlite_where=text("liked")),
)

# The durable inbox (storage/inbox.py): every update fetched from Telegram, stored before it is confirmed.
# `payload` (the raw update, message text included) and `user_id` live only until the update is handled;
# a finished row keeps just its id and state, so a redelivered update is recognised and not handled twice.
inbox = Table(
    "inbox", metadata,
    Column("update_id", BigInteger, primary_key=True, autoincrement=False),
    Column("user_id", BigInteger, nullable=True),  # per-user order; no foreign key: the user may not exist
    Column("payload", Text, nullable=True),
    Column("state", String(16), nullable=False),  # pending -> claimed -> done | skipped | failed
    Column("attempts", Integer, nullable=False, default=0),
    Column("answered", Boolean, nullable=False, default=False),  # a reply went out: a replay must not repeat it
    Column("received_at", UTCDateTime, nullable=False, default=_now),
    Column("claimed_at", UTCDateTime, nullable=True),
    Index("ix_inbox_state_update_id", "state", "update_id"),
    Index("ix_inbox_user_id_state", "user_id", "state"),
)
