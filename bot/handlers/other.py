"""Everything the bot doesn't read (stickers, voice, video, locations, unknown commands, stale buttons)."""
from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from bot import messages
from bot.context import Context
from bot.handlers.common import answer, chat_message, tapped


async def unsupported(update: Update, context: Context) -> None:
    await chat_message(update).reply_text(messages.UNSUPPORTED)


async def unknown_command(update: Update, context: Context) -> None:
    await chat_message(update).reply_text(messages.UNKNOWN_COMMAND)


async def stale_button(update: Update, context: Context) -> None:
    await answer(tapped(update), messages.STALE_BUTTON)


# Registered last in their group: they catch what no other handler took.
HANDLERS = [
    MessageHandler(filters.COMMAND, unknown_command),
    MessageHandler(filters.UpdateType.MESSAGE, unsupported),
    CallbackQueryHandler(stale_button),
]
