"""Per-user flood limit, shared by every copy of the bot; the first update over the limit gets one warning."""
from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop, TypeHandler

from bot import messages
from bot.context import Context
from bot.handlers.common import answer
from bot.limits import user_key


async def limit(update: Update, context: Context) -> None:
    key = user_key(update)
    if key is None or context.bot_data.flood is None:
        return
    verdict = await context.bot_data.flood.check(key)
    if not verdict.wait:
        return
    if update.callback_query:  # a tap must be answered, or its spinner turns on
        await answer(update.callback_query, messages.SLOW_DOWN)
    elif verdict.first_refusal and update.effective_message:
        await update.effective_message.reply_text(messages.SLOW_DOWN)
    raise ApplicationHandlerStop


LIMIT = TypeHandler(Update, limit)
