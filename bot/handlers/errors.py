"""The one error handler: log what failed without user content, answer kindly."""
from __future__ import annotations

import logging
import traceback

from telegram import Update

from bot import messages
from bot.context import Context

log = logging.getLogger(__name__)


async def on_error(update: object, context: Context) -> None:
    # Only ids and the exception's type and place: never the update, its text, or the exception's message.
    error = context.error
    where = update.update_id if isinstance(update, Update) else None
    frames = "".join(traceback.format_tb(error.__traceback__)) if error else ""
    log.error("update %s failed with %s:\n%s", where, type(error).__name__, frames)
    if isinstance(update, Update) and update.effective_chat:
        try:
            await context.bot.send_message(update.effective_chat.id, messages.ERROR)
        except Exception:  # the network may be what failed; the log above already has it
            log.warning("could not tell chat about the error")
