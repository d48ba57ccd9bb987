"""Feeds the Application from the durable inbox: claim -> parse -> handle -> ack.

The intake (bot/intake.py: long polling or the webhook) only stores raw updates in the inbox; this
is the other half. Because every update is stored before Telegram is told it arrived and acked
only after its handlers ran, a crash at any moment loses nothing: on start, claims left by the
dead process are replayed. Handling is made idempotent where it shows: the first reply sent for
an update is journalled (`JournalingRequest`), and an update that was already answered before the
crash is finished without running again. (The remaining window, a reply sent but the process
killed before its journal line was written, is one database write long.)

An update that can't be parsed, or that failed `MAX_ATTEMPTS` times (say it crashed the process),
is logged by id and type of error only, never content, and skipped: one bad update never stops
the bot for everyone.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.request import HTTPXRequest, RequestData

from bot.context import BotApplication
from storage import Envelope, Inbox
from storage.inbox import DONE, FAILED, SKIPPED

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3
IDLE_CHECK = 5.0  # seconds: look at the inbox now and then even unwoken (another process may fill it)
ANSWER_METHODS = ("send", "edit", "copy", "forward")  # Bot API methods that show the user a reply


@dataclass
class Handling:
    """The update being handled in this task (a ContextVar, so concurrent updates don't mix)."""

    update_id: int
    journal: Callable[[int], Awaitable[None]]
    answered: bool = False
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def note_answer(self) -> None:
        async with self._lock:
            if not self.answered:
                await self.journal(self.update_id)
                self.answered = True


HANDLING: ContextVar[Handling | None] = ContextVar("handling", default=None)


class JournalingRequest(HTTPXRequest):
    """The bot's HTTP requests; after the first reply sent for an update, the inbox records it."""

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        status, body = await super().do_request(url, method, request_data, *args, **kwargs)
        handling = HANDLING.get()
        method_name = url.rsplit("/", 1)[-1]
        if (status == 200 and handling is not None and method_name.startswith(ANSWER_METHODS)
                and method_name != "sendChatAction"):  # "typing…" is no answer
            await handling.note_answer()
        return status, body


class Dispatcher:
    def __init__(self, app: BotApplication, inbox: Inbox, max_in_flight: int) -> None:
        self.app, self.inbox, self.max_in_flight = app, inbox, max_in_flight
        self._wake = asyncio.Event()
        self._stopping = False
        self._tasks: set[asyncio.Task[None]] = set()

    def wake(self) -> None:
        """Something new may be claimable (the intake stored updates)."""
        self._wake.set()

    async def run(self) -> None:
        """Until `stop`: claim what can run, start it, and sleep until woken (or IDLE_CHECK passed)."""
        while not self._stopping:
            self._wake.clear()
            limit = self.max_in_flight - len(self._tasks)
            try:
                envelopes = await self.inbox.claim(limit)
            except Exception as error:  # the database may be away for a moment: wait, try again
                log.error("claiming updates failed (%s)", type(error).__name__)
                envelopes = []
            for envelope in envelopes:
                task = asyncio.create_task(self._handle(envelope))
                self._tasks.add(task)
                task.add_done_callback(self._finished)
            if len(envelopes) < limit or not envelopes:  # all there was: anything new wakes us (or was set meanwhile)
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(IDLE_CHECK):
                        await self._wake.wait()

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if len(self._tasks) == self.max_in_flight - 1:
            self._wake.set()  # a slot opened that the last claim had no room for
        if not task.cancelled() and task.exception() is not None:
            log.error("dispatching failed with %s", type(task.exception()).__name__)

    def stop(self) -> None:
        """Claim nothing more; `run` returns. Updates being handled go on: await `drain`."""
        self._stopping = True
        self._wake.set()

    async def drain(self) -> None:
        """Let updates being handled finish (on shutdown); unfinished ones are replayed on the next start."""
        if self._tasks:
            await asyncio.wait(list(self._tasks))

    async def _handle(self, envelope: Envelope) -> None:
        outcome = await self._run(envelope)
        # Wake the claim loop first: its next claim is due anyway (this user's next update may be
        # claimable once this ack is in), and an inbox may write the ack in that claim's transaction.
        self.wake()
        await self.inbox.ack(envelope.update_id, outcome)

    async def _run(self, envelope: Envelope) -> str:
        """Handle the update, unless it must not run; returns how it finished."""
        update_id = envelope.update_id
        if envelope.answered:
            log.info("update %d was answered before a restart: finished without running again", update_id)
            return DONE
        if envelope.attempts > MAX_ATTEMPTS:
            log.error("update %d skipped after %d attempts", update_id, envelope.attempts - 1)
            return FAILED
        try:
            update = Update.de_json(json.loads(envelope.payload), self.app.bot)
        except Exception as error:  # whatever it is, it must not block the queue
            log.warning("update %d skipped: it cannot be parsed (%s)", update_id, type(error).__name__)
            return SKIPPED
        token = HANDLING.set(Handling(update_id, self.inbox.mark_answered))
        try:
            await self.app.update_processor.process_update(update, self.app.process_update(update))
        finally:
            HANDLING.reset(token)
        return DONE
