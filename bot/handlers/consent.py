"""/start, the consent buttons, and the gate: before consent nothing is analysed or stored."""
from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import ApplicationHandlerStop, CallbackQueryHandler, CommandHandler, TypeHandler

from bot import messages
from bot.callbacks import Consent
from bot.context import Context
from bot.handlers.common import answer, button, chat_message, edit_text, sender, tapped

OPEN_COMMANDS = ("/start", "/help", "/privacy")  # they read nothing, so they need no consent


def consent_keyboard(owner: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[button("✅ I agree", Consent(owner, "yes")), button("No thanks", Consent(owner, "no"))]])


def intro(context: Context) -> str:
    return messages.START.format(days=context.bot_data.config.retention_days)


async def start(update: Update, context: Context) -> None:
    if await context.bot_data.service.consented(sender(update)):
        await chat_message(update).reply_text(f"{intro(context)}\n\n{messages.CONSENTED}")
    else:
        await chat_message(update).reply_text(intro(context), reply_markup=consent_keyboard(sender(update)))


async def answer_consent(update: Update, context: Context) -> None:
    query = tapped(update)
    await answer(query)
    yes = Consent.decode(query.data).yes
    svc = context.bot_data.service
    if yes and not await svc.consented(sender(update)):  # a double tap keeps the first time
        await svc.set_consent(sender(update), True)
    await edit_text(query, f"{intro(context)}\n\n{messages.CONSENTED if yes else messages.DECLINED}")


async def gate(update: Update, context: Context) -> None:
    """Stops every update from a user who hasn't agreed, except /start, /help, /privacy and the buttons."""
    if update.effective_user is None:
        raise ApplicationHandlerStop
    message, query = update.message, update.callback_query
    if message and message.text and message.text.startswith(OPEN_COMMANDS):
        command = message.text.split()[0].split("@")[0]
        if command in OPEN_COMMANDS:
            return
    if query and Consent.pattern().match(str(query.data)):
        return
    user = await context.bot_data.service.consenting_user(sender(update))
    if user is not None:
        context.gate_user = user
        return
    if query:
        await answer(query, messages.AGREE_FIRST, show_alert=True)
    elif message:
        await message.reply_text(f"{messages.CONSENT_NEEDED}\n\n{intro(context)}",
                                 reply_markup=consent_keyboard(sender(update)))
    raise ApplicationHandlerStop


HANDLERS = [
    CommandHandler("start", start),
    CallbackQueryHandler(answer_consent, pattern=Consent.pattern()),
]
GATE = TypeHandler(Update, gate)
