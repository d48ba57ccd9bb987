"""/mood (what and why, with a chart), /history (a chart over days), and "not my mood" corrections."""
from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import charts, messages
from bot.callbacks import Feeling, NotMyMood, Playlist
from bot.context import Context
from bot.format import label, mood_reply
from bot.handlers.common import (
    answer,
    button,
    chat_message,
    edit_text,
    feelings_keyboard,
    playlist_button,
    sender,
    tapped,
)
from bot.service import now

HISTORY_DAYS = 7


async def send_mood(update: Update, context: Context) -> None:
    svc, owner = context.bot_data.service, sender(update)
    mood = await svc.mood(owner)
    if not mood.enough_evidence:
        await chat_message(update).reply_text(messages.NO_MOOD, reply_markup=feelings_keyboard(owner))
        return
    chart = await svc.off_loop(charts.mood_chart, mood)
    keyboard = InlineKeyboardMarkup([[button("🎵 Playlist", Playlist(owner)), button("✋ Not my mood", NotMyMood(owner))]])
    await chat_message(update).reply_photo(chart, caption=mood_reply(mood, now()), reply_markup=keyboard)


async def history(update: Update, context: Context) -> None:
    chart = await context.bot_data.service.history_chart(sender(update), days=HISTORY_DAYS)
    if chart is None:
        await chat_message(update).reply_text(messages.NO_MOOD, reply_markup=feelings_keyboard(sender(update)))
        return
    await chat_message(update).reply_photo(chart, caption=messages.HISTORY.format(days=HISTORY_DAYS))


async def ask_feeling(update: Update, context: Context) -> None:
    await answer(tapped(update))
    await chat_message(update).reply_text(messages.HOW_DO_YOU_FEEL,
                                              reply_markup=feelings_keyboard(sender(update)))


async def correct(update: Update, context: Context) -> None:
    query = tapped(update)
    feeling = Feeling.decode(query.data).emotion
    await answer(query)
    await context.bot_data.service.correct(sender(update), feeling)
    await edit_text(query, messages.CORRECTED.format(feeling=label(feeling)),
                    reply_markup=playlist_button(sender(update)))


HANDLERS = [
    CommandHandler("mood", send_mood),
    CommandHandler("history", history),
    CallbackQueryHandler(ask_feeling, pattern=NotMyMood.pattern()),
    CallbackQueryHandler(correct, pattern=Feeling.pattern()),
]
