"""Everything the bot doesn't read (stickers, voice, video, locations, unknown commands, stale buttons)."""
from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, ContextTypes, MessageHandler, filters

from bot import messages


async def unsupported(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.effective_message.reply_text(messages.UNSUPPORTED)


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.effective_message.reply_text("I don't know that command. /help lists what I can do.")


async def stale_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.callback_query.answer("That button is no longer active.")


# Registered last in their group: they catch what no other handler took.
HANDLERS = [
    MessageHandler(filters.COMMAND, unknown_command),
    MessageHandler(filters.UpdateType.MESSAGE, unsupported),
    CallbackQueryHandler(stale_button),
]
