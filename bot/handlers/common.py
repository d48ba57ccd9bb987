"""Small pieces every handler group shares."""
from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import Callback, Feeling, Playlist
from bot.context import Context
from bot.format import EMOJI
from bot.service import Service
from emotions import EMOTIONS


def service(context: Context) -> Service:
    return context.bot_data.service


def button(text: str, data: Callback) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=data.encode())


def playlist_button(strategy: str = "") -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[button("🎵 Playlist for this", Playlist(strategy))]])


def feelings_keyboard() -> InlineKeyboardMarkup:
    """One button per emotion: the user says how they really feel (a correction reading)."""
    buttons = [button(f"{EMOJI[name]} {name}", Feeling(name)) for name in EMOTIONS]
    return InlineKeyboardMarkup([buttons[i:i + 4] for i in range(0, len(buttons), 4)])
