"""Store: the bot's persistence, one async API over SQLite (default) or PostgreSQL."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import URL, AsyncAdaptedQueuePool, delete, event, make_url, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from emotions import as_probs
from storage import migrations
from storage.schema import feedback, readings, recommendations, users

SQLITE_BUSY_TIMEOUT_MS = 30_000
# meta is for derived facts ({"faces": 2, "language": "en"}); a longer string is likely user content.
META_MAX_STR = 64


@dataclass(frozen=True)
class User:
    id: int
    consented_at: datetime | None
    prefs: dict
    taste: dict
    created_at: datetime


@dataclass(frozen=True)
class StoredReading:
    id: int
    source: str
    probs: dict[str, float]
    confidence: float
    at: datetime
    meta: dict


@dataclass(frozen=True)
class Feedback:
    track_id: str
    liked: bool
    at: datetime


class Store:
    """Many coroutines may share one Store: each call runs in its own session and transaction.

    Writing anything about a user creates their row if needed (without consent): asking for consent
    before storing readings is the bot's job.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)
        self._insert = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}[engine.dialect.name]

    @classmethod
    async def open(cls, url: str) -> Store:
        """Connect ("sqlite+aiosqlite:///path.db" or "postgresql+asyncpg://...") and migrate to head."""
        engine = create_async_engine(url, **_engine_options(make_url(url)))
        if engine.dialect.name == "sqlite":
            _tune_sqlite(engine)
        elif engine.dialect.name != "postgresql":
            await engine.dispose()
            raise ValueError(f"unsupported database {engine.dialect.name!r}: use SQLite or PostgreSQL")
        try:
            async with engine.begin() as connection:
                await connection.run_sync(migrations.upgrade)
        except BaseException:
            await engine.dispose()
            raise
        return cls(engine)

    async def close(self) -> None:
        await self._engine.dispose()

    async def _upsert_user(self, session: AsyncSession, user_id: int, **values: Any) -> None:
        """Create the user's row if missing, then set `values` on it."""
        stmt = self._insert(users).values(id=user_id, **values)
        stmt = (stmt.on_conflict_do_update(index_elements=[users.c.id], set_=values) if values
                else stmt.on_conflict_do_nothing(index_elements=[users.c.id]))
        await session.execute(stmt)

    # -- users ---------------------------------------------------------------------------------

    async def get_user(self, user_id: int) -> User | None:
        async with self._sessions.begin() as session:
            row = (await session.execute(select(users).where(users.c.id == user_id))).one_or_none()
        return None if row is None else User(**row._mapping)

    async def set_consent(self, user_id: int, consented: bool) -> None:
        """Record consent now (creating the user), or clear it."""
        async with self._sessions.begin() as session:
            await self._upsert_user(session, user_id, consented_at=datetime.now(UTC) if consented else None)

    async def set_prefs(self, user_id: int, prefs: dict) -> None:
        async with self._sessions.begin() as session:
            await self._upsert_user(session, user_id, prefs=prefs)

    async def set_taste(self, user_id: int, taste: dict) -> None:
        async with self._sessions.begin() as session:
            await self._upsert_user(session, user_id, taste=taste)

    # -- readings ------------------------------------------------------------------------------

    async def add_reading(self, user_id: int, source: str, probs: Mapping[str, float], confidence: float,
                          at: datetime, meta: dict | None = None) -> int:
        """Store one reading (probabilities over EMOTIONS, normalised); returns its id."""
        meta = meta or {}
        _check_derived(meta)
        row = dict(user_id=user_id, source=source, probs=as_probs(probs), confidence=float(confidence), at=at,
                   meta=meta)
        async with self._sessions.begin() as session:
            await self._upsert_user(session, user_id)
            return (await session.execute(readings.insert().values(row).returning(readings.c.id))).scalar_one()

    async def readings(self, user_id: int, since: datetime | None = None) -> list[StoredReading]:
        """The user's readings, oldest first."""
        query = select(readings.c.id, readings.c.source, readings.c.probs, readings.c.confidence, readings.c.at,
                       readings.c.meta).where(readings.c.user_id == user_id)
        if since is not None:
            query = query.where(readings.c.at >= since)
        async with self._sessions.begin() as session:
            rows = await session.execute(query.order_by(readings.c.at, readings.c.id))
        return [StoredReading(**row._mapping) for row in rows]

    async def purge_readings_before(self, cutoff: datetime) -> int:
        """Retention: delete every reading older than `cutoff`; returns how many."""
        async with self._sessions.begin() as session:
            return (await session.execute(delete(readings).where(readings.c.at < cutoff))).rowcount

    # -- recommendations -----------------------------------------------------------------------

    async def add_recommendation(self, user_id: int, track_ids: list[str], strategy: str, mood_label: str,
                                 at: datetime) -> int:
        row = dict(user_id=user_id, track_ids=list(track_ids), strategy=strategy, mood_label=mood_label, at=at)
        async with self._sessions.begin() as session:
            await self._upsert_user(session, user_id)
            return (await session.execute(
                recommendations.insert().values(row).returning(recommendations.c.id))).scalar_one()

    async def recent_track_ids(self, user_id: int, since: datetime) -> set[str]:
        """Every track recommended to the user at or after `since`."""
        query = select(recommendations.c.track_ids).where(
            recommendations.c.user_id == user_id, recommendations.c.at >= since)
        async with self._sessions.begin() as session:
            lists = (await session.execute(query)).scalars()
            return {track_id for track_ids in lists for track_id in track_ids}

    # -- feedback ------------------------------------------------------------------------------

    async def add_feedback(self, user_id: int, track_id: str, liked: bool, at: datetime) -> None:
        """Record a vote; per (user, track) the vote with the latest `at` wins, whatever the arrival order."""
        stmt = self._insert(feedback).values(user_id=user_id, track_id=track_id, liked=liked, at=at)
        stmt = stmt.on_conflict_do_update(
            index_elements=[feedback.c.user_id, feedback.c.track_id],
            set_={"liked": stmt.excluded.liked, "at": stmt.excluded.at},
            where=stmt.excluded.at >= feedback.c.at,
        )
        async with self._sessions.begin() as session:
            await self._upsert_user(session, user_id)
            await session.execute(stmt)

    async def feedback(self, user_id: int) -> list[Feedback]:
        """The user's votes, oldest first."""
        query = (select(feedback.c.track_id, feedback.c.liked, feedback.c.at)
                 .where(feedback.c.user_id == user_id).order_by(feedback.c.at, feedback.c.track_id))
        async with self._sessions.begin() as session:
            return [Feedback(**row._mapping) for row in await session.execute(query)]

    async def liked_by_others(self, user_id: int, limit: int = 5000) -> list[tuple[int, str]]:
        """(other user id, track id) for the most recent likes by everyone else: the collaborative signal."""
        query = (select(feedback.c.user_id, feedback.c.track_id)
                 .where(feedback.c.liked, feedback.c.user_id != user_id)
                 .order_by(feedback.c.at.desc(), feedback.c.user_id, feedback.c.track_id).limit(limit))
        async with self._sessions.begin() as session:
            return [(row.user_id, row.track_id) for row in await session.execute(query)]

    # -- privacy -------------------------------------------------------------------------------

    async def forget(self, user_id: int) -> int:
        """Delete every row about the user, in one transaction; returns how many rows went."""
        async with self._sessions.begin() as session:
            deleted = 0
            for table in (feedback, recommendations, readings):
                deleted += (await session.execute(delete(table).where(table.c.user_id == user_id))).rowcount
            deleted += (await session.execute(delete(users).where(users.c.id == user_id))).rowcount
            return deleted


def _engine_options(url: URL) -> dict[str, Any]:
    if url.get_backend_name() != "sqlite":
        return {"pool_pre_ping": True}  # a server may drop idle connections
    # SQLite has one writer at a time (and every transaction here takes the write lock), so more connections
    # only poll the file lock against each other; one connection queues callers in order instead. It also
    # keeps an in-memory database alive, where SQLite's default StaticPool would share it between transactions.
    return {"poolclass": AsyncAdaptedQueuePool, "pool_size": 1, "max_overflow": 0,
            "pool_timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}


def _tune_sqlite(engine: AsyncEngine) -> None:
    """WAL, foreign keys and a busy timeout on every connection; SQLAlchemy (not sqlite3) emits BEGIN."""

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # stop sqlite3's own implicit BEGINs (and its DDL autocommit)
        cursor = dbapi_connection.cursor()
        for pragma in ("journal_mode=WAL", "foreign_keys=ON", f"busy_timeout={SQLITE_BUSY_TIMEOUT_MS}"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        # IMMEDIATE takes the write lock up front, so a transaction never has to upgrade a read lock and
        # fail with SQLITE_BUSY (which skips the busy timeout); writers queue on the timeout instead.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _check_derived(meta: Any) -> None:
    """Reject meta that looks like content rather than derived facts: bytes or long strings, at any depth."""
    if isinstance(meta, Mapping):
        for key, value in meta.items():
            _check_derived(key)
            _check_derived(value)
    elif isinstance(meta, (list, tuple)):
        for value in meta:
            _check_derived(value)
    elif isinstance(meta, (bytes, bytearray, memoryview)) or (isinstance(meta, str) and len(meta) > META_MAX_STR):
        raise ValueError(f"meta holds derived facts only (no bytes, strings up to {META_MAX_STR} chars)")
