"""/playlist [match|lift|calm], its buttons, and 👍/👎 feedback per track."""
from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import messages
from bot.callbacks import NotMyMood, Playlist, Vote
from bot.context import Context
from bot.format import playlist_reply
from bot.handlers.common import answer, button, chat_message, edit_markup, feelings_keyboard, sender, tapped
from music import STRATEGIES, Recommendation

USAGE = "Use <code>/playlist</code>, or <code>/playlist " + "|".join(STRATEGIES) + "</code>."
OTHER_STRATEGIES = {"match": "🎯 Match", "lift": "⬆️ Lift me", "calm": "🌙 Calm me"}


def feedback_keyboard(rec: Recommendation, owner: int) -> InlineKeyboardMarkup:
    buttons = []
    for i, pick in enumerate(rec.picks, 1):
        buttons += [button(f"{i} 👍", Vote(owner, 1, pick.track.id)), button(f"{i} 👎", Vote(owner, 0, pick.track.id))]
    rows = [buttons[i:i + 4] for i in range(0, len(buttons), 4)]
    others = [button(text, Playlist(owner, name)) for name, text in OTHER_STRATEGIES.items() if name != rec.strategy]
    rows.append([button("✋ Not my mood", NotMyMood(owner)), *others])
    return InlineKeyboardMarkup(rows)


async def send_playlist(update: Update, context: Context, strategy: str | None) -> None:
    svc, owner = context.bot_data.service, sender(update)
    mood = await svc.mood(owner)
    if not mood.enough_evidence:
        await chat_message(update).reply_text(messages.NO_MOOD, reply_markup=feelings_keyboard(owner))
        return
    rec = await svc.playlist(owner, mood, strategy)
    await chat_message(update).reply_text(playlist_reply(mood, rec), reply_markup=feedback_keyboard(rec, owner),
                                              disable_web_page_preview=True)


async def playlist_command(update: Update, context: Context) -> None:
    strategy = context.args[0].lower() if context.args else None
    if strategy is not None and strategy not in STRATEGIES:
        await chat_message(update).reply_text(USAGE)
        return
    await send_playlist(update, context, strategy)


async def playlist_button(update: Update, context: Context) -> None:
    await answer(tapped(update))
    await send_playlist(update, context, Playlist.decode(tapped(update).data).strategy or None)


async def feedback(update: Update, context: Context) -> None:
    query = tapped(update)
    vote = Vote.decode(query.data)
    if not await context.bot_data.service.feedback(vote.owner, vote.track_id, bool(vote.liked)):
        await answer(query, messages.STALE_BUTTON)  # not a track we suggested to this user: nothing stored
        return
    await answer(query, messages.VOTED_UP if vote.liked else messages.VOTED_DOWN)
    markup = query.message.reply_markup if isinstance(query.message, Message) else None  # None: too old to see
    if markup is None:
        return
    # Tick the chosen thumb of this track's pair; the other one loses its tick.
    pair = {Vote(vote.owner, 1, vote.track_id).encode(), Vote(vote.owner, 0, vote.track_id).encode()}

    def ticked(b: InlineKeyboardButton) -> InlineKeyboardButton:
        if b.callback_data not in pair:
            return b
        text = b.text.removeprefix("✅")
        return InlineKeyboardButton(f"✅{text}" if b.callback_data == query.data else text, callback_data=b.callback_data)

    rows = [[ticked(b) for b in row] for row in markup.inline_keyboard]
    await edit_markup(query, InlineKeyboardMarkup(rows))


HANDLERS = [
    CommandHandler("playlist", playlist_command),
    CallbackQueryHandler(playlist_button, pattern=Playlist.pattern()),
    CallbackQueryHandler(feedback, pattern=Vote.pattern()),
]
