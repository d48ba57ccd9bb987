"""Update flow control: one user's updates in order, users in parallel, and a per-user flood limit."""
from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.shared import Limits, Taken


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


class FloodLimit:
    """Per-user flood limit on the shared limits (bot/shared.py): `burst` updates at once, then `rate`
    per second, the same for a user whichever copy of the bot handles them."""

    def __init__(self, limits: Limits, burst: int, rate: float):
        self.limits, self.burst, self.rate = limits, burst, rate

    async def check(self, key: int) -> Taken:
        """Allowed (wait 0, counted), or refused; `first_refusal` marks the one refusal to warn about."""
        return await self.limits.take(f"flood:{key}", self.rate, self.burst, warn_once=True)
