"""The durable inbox on Redis Streams, for many copies of the bot: one webhook process puts, any
number of workers claim. The same interface as SqlInbox (storage/inbox.py).

Why Redis Streams: a consumer group hands each entry to one worker and keeps it in that worker's
pending list until XACK, so an update is never lost between receipt and reply; XAUTOCLAIM gives a
dead worker's entries to a live one. What a consumer group does not give is per-user order (it deals
entries round-robin), so each update carries its user's sequence number and a worker may start
update n of a user only once update n-1 is acknowledged (`done` in the user's hash) — by whichever
worker had it. Different users' updates run on all workers at once.

* `put`: one Lua script: ignore an update_id seen within a day, else number it in its user's
  sequence and XADD it. The webhook answers Telegram 200 only after this returns (with appendfsync
  on, see docker-compose.example.yml).
* A feeder task reads the group (XREADGROUP) into a local buffer, keeps the claim of every entry it
  holds fresh (XCLAIM to itself), takes over entries idle past the lease (a killed worker's), and
  wakes the dispatcher when something became claimable.
* `claim` hands out, per user, the next update in sequence, at most one per user at a time.
* `ack`: XACK and XDEL (the payload, message text included, is gone once handled) and advance the
  user's `done`; `mark_answered` remembers for a day that a reply went out, so a worker that takes
  over a half-handled update doesn't answer again.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from storage.inbox import DONE, FINISHED, Envelope

log = logging.getLogger(__name__)
PREFIX = "moodtune:inbox"
GROUP = "workers"
DAY_MS = 24 * 3600 * 1000
USER_TTL_S = 30 * 24 * 3600  # a user's sequence is forgotten after a month without updates
LEASE_MS = 15_000  # an entry unclaimed this long belongs to a dead worker
READ_BATCH = 64
MAX_BUFFER = 512  # entries read ahead of handling

# KEYS: stream, seen-key, user-hash (or "" for an update without user). ARGV: update_id, user or "", payload.
_PUT = """
if not redis.call('SET', KEYS[2], '1', 'NX', 'PX', ARGV[4]) then return 0 end
local seq = 0
if ARGV[2] ~= '' then
  seq = redis.call('HINCRBY', KEYS[3], 'next', 1)
  redis.call('EXPIRE', KEYS[3], ARGV[5])
end
redis.call('XADD', KEYS[1], '*', 'update_id', ARGV[1], 'user', ARGV[2], 'seq', seq, 'payload', ARGV[3])
return 1
"""
# KEYS: stream, user-hash (or a dummy). ARGV: group, entry id, seq, has-user ("1"/"0").
_ACK = """
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
redis.call('XDEL', KEYS[1], ARGV[2])
if ARGV[4] == '1' and tonumber(ARGV[3]) > tonumber(redis.call('HGET', KEYS[2], 'done') or '0') then
  redis.call('HSET', KEYS[2], 'done', ARGV[3])
  redis.call('EXPIRE', KEYS[2], ARGV[5])
end
return 1
"""


@dataclass
class _Entry:
    entry_id: str
    update_id: int
    user_id: int | None
    seq: int
    payload: str


class RedisInbox:
    def __init__(self, url: str, consumer: str) -> None:
        import redis.asyncio  # only the scaled-out roles need Redis

        self._redis: Any = redis.asyncio.from_url(url, decode_responses=True)
        self.consumer = consumer  # unique per process: a restarted worker is a new consumer
        self._stream = f"{PREFIX}:stream"
        self._put = self._redis.register_script(_PUT)
        self._ack = self._redis.register_script(_ACK)
        self._buffer: dict[str, _Entry] = {}  # read, not yet handed out
        self._in_flight: dict[int, _Entry] = {}  # update_id -> handed out, not yet acked
        self._done: dict[int, int] = {}  # user -> the highest sequence known to be handled
        self._feeder: asyncio.Task[None] | None = None
        self._on_ready: Callable[[], None] = lambda: None

    def _user_key(self, user_id: int | None) -> str:
        return f"{PREFIX}:user:{user_id}"

    async def setup(self) -> None:
        """Create the stream and consumer group if missing (every copy may; the first one wins)."""
        with contextlib.suppress(Exception):  # BUSYGROUP: it exists
            await self._redis.xgroup_create(self._stream, GROUP, id="0", mkstream=True)

    # -- putting (the webhook) --------------------------------------------------------------
    async def put(self, updates: Sequence[tuple[int, int | None, str]]) -> int:
        new = 0
        for update_id, user_id, payload in updates:
            new += await self._put(
                keys=[self._stream, f"{PREFIX}:seen:{update_id}", self._user_key(user_id)],
                args=[update_id, "" if user_id is None else user_id, payload, DAY_MS, USER_TTL_S])
        return new

    # -- claiming (the workers) -------------------------------------------------------------
    async def start(self, on_ready: Callable[[], None]) -> None:
        """Begin reading the group; `on_ready` is called when something may be claimable."""
        await self.setup()
        self._on_ready = on_ready
        self._feeder = asyncio.create_task(self._feed())

    async def close(self) -> None:
        if self._feeder is not None:
            self._feeder.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._feeder
        await self._redis.aclose()

    async def claim(self, limit: int) -> list[Envelope]:
        chosen: list[_Entry] = []
        busy = {e.user_id for e in self._in_flight.values() if e.user_id is not None}
        for entry in sorted(self._buffer.values(), key=lambda e: (e.seq, e.update_id)):
            if len(chosen) >= limit:
                break
            if entry.user_id is not None:
                if entry.user_id in busy or entry.seq != self._done.get(entry.user_id, 0) + 1:
                    continue
                busy.add(entry.user_id)
            chosen.append(entry)
        if not chosen:
            return []
        async with self._redis.pipeline(transaction=False) as pipe:
            for entry in chosen:
                pipe.incr(f"{PREFIX}:attempts:{entry.update_id}")
                pipe.pexpire(f"{PREFIX}:attempts:{entry.update_id}", DAY_MS)
                pipe.exists(f"{PREFIX}:answered:{entry.update_id}")
            replies = await pipe.execute()
        envelopes = []
        for i, entry in enumerate(chosen):
            del self._buffer[entry.entry_id]
            self._in_flight[entry.update_id] = entry
            envelopes.append(Envelope(entry.update_id, entry.user_id, entry.payload, int(replies[3 * i]),
                                      bool(replies[3 * i + 2])))
        return envelopes

    async def mark_answered(self, update_id: int) -> None:
        await self._redis.set(f"{PREFIX}:answered:{update_id}", "1", px=DAY_MS)

    async def ack(self, update_id: int, outcome: str = DONE) -> None:
        if outcome not in FINISHED:
            raise ValueError(f"an update finishes as one of {FINISHED}, not {outcome!r}")
        entry = self._in_flight.pop(update_id)
        await self._ack(keys=[self._stream, self._user_key(entry.user_id)],
                        args=[GROUP, entry.entry_id, entry.seq, "0" if entry.user_id is None else "1", USER_TTL_S])
        if entry.user_id is not None:
            self._done[entry.user_id] = max(self._done.get(entry.user_id, 0), entry.seq)
        self._on_ready()  # that user's next update may be here already

    async def requeue(self, claimed_before: datetime | None = None) -> int:
        """Nothing to do at start: a dead worker's entries are taken over by the feeder after the lease."""
        return 0

    async def prune(self, finished_before: datetime) -> int:
        """Nothing to do: handled entries are deleted on ack, the seen-ids expire by themselves."""
        return 0

    async def waiting(self) -> int:
        """Updates not yet acknowledged, by any worker."""
        info = await self._redis.xpending(self._stream, GROUP)
        undelivered = (await self._redis.xinfo_groups(self._stream))[0].get("lag") or 0
        return int(info["pending"]) + int(undelivered)

    # -- the feeder -------------------------------------------------------------------------
    async def _feed(self) -> None:
        last_upkeep = 0.0
        while True:
            try:
                if time.monotonic() - last_upkeep > LEASE_MS / 3000:
                    await self._upkeep()
                    last_upkeep = time.monotonic()
                waiting = bool(self._buffer)
                if len(self._buffer) < MAX_BUFFER:
                    # Block briefly while entries wait on other workers (their `done` must be re-read).
                    read = await self._redis.xreadgroup(GROUP, self.consumer, {self._stream: ">"},
                                                        count=READ_BATCH, block=50 if waiting else 1000)
                    for _, entries in read or []:
                        self._take(entries)
                else:
                    await asyncio.sleep(0.05)
                if self._buffer and await self._refresh_done():
                    self._on_ready()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # Redis away for a moment: keep what we hold, try again
                log.error("reading the inbox failed (%s)", type(error).__name__)
                await asyncio.sleep(1.0)

    def _take(self, entries: list[tuple[str, dict[str, str]]]) -> None:
        for entry_id, fields in entries:
            if not fields:  # deleted after it was read: handled already
                continue
            user = fields.get("user") or None
            self._buffer[entry_id] = _Entry(entry_id, int(fields["update_id"]), int(user) if user else None,
                                            int(fields.get("seq", 0)), fields["payload"])

    async def _refresh_done(self) -> bool:
        """Re-read `done` of the users whose next entry waits here; True if any can go now."""
        users = sorted({e.user_id for e in self._buffer.values() if e.user_id is not None})
        ready = any(e.user_id is None for e in self._buffer.values())
        if users:
            async with self._redis.pipeline(transaction=False) as pipe:
                for user in users:
                    pipe.hget(self._user_key(user), "done")
                done = await pipe.execute()
            for user, value in zip(users, done):
                self._done[user] = max(self._done.get(user, 0), int(value or 0))
        busy = {e.user_id for e in self._in_flight.values()}
        for entry in self._buffer.values():
            if entry.user_id is not None and entry.user_id not in busy and entry.seq == self._done[entry.user_id] + 1:
                ready = True
        return ready

    async def _upkeep(self) -> None:
        """Keep what this worker holds claimed (its idle time reset), and take over entries that a
        dead worker held past the lease."""
        held = [e.entry_id for e in (*self._buffer.values(), *self._in_flight.values())]
        if held:
            await self._redis.xclaim(self._stream, GROUP, self.consumer, 0, held, justid=True)
        start = "0-0"
        while True:
            start, entries, *_ = await self._redis.xautoclaim(self._stream, GROUP, self.consumer, LEASE_MS,
                                                             start_id=start, count=READ_BATCH)
            mine = {e.entry_id for e in self._in_flight.values()}
            self._take([(i, f) for i, f in entries if i not in mine])
            if entries:
                log.info("took over %d updates a stopped worker held", len(entries))
                self._on_ready()
            if start == "0-0":
                return

