"""The durable inbox: an update fetched from Telegram is stored here before Telegram is told it arrived,
and stays until it has been handled, so a crash (kill -9 included) loses nothing.

The interface is three verbs, written so that a webhook process that only stores and worker
processes that only handle (BOT_ROLE scale-out) can share it:

* `put` raw update JSON (a redelivered update_id is ignored: it is already here, or already handled);
* `claim` the next updates to handle, in per-user order: a user's oldest waiting update, and only
  while none of that user's updates is being handled. Users are independent, so workers may take
  different users' updates at once; on PostgreSQL rows are locked with SKIP LOCKED so two workers
  never claim the same row;
* `ack` one as finished (`done`, `skipped` when it can't be parsed, `failed` when it kept failing).

`mark_answered` records that a reply went out, so a replay after a crash doesn't answer again.
Claims of a process that died are handed out again by `requeue` (on start; with several workers,
only claims older than a lease). A finished row keeps only its update_id (to recognise a
redelivery) and is removed by `prune` a day later: the payload, message text included, and the user
id are erased the moment the update is handled.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol

from sqlalchemy import Connection, and_, delete, exists, func, or_, select, update
from sqlalchemy.orm import aliased

from storage.schema import inbox

if TYPE_CHECKING:
    from storage.store import Store

PENDING, CLAIMED, DONE, SKIPPED, FAILED = "pending", "claimed", "done", "skipped", "failed"
FINISHED = (DONE, SKIPPED, FAILED)


@dataclass(frozen=True)
class Envelope:
    """One stored update, as handed to whoever handles it."""

    update_id: int
    user_id: int | None
    payload: str
    attempts: int  # claims so far, this one included: a poison update shows up as a rising count
    answered: bool  # a reply to it already went out (before a crash)


class Inbox(Protocol):
    async def put(self, updates: Sequence[tuple[int, int | None, str]]) -> int: ...
    async def claim(self, limit: int) -> list[Envelope]: ...
    async def mark_answered(self, update_id: int) -> None: ...
    async def ack(self, update_id: int, outcome: str = DONE) -> None: ...
    async def requeue(self, claimed_before: datetime | None = None) -> int: ...
    async def prune(self, finished_before: datetime) -> int: ...


class SqlInbox:
    """The inbox in the bot's database (SQLite or PostgreSQL), on the Store's connection machinery."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._postgres = store.dialect == "postgresql"

    async def put(self, updates: Sequence[tuple[int, int | None, str]]) -> int:
        """Store (update_id, user_id, raw JSON) rows in one transaction; returns how many were new."""
        if not updates:
            return 0
        return await self._store._run(self._put, updates)

    def _put(self, connection: Connection, updates: Sequence[tuple[int, int | None, str]]) -> int:
        now = datetime.now(UTC)
        rows = [dict(update_id=update_id, user_id=user_id, payload=payload, state=PENDING, attempts=0,
                     answered=False, received_at=now) for update_id, user_id, payload in updates]
        stmt = self._store._insert(inbox).values(rows).on_conflict_do_nothing(index_elements=[inbox.c.update_id])
        return connection.execute(stmt).rowcount

    async def claim(self, limit: int) -> list[Envelope]:
        return await self._store._run(self._claim, limit) if limit > 0 else []

    def _claim(self, connection: Connection, limit: int) -> list[Envelope]:
        earlier = aliased(inbox)
        busy_or_before = exists().where(
            earlier.c.user_id == inbox.c.user_id,  # NULL user ids (no user) never block each other
            or_(earlier.c.state == CLAIMED,
                and_(earlier.c.state == PENDING, earlier.c.update_id < inbox.c.update_id)))
        query = (select(inbox.c.update_id, inbox.c.user_id, inbox.c.payload, inbox.c.attempts, inbox.c.answered)
                 .where(inbox.c.state == PENDING, ~busy_or_before).order_by(inbox.c.update_id).limit(limit))
        if self._postgres:
            query = query.with_for_update(skip_locked=True, of=inbox)
        rows = connection.execute(query).all()
        if not rows:
            return []
        connection.execute(update(inbox).where(inbox.c.update_id.in_([r.update_id for r in rows]))
                           .values(state=CLAIMED, attempts=inbox.c.attempts + 1, claimed_at=datetime.now(UTC)))
        return [Envelope(r.update_id, r.user_id, r.payload, r.attempts + 1, r.answered) for r in rows]

    async def mark_answered(self, update_id: int) -> None:
        await self._store._run(self._set, update_id, answered=True)

    async def ack(self, update_id: int, outcome: str = DONE) -> None:
        if outcome not in FINISHED:
            raise ValueError(f"an update finishes as one of {FINISHED}, not {outcome!r}")
        await self._store._run(self._set, update_id, state=outcome, payload=None, user_id=None)

    @staticmethod
    def _set(connection: Connection, update_id: int, /, **values: object) -> None:
        connection.execute(update(inbox).where(inbox.c.update_id == update_id).values(**values))

    async def requeue(self, claimed_before: datetime | None = None) -> int:
        """Hand claimed updates out again (all of them, or those claimed before a lease cut-off)."""
        return await self._store._run(self._requeue, claimed_before)

    @staticmethod
    def _requeue(connection: Connection, claimed_before: datetime | None) -> int:
        stmt = update(inbox).where(inbox.c.state == CLAIMED)
        if claimed_before is not None:
            stmt = stmt.where(inbox.c.claimed_at < claimed_before)
        return connection.execute(stmt.values(state=PENDING, claimed_at=None)).rowcount

    async def prune(self, finished_before: datetime) -> int:
        """Forget finished updates received before the cut-off (Telegram redelivers for a day at most)."""
        return await self._store._run(self._prune, finished_before)

    @staticmethod
    def _prune(connection: Connection, finished_before: datetime) -> int:
        stmt = delete(inbox).where(inbox.c.state.in_(FINISHED), inbox.c.received_at < finished_before)
        return connection.execute(stmt).rowcount

    async def waiting(self) -> int:
        """Updates not yet finished (pending or claimed)."""
        return await self._store._run(self._waiting)

    @staticmethod
    def _waiting(connection: Connection) -> int:
        return connection.execute(select(func.count()).where(inbox.c.state.in_((PENDING, CLAIMED)))).scalar_one()
