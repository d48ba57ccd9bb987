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
New updates, acks and these journal lines are written in groups: each waits for the next
transaction, which writes everything waiting by then, and the dispatcher's next claim is one of
those transactions (under load many updates finish while one transaction runs, and SQLite runs one
at a time).
Claims of a process that died are handed out again by `requeue` (on start; with several workers,
only claims older than a lease). A finished row keeps only its update_id (to recognise a
redelivery) and is removed by `prune` a day later: the payload, message text included, and the user
id are erased the moment the update is handled.
"""
from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol

from sqlalchemy import BindParameter, Connection, Select, and_, bindparam, delete, exists, func, or_, select, update
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


@dataclass
class _Write:
    """New updates (STORE), an ack (its outcome) or a journal line (ANSWERED) waiting for the next transaction."""

    what: str
    update_id: int = 0
    rows: Sequence[tuple[int, int | None, str]] = ()  # STORE: (update_id, user_id, raw JSON)
    new: int = 0  # STORE: how many rows were new
    written: bool = False


ANSWERED, STORE = "answered", "store"
# Composed once with bound parameters: composing a statement costs more than running it.
_IDS: BindParameter[int] = bindparam("update_ids", expanding=True)
_ACK = update(inbox).where(inbox.c.update_id.in_(_IDS)).values(state=bindparam("outcome"), payload=None,
                                                                user_id=None)
_MARK_ANSWERED = update(inbox).where(inbox.c.update_id.in_(_IDS)).values(answered=True)
_MARK_CLAIMED = update(inbox).where(inbox.c.update_id.in_(_IDS)).values(
    state=CLAIMED, attempts=inbox.c.attempts + 1, claimed_at=bindparam("now"))


def _claimable(postgres: bool) -> Select[tuple[int, int | None, str, int, bool]]:
    """Pending updates whose user has no update claimed and none pending before them, oldest first."""
    earlier = aliased(inbox)
    busy_or_before = exists().where(
        earlier.c.user_id == inbox.c.user_id,  # NULL user ids (no user) never block each other
        or_(earlier.c.state == CLAIMED,
            and_(earlier.c.state == PENDING, earlier.c.update_id < inbox.c.update_id)))
    query = (select(inbox.c.update_id, inbox.c.user_id, inbox.c.payload, inbox.c.attempts, inbox.c.answered)
             .where(inbox.c.state == PENDING, ~busy_or_before).order_by(inbox.c.update_id)
             .limit(bindparam("limit")))
    return query.with_for_update(skip_locked=True, of=inbox) if postgres else query


class SqlInbox:
    """The inbox in the bot's database (SQLite or PostgreSQL), on the Store's connection machinery."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._claimable = _claimable(store.dialect == "postgresql")
        self._put_new = store._insert(inbox).on_conflict_do_nothing(index_elements=[inbox.c.update_id])
        self._queued: list[_Write] = []
        self._writing = asyncio.Lock()  # one inbox transaction at a time: it takes everything waiting

    async def put(self, updates: Sequence[tuple[int, int | None, str]]) -> int:
        """Store (update_id, user_id, raw JSON) rows in one transaction; returns how many were new.
        A claim due now (the intake wakes the dispatcher before putting) stores and claims them in one."""
        if not updates:
            return 0
        write = _Write(STORE, rows=updates)
        await self._write(write)
        return write.new

    def _put(self, connection: Connection, updates: Sequence[tuple[int, int | None, str]]) -> int:
        now = datetime.now(UTC)
        # Row by row with one composed statement: a many-row VALUES is composed and compiled anew for
        # every batch size. (rowcount is per row here: 1 new, 0 already there.)
        return sum(connection.execute(self._put_new, dict(update_id=update_id, user_id=user_id, payload=payload,
                                                          state=PENDING, attempts=0, answered=False,
                                                          received_at=now)).rowcount
                   for update_id, user_id, payload in updates)

    async def claim(self, limit: int) -> list[Envelope]:
        """The next updates to handle; acks waiting to be written go in the same transaction, first."""
        if limit <= 0:
            return []
        async with self._writing:
            return await self._write_waiting(limit)

    async def _write(self, write: _Write) -> None:
        """Returns once the write is committed, by this call's transaction or by one that took it along."""
        self._queued.append(write)
        await asyncio.sleep(0)  # a claim due now (the dispatcher wakes its loop before acking) takes it along
        async with self._writing:
            if not write.written:
                await self._write_waiting(0)

    async def _write_waiting(self, limit: int) -> list[Envelope]:
        """Under the lock: one transaction with every waiting write, then a claim of up to `limit`."""
        writes, self._queued = self._queued, []
        try:
            envelopes = await self._store._run(self._write_and_claim, writes, limit)
        except BaseException:
            # Nothing was written: the writes wait for the next transaction (they are idempotent), so an
            # ack whose transaction failed is still written, and its update's user is not held up.
            self._queued[:0] = writes
            raise
        for write in writes:
            write.written = True
        return envelopes

    def _write_and_claim(self, connection: Connection, writes: list[_Write], limit: int) -> list[Envelope]:
        by_kind: dict[str, list[int]] = {}
        for write in writes:
            if write.what == STORE:
                write.new = self._put(connection, write.rows)
            else:
                by_kind.setdefault(write.what, []).append(write.update_id)
        for what, update_ids in by_kind.items():  # one UPDATE per kind: journal lines, acks by outcome
            update_ids.sort()  # rows locked in one order by every copy (PostgreSQL)
            if what == ANSWERED:
                connection.execute(_MARK_ANSWERED, {"update_ids": update_ids})
            else:
                connection.execute(_ACK, {"update_ids": update_ids, "outcome": what})
        return self._claim(connection, limit) if limit > 0 else []

    def _claim(self, connection: Connection, limit: int) -> list[Envelope]:
        rows = connection.execute(self._claimable, {"limit": limit}).all()
        if not rows:
            return []
        connection.execute(_MARK_CLAIMED, {"update_ids": [r.update_id for r in rows], "now": datetime.now(UTC)})
        return [Envelope(r.update_id, r.user_id, r.payload, r.attempts + 1, r.answered) for r in rows]

    async def mark_answered(self, update_id: int) -> None:
        await self._write(_Write(ANSWERED, update_id))

    async def ack(self, update_id: int, outcome: str = DONE) -> None:
        if outcome not in FINISHED:
            raise ValueError(f"an update finishes as one of {FINISHED}, not {outcome!r}")
        await self._write(_Write(outcome, update_id))

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
