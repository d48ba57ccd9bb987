"""/start, the consent buttons, and the gate: before consent nothing is analysed or stored."""
from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import ApplicationHandlerStop, CallbackQueryHandler, CommandHandler, ContextTypes, TypeHandler

from bot import messages
from bot.handlers.common import button, service

OPEN_COMMANDS = ("/start", "/help", "/privacy")  # they read nothing, so they need no consent


def consent_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[button("✅ I agree", "consent:yes"), button("No thanks", "consent:no")]])


def intro(context: ContextTypes.DEFAULT_TYPE) -> str:
    return messages.START.format(days=context.bot_data["settings"].retention_days)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if await service(context).consented(update.effective_user.id):
        await update.effective_message.reply_text(f"{intro(context)}\n\n{messages.CONSENTED}")
    else:
        await update.effective_message.reply_text(intro(context), reply_markup=consent_keyboard())


async def answer_consent(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    await query.answer()
    yes = query.data == "consent:yes"
    if yes:
        await service(context).set_consent(update.effective_user.id, True)
    await query.edit_message_text(f"{intro(context)}\n\n{messages.CONSENTED if yes else messages.DECLINED}")


async def gate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stops every update from a user who hasn't agreed, except /start, /help, /privacy and the buttons."""
    if update.effective_user is None:
        raise ApplicationHandlerStop
    message, query = update.message, update.callback_query
    if message and message.text and message.text.startswith(OPEN_COMMANDS):
        command = message.text.split()[0].split("@")[0]
        if command in OPEN_COMMANDS:
            return
    if query and (query.data or "").startswith("consent:"):
        return
    if await service(context).consented(update.effective_user.id):
        return
    if query:
        await query.answer("Please send /start and agree first.", show_alert=True)
    elif message:
        await message.reply_text(f"{messages.CONSENT_NEEDED}\n\n{intro(context)}", reply_markup=consent_keyboard())
    raise ApplicationHandlerStop


HANDLERS = [
    CommandHandler("start", start),
    CallbackQueryHandler(answer_consent, pattern=r"^consent:(yes|no)$"),
]
GATE = TypeHandler(Update, gate)
