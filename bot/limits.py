"""Update flow control: one user's updates in order, users in parallel, and a per-user flood limit."""
from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor


def user_key(update: object) -> int | None:
    if isinstance(update, Update):
        if update.effective_user:
            return update.effective_user.id
        if update.effective_chat:
            return update.effective_chat.id
    return None


class PerUserOrder(BaseUpdateProcessor):
    """Concurrent updates, but each user's burst runs strictly in arrival order.

    Tasks for updates are created in arrival order and asyncio.Lock wakes waiters FIFO, so a
    per-user lock is enough. Locks of idle users are dropped so memory stays flat.
    """

    def __init__(self, max_concurrent_updates: int):
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = user_key(update)
        if key is None:
            await coroutine
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._waiting[key] = self._waiting.get(key, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            self._waiting[key] -= 1
            if not self._waiting[key]:
                del self._waiting[key], self._locks[key]

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass


class TokenBucket:
    """Per-key token buckets: `burst` updates at once, refilled at `rate` per second."""

    def __init__(self, burst: int, rate: float):
        self.burst, self.rate = burst, rate
        self._state: dict[int, tuple[float, float]] = {}  # key -> (tokens, last refill time)

    def allow(self, key: int) -> bool:
        now = time.monotonic()
        tokens, last = self._state.get(key, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - last) * self.rate)
        allowed = tokens >= 1.0
        self._state[key] = (tokens - 1.0 if allowed else tokens, now)
        if len(self._state) > 100_000:  # forget full buckets: they equal a fresh one
            self._state = {k: v for k, v in self._state.items() if v[0] < self.burst}
        return allowed
