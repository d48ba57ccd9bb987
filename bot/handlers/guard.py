"""Who may use the bot where: private chats only, and a button only by the user it was sent to.

Groups are refused on purpose: emotion recognition reads people, and in a group it would read the
messages and faces of members who never agreed. A command in a group gets a pointer to the private
chat; anything else there is ignored unread.
"""
from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop, TypeHandler

from bot import messages
from bot.callbacks import owner_of
from bot.context import Context
from bot.handlers.common import answer


async def guard(update: Update, context: Context) -> None:
    query, chat = update.callback_query, update.effective_chat
    if query is not None:
        owner = owner_of(query.data)
        if owner is not None and owner != query.from_user.id:
            await answer(query, messages.NOT_YOUR_BUTTON, show_alert=True)
            raise ApplicationHandlerStop
        return
    if chat is not None and chat.type != ChatType.PRIVATE:
        message = update.effective_message
        if message is not None and message.text and message.text.startswith("/"):
            await message.reply_text(messages.PRIVATE_ONLY)
        raise ApplicationHandlerStop


GUARD = TypeHandler(Update, guard)
