"""/privacy, /help and /forget (confirm, then erase every row about the user)."""
from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import messages
from bot.callbacks import Forget
from bot.context import Context
from bot.handlers.common import answer, button, chat_message, edit_text, sender, tapped


async def privacy(update: Update, context: Context) -> None:
    await chat_message(update).reply_text(messages.PRIVACY.format(days=context.bot_data.config.retention_days))


async def help_command(update: Update, context: Context) -> None:
    await chat_message(update).reply_text(messages.HELP)


async def forget(update: Update, context: Context) -> None:
    owner = sender(update)
    keyboard = InlineKeyboardMarkup([[button("🗑 Yes, erase everything", Forget(owner, "yes")),
                                      button("Keep", Forget(owner, "no"))]])
    await chat_message(update).reply_text(messages.FORGET_CONFIRM, reply_markup=keyboard)


async def confirm_forget(update: Update, context: Context) -> None:
    query = tapped(update)
    await answer(query)
    if not Forget.decode(query.data).yes:
        await edit_text(query, messages.FORGET_KEPT)
        return
    rows = await context.bot_data.service.forget(sender(update))
    if context.user_data is not None:
        context.user_data.clear()
    await edit_text(query, messages.FORGOTTEN.format(rows=rows))


HANDLERS = [
    CommandHandler("privacy", privacy),
    CommandHandler("help", help_command),
    CommandHandler("forget", forget),
    CallbackQueryHandler(confirm_forget, pattern=Forget.pattern()),
]
