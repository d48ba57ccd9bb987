"""Store: the bot's persistence, one async API over SQLite (default) or PostgreSQL.

Every public method is one transaction, written once as plain synchronous SQLAlchemy Core on a
`Connection` and run in the way that suits the database:

* SQLite: on the Store's own database thread, with the standard sqlite3 driver, so a whole
  transaction costs the event loop one hand-off. (Through aiosqlite each cursor call is a
  round trip between threads, 8-15 per transaction; under load those hops serialised the bot
  at about 60 messages/s.)
* PostgreSQL: on SQLAlchemy's async engine with asyncpg, via `AsyncConnection.run_sync`.
"""
from __future__ import annotations

import asyncio
import functools
import json
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy import (
    URL,
    Connection,
    Engine,
    QueuePool,
    Select,
    Table,
    bindparam,
    create_engine,
    delete,
    event,
    func,
    make_url,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from emotions import as_probs
from storage import migrations
from storage.schema import feedback, readings, recommendations, users

SQLITE_BUSY_TIMEOUT_MS = 30_000
# meta is for derived facts ({"faces": 2, "language": "en"}); a longer string is likely user content.
META_MAX_STR = 64
DELETE_BATCH = 5000  # rows per transaction when purging or forgetting: short enough not to stall others
READING_SOURCES = ("face", "text", "correction")  # fusion.SOURCES; storage doesn't import fusion
P = ParamSpec("P")
T = TypeVar("T")

# What every message runs, composed once with bound parameters: composing a statement costs SQLAlchemy
# several times what SQLite takes to run it.
READING_COLUMNS = (readings.c.id, readings.c.source, readings.c.probs, readings.c.confidence, readings.c.at,
                   readings.c.meta)
GET_USER = select(users).where(users.c.id == bindparam("user_id"))
INSERT_READING = readings.insert().returning(readings.c.id)
NEWEST_READING = (select(readings.c.id, readings.c.at).where(readings.c.user_id == bindparam("user_id"))
                  .order_by(readings.c.at.desc(), readings.c.id.desc()).limit(1))
OLDEST_READING = (select(readings.c.id, readings.c.at).where(readings.c.user_id == bindparam("user_id"))
                  .order_by(readings.c.at, readings.c.id).limit(1))
USER_CREATED = select(users.c.created_at).where(users.c.id == bindparam("user_id"))


@dataclass(frozen=True)
class User:
    id: int
    consented_at: datetime | None
    prefs: dict[str, Any]
    taste: dict[str, Any]
    created_at: datetime
    awaiting: str | None = None  # what the bot asked the user and waits for an answer to


@dataclass(frozen=True)
class ReadingSpan:
    """What a cache of work on a user's readings is keyed by: the user's row (a new one after /forget) and
    the oldest and newest reading, as (id, time) (new ones after a purge or a new reading)."""
    user_created: datetime | None
    oldest: tuple[int, datetime] | None
    newest: tuple[int, datetime] | None


@dataclass(frozen=True)
class StoredReading:
    id: int
    source: str
    probs: dict[str, float]
    confidence: float
    at: datetime
    meta: dict[str, Any]


@dataclass(frozen=True)
class Feedback:
    track_id: str
    liked: bool
    at: datetime


def transaction(method: Callable[Concatenate[Store, Connection, P], T]) -> Callable[Concatenate[Store, P], Awaitable[T]]:
    """`def f(self, connection, ...)` becomes `async def f(self, ...)`, run as one transaction."""

    async def run(store: Store, /, *args: P.args, **kwargs: P.kwargs) -> T:
        return await store._run(functools.partial(method, store), *args, **kwargs)

    functools.update_wrapper(run, method)
    return run


class Store:
    """Many coroutines may share one Store: each call runs in its own transaction.

    Writing anything about a user creates their row if needed (without consent): asking for consent
    before storing readings is the bot's job.
    """

    def __init__(self, engine: Engine | AsyncEngine) -> None:
        self._engine = engine
        self.dialect = engine.dialect.name
        # Both dialects' INSERT has on_conflict_do_update/nothing; the generic one (what a checker sees) has not.
        self._insert: Callable[[Table], Any] = {"sqlite": sqlite.insert,
                                                "postgresql": postgresql.insert}[engine.dialect.name]
        # SQLite has one writer at a time: one thread with one connection queues transactions in order.
        self._thread = ThreadPoolExecutor(1, "sqlite") if isinstance(engine, Engine) else None

    @functools.cached_property
    def _ensure_user(self) -> Any:
        """A bare user row unless there is one: composed once, every reading and vote runs it."""
        return self._insert(users).on_conflict_do_nothing(index_elements=[users.c.id])

    @classmethod
    async def open(cls, url: str) -> Store:
        """Connect ("sqlite:///path.db", also "sqlite+aiosqlite:///...", or "postgresql+asyncpg://...")
        and migrate to head."""
        parsed = make_url(url)
        backend = parsed.get_backend_name()
        if backend not in ("sqlite", "postgresql"):
            raise ValueError(f"unsupported database {backend!r}: use SQLite or PostgreSQL")
        store = cls(_sqlite_engine(parsed) if backend == "sqlite"
                    else create_async_engine(parsed, pool_pre_ping=True))  # a server may drop idle connections
        try:
            await store._run(migrations.upgrade)
        except BaseException:
            await store.close()
            raise
        return store

    async def close(self) -> None:
        if isinstance(self._engine, AsyncEngine):
            await self._engine.dispose()
        elif self._thread is not None:
            await asyncio.get_running_loop().run_in_executor(self._thread, self._engine.dispose)
            self._thread.shutdown()

    async def _run(self, fn: Callable[Concatenate[Connection, P], T], *args: P.args, **kwargs: P.kwargs) -> T:
        """fn(connection, ...) inside one transaction, committed when it returns."""
        engine = self._engine
        if isinstance(engine, AsyncEngine):
            async with engine.begin() as connection:
                return await connection.run_sync(fn, *args, **kwargs)

        def in_transaction() -> T:
            with engine.begin() as connection:
                return fn(connection, *args, **kwargs)

        return await asyncio.get_running_loop().run_in_executor(self._thread, in_transaction)

    def _upsert_user(self, connection: Connection, user_id: int, **values: Any) -> None:
        """Create the user's row if missing, then set `values` on it."""
        if not values:  # the common case (a reading, a vote): one prepared statement
            connection.execute(self._ensure_user, {"id": user_id})
            return
        stmt = self._insert(users).values(id=user_id, **values)
        connection.execute(stmt.on_conflict_do_update(index_elements=[users.c.id], set_=values))

    # -- users ---------------------------------------------------------------------------------

    @transaction
    def get_user(self, connection: Connection, user_id: int) -> User | None:
        row = connection.execute(GET_USER, {"user_id": user_id}).one_or_none()
        return None if row is None else User(**row._mapping)

    @transaction
    def set_consent(self, connection: Connection, user_id: int, consented: bool) -> None:
        """Record consent now (creating the user), or clear it."""
        self._upsert_user(connection, user_id, consented_at=datetime.now(UTC) if consented else None)

    @transaction
    def set_prefs(self, connection: Connection, user_id: int, prefs: dict[str, Any]) -> None:
        self._upsert_user(connection, user_id, prefs=prefs)

    @transaction
    def set_taste(self, connection: Connection, user_id: int, taste: dict[str, Any]) -> None:
        self._upsert_user(connection, user_id, taste=taste)

    @transaction
    def set_awaiting(self, connection: Connection, user_id: int, what: str | None) -> None:
        """Remember that the bot waits for the user's answer to `what` (None: to nothing)."""
        self._upsert_user(connection, user_id, awaiting=what)

    @transaction
    def take_awaiting(self, connection: Connection, user_id: int) -> str | None:
        """What the bot waited for from the user, if anything; it waits no more."""
        what = connection.execute(select(users.c.awaiting).where(users.c.id == user_id)).scalar_one_or_none()
        if what is not None:
            connection.execute(update(users).where(users.c.id == user_id).values(awaiting=None))
        return what

    # -- readings ------------------------------------------------------------------------------

    @transaction
    def add_reading(self, connection: Connection, user_id: int, source: str, probs: Mapping[str, float],
                    confidence: float, at: datetime, meta: dict[str, Any] | None = None) -> int:
        """Store one reading (probabilities over EMOTIONS, normalised); returns its id."""
        return self._insert_reading(connection, user_id, source, probs, confidence, at, meta)

    @transaction
    def add_reading_and_read(self, connection: Connection, user_id: int, source: str, probs: Mapping[str, float],
                             confidence: float, at: datetime, meta: dict[str, Any] | None = None, *,
                             since: datetime | None = None, per_source: int | None = None,
                             ) -> tuple[int, list[StoredReading]]:
        """add_reading, then the user's readings since `since` (the new one included; with
        `per_source`, only that many newest of each source, as recent_readings): one transaction where
        a busy bot would otherwise need two."""
        new_id = self._insert_reading(connection, user_id, source, probs, confidence, at, meta)
        if per_source is None:
            return new_id, self._readings(connection, user_id, since)
        return new_id, self._recent(connection, user_id, since or datetime.min.replace(tzinfo=UTC), at,
                                    per_source, None)

    @transaction
    def readings(self, connection: Connection, user_id: int, since: datetime | None = None) -> list[StoredReading]:
        """The user's readings, oldest first."""
        return self._readings(connection, user_id, since)

    @transaction
    def recent_readings(self, connection: Connection, user_id: int, since: datetime, until: datetime, *,
                        per_source: int, bucket: timedelta | None = None) -> list[StoredReading]:
        """At most `per_source` readings of each source in each `bucket`-long stretch from `since` to
        `until` (one stretch when bucket is None), the newest of each, oldest first overall.

        What one request reads is bounded however long a user's history is: each lookup is an index
        range scan that stops after `per_source` rows.
        """
        return self._recent(connection, user_id, since, until, per_source, bucket)

    @transaction
    def reading_span(self, connection: Connection, user_id: int) -> ReadingSpan:
        """The user's row's creation time and their oldest and newest reading (three index lookups)."""
        def ends(query: Select[Any]) -> tuple[int, datetime] | None:
            row = connection.execute(query, {"user_id": user_id}).one_or_none()
            return None if row is None else (row.id, row.at)
        created = connection.execute(USER_CREATED, {"user_id": user_id}).scalar_one_or_none()
        return ReadingSpan(created, ends(OLDEST_READING), ends(NEWEST_READING))

    def _insert_reading(self, connection: Connection, user_id: int, source: str, probs: Mapping[str, float],
                        confidence: float, at: datetime, meta: dict[str, Any] | None) -> int:
        meta = meta or {}
        _check_derived(meta)
        row = dict(user_id=user_id, source=source, probs=as_probs(probs), confidence=float(confidence), at=at,
                   meta=meta)
        self._upsert_user(connection, user_id)
        return int(connection.execute(INSERT_READING, row).scalar_one())

    @staticmethod
    def _readings(connection: Connection, user_id: int, since: datetime | None) -> list[StoredReading]:
        query = select(readings.c.id, readings.c.source, readings.c.probs, readings.c.confidence, readings.c.at,
                       readings.c.meta).where(readings.c.user_id == user_id)
        if since is not None:
            query = query.where(readings.c.at >= since)
        rows = connection.execute(query.order_by(readings.c.at, readings.c.id))
        return [StoredReading(**row._mapping) for row in rows]

    @staticmethod
    def _recent(connection: Connection, user_id: int, since: datetime, until: datetime, per_source: int,
                bucket: timedelta | None) -> list[StoredReading]:
        edges = [since]
        while bucket is not None and edges[-1] + bucket < until:
            edges.append(edges[-1] + bucket)
        edges.append(until)
        # half-open stretches; the newest includes `until` itself (a reading taken just now)
        stretches = [(start, end if end is not until else until + timedelta(microseconds=1))
                     for start, end in zip(edges, edges[1:])]
        if connection.dialect.name == "postgresql":
            # One statement that PostgreSQL plans once: a LATERAL index range scan per stretch and source,
            # each stopping after per_source rows. (A UNION of ~200 such queries spent its time planning.)
            lateral = text(f"""
                SELECT r.id, r.source, r.probs, r.confidence, r.at, r.meta
                FROM unnest(CAST(:starts AS timestamptz[]), CAST(:ends AS timestamptz[])) AS b(lo, hi)
                CROSS JOIN unnest(CAST(:sources AS varchar[])) AS s(source)
                CROSS JOIN LATERAL (
                    SELECT * FROM {readings.name} WHERE user_id = :user_id AND source = s.source
                    AND at >= b.lo AND at < b.hi ORDER BY at DESC, id DESC LIMIT :per_source) AS r
            """).columns(*READING_COLUMNS)
            rows = connection.execute(lateral, dict(starts=[lo for lo, _ in stretches], ends=[hi for _, hi in stretches],
                                                  sources=list(READING_SOURCES), user_id=user_id,
                                                  per_source=per_source))
            found = [StoredReading(**row._mapping) for row in rows]
        else:
            # One statement too: for each stretch and source, a correlated lookup that is an index range
            # scan stopping after per_source rows (SQLite has no LATERAL). A query per stretch and source
            # cost ~200 statements, ~100 ms at 100,000 readings. The stretches go in as one JSON
            # parameter (the times as SQLite stores them), so the statement's text never changes.
            # (ROW_NUMBER() OVER (PARTITION BY stretch, source) would rank every reading in the range:
            # a cost that grows with the past.)
            stored = readings.c.at.type.dialect_impl(connection.dialect).bind_processor(connection.dialect)
            assert stored is not None
            newest = text(f"""
                SELECT r.id, r.source, r.probs, r.confidence, r.at, r.meta
                FROM (SELECT json_extract(value, '$[0]') AS lo, json_extract(value, '$[1]') AS hi
                      FROM json_each(:stretches)) AS b
                CROSS JOIN (SELECT value AS source FROM json_each(:sources)) AS s
                JOIN {readings.name} AS r ON r.id IN (
                    SELECT id FROM {readings.name} WHERE user_id = :user_id AND source = s.source
                    AND at >= b.lo AND at < b.hi ORDER BY at DESC, id DESC LIMIT :per_source)
            """).columns(*READING_COLUMNS)
            rows = connection.execute(newest, dict(stretches=json.dumps([[stored(lo), stored(hi)] for lo, hi in stretches]),
                                                   sources=json.dumps(READING_SOURCES), user_id=user_id,
                                                   per_source=per_source))
            found = [StoredReading(**row._mapping) for row in rows]
        return sorted(found, key=lambda r: (r.at, r.id))

    async def purge_readings_before(self, cutoff: datetime, batch: int = DELETE_BATCH) -> int:
        """Retention: delete every reading older than `cutoff`, `batch` rows per transaction (so a big
        purge never holds the database, or SQLite's one thread, for long); returns how many."""
        return await self._delete_in_batches(readings.c.at < cutoff, batch)

    async def _delete_in_batches(self, condition: Any, batch: int) -> int:
        """Delete the `readings` rows matching `condition`, one short transaction per `batch`."""
        deleted = 0
        while True:
            n = await self._run(self._delete_batch, condition, batch)
            deleted += n
            if n < batch:
                return deleted

    @staticmethod
    def _delete_batch(connection: Connection, condition: Any, batch: int) -> int:
        ids = select(readings.c.id).where(condition).limit(batch).scalar_subquery()
        return connection.execute(delete(readings).where(readings.c.id.in_(ids))).rowcount

    @asynccontextmanager
    async def exclusive(self, name: str) -> AsyncIterator[bool]:
        """Whether this copy may do the once-at-a-time job `name` (the retention purge) now: True for
        the one copy that holds PostgreSQL's session advisory lock on it until the block ends, False for
        the others. SQLite is one process's database: always True."""
        if self._thread is not None:
            yield True
            return
        key = zlib.crc32(name.encode())
        assert isinstance(self._engine, AsyncEngine)
        async with self._engine.connect() as connection:
            held = bool(await connection.scalar(select(func.pg_try_advisory_lock(key))))
            await connection.commit()
            try:
                yield held
            finally:
                if held:
                    await connection.scalar(select(func.pg_advisory_unlock(key)))
                    await connection.commit()

    # -- recommendations -----------------------------------------------------------------------

    @transaction
    def add_recommendation(self, connection: Connection, user_id: int, track_ids: list[str], strategy: str,
                           mood_label: str, at: datetime) -> int:
        row = dict(user_id=user_id, track_ids=list(track_ids), strategy=strategy, mood_label=mood_label, at=at)
        self._upsert_user(connection, user_id)
        return int(connection.execute(recommendations.insert().values(row).returning(recommendations.c.id)).scalar_one())

    @transaction
    def was_recommended(self, connection: Connection, user_id: int, track_id: str) -> bool:
        """Whether the track was ever recommended to the user (only what they were shown can be voted on)."""
        query = select(recommendations.c.track_ids).where(recommendations.c.user_id == user_id)
        return any(track_id in track_ids for track_ids in connection.execute(query).scalars())

    @transaction
    def recent_track_ids(self, connection: Connection, user_id: int, since: datetime) -> set[str]:
        """Every track recommended to the user at or after `since`."""
        query = select(recommendations.c.track_ids).where(
            recommendations.c.user_id == user_id, recommendations.c.at >= since)
        return {track_id for track_ids in connection.execute(query).scalars() for track_id in track_ids}

    # -- feedback ------------------------------------------------------------------------------

    @transaction
    def add_feedback(self, connection: Connection, user_id: int, track_id: str, liked: bool, at: datetime) -> None:
        """Record a vote; per (user, track) the vote with the latest `at` wins, whatever the arrival order."""
        stmt = self._insert(feedback).values(user_id=user_id, track_id=track_id, liked=liked, at=at)
        stmt = stmt.on_conflict_do_update(
            index_elements=[feedback.c.user_id, feedback.c.track_id],
            set_={"liked": stmt.excluded.liked, "at": stmt.excluded.at},
            where=stmt.excluded.at >= feedback.c.at,
        )
        self._upsert_user(connection, user_id)
        connection.execute(stmt)

    @transaction
    def feedback(self, connection: Connection, user_id: int) -> list[Feedback]:
        """The user's votes, oldest first."""
        query = (select(feedback.c.track_id, feedback.c.liked, feedback.c.at)
                 .where(feedback.c.user_id == user_id).order_by(feedback.c.at, feedback.c.track_id))
        return [Feedback(**row._mapping) for row in connection.execute(query)]

    @transaction
    def liked_by_others(self, connection: Connection, user_id: int, limit: int = 5000) -> list[tuple[int, str]]:
        """(other user id, track id) for the most recent likes by everyone else: the collaborative signal."""
        query = (select(feedback.c.user_id, feedback.c.track_id)
                 .where(feedback.c.liked, feedback.c.user_id != user_id)
                 .order_by(feedback.c.at.desc(), feedback.c.user_id, feedback.c.track_id).limit(limit))
        return [(row.user_id, row.track_id) for row in connection.execute(query)]

    # -- privacy -------------------------------------------------------------------------------

    async def forget(self, user_id: int, batch: int = DELETE_BATCH) -> int:
        """Delete every row about the user; returns how many rows went. Readings (the table that grows)
        go first, `batch` per transaction; the rest, and any reading that arrived meanwhile, in a last one."""
        deleted = await self._delete_in_batches(readings.c.user_id == user_id, batch)
        return deleted + await self._run(self._forget, user_id)

    @staticmethod
    def _forget(connection: Connection, user_id: int) -> int:
        deleted = 0
        for table in (feedback, recommendations, readings):
            deleted += connection.execute(delete(table).where(table.c.user_id == user_id)).rowcount
        deleted += connection.execute(delete(users).where(users.c.id == user_id)).rowcount
        return deleted


def _sqlite_engine(url: URL) -> Engine:
    """The standard sqlite3 driver, used only from the Store's thread. One connection: SQLite has one
    writer at a time, so more would only poll the file lock against each other; it also keeps an
    in-memory database alive. WAL, foreign keys and a busy timeout on it; SQLAlchemy (not sqlite3)
    emits BEGIN."""
    engine = create_engine(url.set(drivername="sqlite"), poolclass=QueuePool, pool_size=1, max_overflow=0,
                           pool_timeout=SQLITE_BUSY_TIMEOUT_MS / 1000,
                           connect_args={"check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # stop sqlite3's own implicit BEGINs (and its DDL autocommit)
        cursor = dbapi_connection.cursor()
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON", f"busy_timeout={SQLITE_BUSY_TIMEOUT_MS}"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # IMMEDIATE takes the write lock up front, so a transaction never has to upgrade a read lock and
        # fail with SQLITE_BUSY when another process shares the file; writers queue on the timeout instead.
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


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
