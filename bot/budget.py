"""One Telegram send budget for every copy of the bot, in place of python-telegram-bot's per-process
AIORateLimiter: N copies with their own 30/s budgets would send N x 30 messages a second.

Like AIORateLimiter, a request to a chat (one with a chat_id) waits for its turn in the budget; a 429
pauses the budget for everyone for its retry_after, then the request is tried again.
"""
from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from telegram.error import RetryAfter, TelegramError
from telegram.ext import BaseRateLimiter
from telegram.warnings import PTBDeprecationWarning

from bot.shared import Limits

log = logging.getLogger(__name__)
BUDGET = "telegram"
JSON = bool | dict[str, Any] | list[dict[str, Any]]
MAX_WAIT = 60.0  # seconds: a reply later than this is worse than an error the user can retry
REPLY_RETRIES = 3  # a 429 means Telegram did not act on the request, so sending it again never duplicates


class SendBudget(BaseRateLimiter[int]):
    def __init__(self, limits: Limits, per_second: float, max_retries: int = REPLY_RETRIES) -> None:
        self._limits, self._rate, self._max_retries = limits, per_second, max_retries

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def process_request(self, callback: Callable[..., Coroutine[Any, Any, JSON]], args: Any,
                              kwargs: dict[str, Any], endpoint: str, data: dict[str, Any],
                              rate_limit_args: int | None) -> JSON:
        retries = rate_limit_args or self._max_retries
        for attempt in range(retries + 1):
            if data.get("chat_id") is not None:  # what Telegram's 30/s is about (as AIORateLimiter counts)
                # burst 1: evenly spaced, so no one-second window ever holds more than `per_second` sends
                await self._wait_turn()
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                if attempt == retries:
                    raise
                with warnings.catch_warnings():  # int or timedelta, by PTB_TIMEDELTA: both are handled
                    warnings.simplefilter("ignore", PTBDeprecationWarning)
                    wait = error.retry_after
                seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
                log.info("Telegram said 429: every copy waits %.1f s", seconds)
                await self._limits.pause(BUDGET, seconds + 0.1)
        raise AssertionError("unreachable")

    async def _wait_turn(self) -> None:
        while True:
            taken = await self._limits.take(BUDGET, self._rate, 1)
            if not taken.wait:
                return
            if taken.wait > MAX_WAIT:
                raise TelegramError(f"rate limited for {taken.wait:.0f} s: not waiting")
            await asyncio.sleep(taken.wait)  # the budget may be in Redis: no local event could wake us
