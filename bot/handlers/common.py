"""Small pieces every handler group shares."""
from __future__ import annotations

import logging

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest

from bot.callbacks import Callback, Feeling, Playlist
from bot.format import EMOJI
from emotions import EMOTIONS

log = logging.getLogger(__name__)
# Telegram's words for "too late to answer this button tap" and "the edit changes nothing" (a double tap).
TOO_OLD = ("query is too old", "query id is invalid")
NOT_MODIFIED = "message is not modified"


# The handlers below the flood limit and the consent gate only ever see updates from a user in a private
# chat (bot/handlers/guard.py): these say so once, instead of a None check in every handler.
def sender(update: Update) -> int:
    """The id of the user who sent the update."""
    assert update.effective_user is not None, "the gate lets only users' updates through"
    return update.effective_user.id


def chat_message(update: Update) -> Message:
    """The message to reply to: the one sent, or the one whose button was tapped."""
    message = update.effective_message
    assert isinstance(message, Message), "a message, or a button on a message the bot can still see"
    return message


def tapped(update: Update) -> CallbackQuery:
    """The button tap of a CallbackQueryHandler's update."""
    assert update.callback_query is not None, "registered with a CallbackQueryHandler"
    return update.callback_query


def button(text: str, data: Callback) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=data.encode())


def playlist_button(owner: int, strategy: str = "") -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[button("🎵 Playlist for this", Playlist(owner, strategy))]])


def feelings_keyboard(owner: int) -> InlineKeyboardMarkup:
    """One button per emotion: the user says how they really feel (a correction reading)."""
    buttons = [button(f"{EMOJI[name]} {name}", Feeling(owner, name)) for name in EMOTIONS]
    return InlineKeyboardMarkup([buttons[i:i + 4] for i in range(0, len(buttons), 4)])


async def answer(query: CallbackQuery, text: str | None = None, show_alert: bool = False) -> None:
    """Stop the button's spinner. A tap answered too late (the bot was down) can't be answered any more,
    but what the tap asked for still happens."""
    try:
        await query.answer(text, show_alert=show_alert)
    except BadRequest as error:
        if not any(words in str(error).lower() for words in TOO_OLD):
            raise
        log.info("a button tap was too old to answer")


async def edit_text(query: CallbackQuery, text: str, reply_markup: InlineKeyboardMarkup | None = None) -> None:
    """Edit the button's message; a second tap that changes nothing is fine."""
    try:
        await query.edit_message_text(text, reply_markup=reply_markup)
    except BadRequest as error:
        if NOT_MODIFIED not in str(error).lower():
            raise


async def edit_markup(query: CallbackQuery, reply_markup: InlineKeyboardMarkup) -> None:
    try:
        await query.edit_message_reply_markup(reply_markup)
    except BadRequest as error:
        if NOT_MODIFIED not in str(error).lower():
            raise
