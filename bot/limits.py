"""Update flow control: one user's updates in order, users in parallel, and a per-user flood limit."""
from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Coroutine
from datetime import timedelta
from typing import Any

from telegram import Update
from telegram.error import RetryAfter, TelegramError
from telegram.ext import AIORateLimiter, BaseUpdateProcessor


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


MAX_RETRY_AFTER = 60.0  # seconds: a reply later than this is worse than an error the user can retry
REPLY_RETRIES = 3


class PatientRateLimiter(AIORateLimiter):
    """Telegram's flood limits (AIORateLimiter), and on a 429 the request is sent again after
    `retry_after`, at most `REPLY_RETRIES` times and only when the wait is bounded. A 429 means
    Telegram did not act on the request, so resending never duplicates a reply (timeouts, which
    may have been acted on, are not retried)."""

    def __init__(self, overall_max_rate: float) -> None:
        super().__init__(overall_max_rate=overall_max_rate, max_retries=REPLY_RETRIES)

    async def process_request(self, callback: Callable[..., Coroutine[Any, Any, Any]], args: Any, kwargs: Any,
                              endpoint: str, data: dict[str, Any], rate_limit_args: int | None) -> Any:
        async def bounded(*a: Any, **kw: Any) -> Any:
            try:
                return await callback(*a, **kw)
            except RetryAfter as error:
                if _seconds(error) > MAX_RETRY_AFTER:
                    raise TelegramError(f"rate limited for {_seconds(error):.0f} s: not waiting") from error
                raise

        return await super().process_request(bounded, args, kwargs, endpoint, data, rate_limit_args)


def _seconds(error: RetryAfter) -> float:
    wait = error._retry_after  # the raw value; `retry_after` warns about its int/timedelta transition
    return wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
