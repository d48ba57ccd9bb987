"""/privacy, /help and /forget (confirm, then erase every row about the user)."""
from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes

from bot import messages
from bot.handlers.common import button, service


async def privacy(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.effective_message.reply_text(messages.PRIVACY.format(days=context.bot_data["settings"].retention_days))


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.effective_message.reply_text(messages.HELP)


async def forget(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    keyboard = InlineKeyboardMarkup([[button("🗑 Yes, erase everything", "forget:yes"), button("Keep", "forget:no")]])
    await update.effective_message.reply_text(messages.FORGET_CONFIRM, reply_markup=keyboard)


async def confirm_forget(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    await query.answer()
    if query.data != "forget:yes":
        await query.edit_message_text(messages.FORGET_KEPT)
        return
    rows = await service(context).forget(update.effective_user.id)
    context.user_data.clear()
    await query.edit_message_text(messages.FORGOTTEN.format(rows=rows))


HANDLERS = [
    CommandHandler("privacy", privacy),
    CommandHandler("help", help_command),
    CommandHandler("forget", forget),
    CallbackQueryHandler(confirm_forget, pattern=r"^forget:(yes|no)$"),
]
