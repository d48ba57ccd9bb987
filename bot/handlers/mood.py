"""/mood (what and why, with a chart), /history (a chart over days), and "not my mood" corrections."""
from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes

from bot import charts, messages
from bot.format import label, mood_reply
from bot.handlers.common import button, feelings_keyboard, playlist_button, service
from bot.service import now
from emotions import EMOTIONS

HISTORY_DAYS = 7


async def send_mood(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = service(context)
    mood = await svc.mood(update.effective_user.id)
    if not mood.enough_evidence:
        await update.effective_message.reply_text(messages.NO_MOOD, reply_markup=feelings_keyboard())
        return
    chart = await svc.off_loop(charts.mood_chart, mood)
    keyboard = InlineKeyboardMarkup([[button("🎵 Playlist", "playlist:"), button("✋ Not my mood", "fix")]])
    await update.effective_message.reply_photo(chart, caption=mood_reply(mood, now()), reply_markup=keyboard)


async def history(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = service(context)
    points = await svc.history(update.effective_user.id, days=HISTORY_DAYS)
    if not any(mood.enough_evidence for _, mood in points):
        await update.effective_message.reply_text(messages.NO_MOOD, reply_markup=feelings_keyboard())
        return
    chart = await svc.off_loop(charts.history_chart, points)
    await update.effective_message.reply_photo(chart, caption=f"Your mood over the last {HISTORY_DAYS} days.")


async def ask_feeling(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.callback_query.answer()
    await update.effective_message.reply_text("How do you feel, then?", reply_markup=feelings_keyboard())


async def correct(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    feeling = query.data.removeprefix("fix:")
    await query.answer()
    await service(context).correct(update.effective_user.id, feeling)
    await query.edit_message_text(f"Got it: you feel {label(feeling)}. I'll go with that.",
                                  reply_markup=playlist_button())


HANDLERS = [
    CommandHandler("mood", send_mood),
    CommandHandler("history", history),
    CallbackQueryHandler(ask_feeling, pattern=r"^fix$"),
    CallbackQueryHandler(correct, pattern=rf"^fix:({'|'.join(EMOTIONS)})$"),
]
