"""Per-user flood limit: a token bucket in memory; the first update over the limit gets one warning."""
from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop, TypeHandler

from bot import messages
from bot.context import Context
from bot.handlers.common import answer
from bot.limits import TokenBucket, user_key


async def limit(update: Update, context: Context) -> None:
    bucket: TokenBucket = context.bot_data.flood
    key = user_key(update)
    if key is None or bucket.allow(key):
        context.bot_data.warned.discard(key)
        return
    if update.callback_query:  # a tap must be answered, or its spinner turns on
        await answer(update.callback_query, messages.SLOW_DOWN)
    elif key not in context.bot_data.warned and update.effective_message:
        context.bot_data.warned.add(key)
        await update.effective_message.reply_text(messages.SLOW_DOWN)
    raise ApplicationHandlerStop


LIMIT = TypeHandler(Update, limit)
