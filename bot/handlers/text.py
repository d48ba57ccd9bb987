"""Chat messages: quietly add a reading; answer only when it's useful.

Useful means the user asked (about their mood, or for music) or the mood changed clearly. Everything
else gets no reply, so the bot doesn't lecture every chat line.
"""
from __future__ import annotations

import re

from telegram import Update
from telegram.ext import MessageHandler, filters

from bot import messages
from bot.context import Context
from bot.format import label
from bot.handlers import mood, playlist, prefs
from bot.handlers.common import chat_message, playlist_button, sender

ASKS_MOOD = re.compile(r"\b(how (do|am) i (feel|feeling|doing)|(what'?s|what is) my mood|my mood\?)", re.IGNORECASE)
ASKS_MUSIC = re.compile(r"\b(playlist|music|songs?|tunes|play (me )?something)\b", re.IGNORECASE)


async def text(update: Update, context: Context) -> None:
    message = chat_message(update)
    assert message.text is not None, "registered for text messages"
    if await context.bot_data.service.awaited(sender(update), context.gate_user) == prefs.AWAITING:
        await prefs.apply_text(update, context, message.text)
        return
    result = await context.bot_data.service.read_text(sender(update), message.text)
    if ASKS_MUSIC.search(message.text):
        await playlist.send_playlist(update, context, None)
    elif ASKS_MOOD.search(message.text):
        await mood.send_mood(update, context)
    elif result.changed_clearly:
        await message.reply_text(messages.MOOD_CHANGED.format(feeling=label(result.after.label)),
                                 reply_markup=playlist_button(sender(update)))


HANDLERS = [MessageHandler(filters.TEXT & ~filters.COMMAND, text)]
