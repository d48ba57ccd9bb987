"""/prefs: languages, genres, artists, default strategy, explicit lyrics. Buttons plus free text."""
from __future__ import annotations

from dataclasses import replace
from html import escape

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import messages
from bot.callbacks import PrefsAction
from bot.context import Context
from bot.handlers.common import button
from music import STRATEGIES, Preferences

AWAITING = "prefs"  # the user's next message lists what they like


def describe(prefs: Preferences) -> str:
    def names(values: object) -> str:
        return escape(", ".join(sorted(values))) if values else "any"

    return ("<b>Your music preferences</b>\n"
            f"Languages: {names(prefs.languages)}\n"
            f"Genres: {names(prefs.genres)}\n"
            f"Artists: {names(prefs.artists)}\n"
            f"Default playlist: {prefs.strategy}\n"
            f"Explicit lyrics: {'allowed' if prefs.explicit else 'filtered out'}")


def keyboard(prefs: Preferences) -> InlineKeyboardMarkup:
    strategies = [button(("✓ " if name == prefs.strategy else "") + name, PrefsAction(f"strategy={name}"))
                  for name in STRATEGIES]
    return InlineKeyboardMarkup([
        strategies,
        [button("🔞 Explicit: " + ("on" if prefs.explicit else "off"), PrefsAction("explicit"))],
        [button("✏️ Add languages, genres, artists", PrefsAction("ask")), button("🧹 Clear", PrefsAction("clear"))],
    ])


async def show(update: Update, context: Context) -> None:
    if context.args:
        await apply_text(update, context, " ".join(context.args))
        return
    prefs = await context.bot_data.service.preferences(update.effective_user.id)
    await update.effective_message.reply_text(describe(prefs), reply_markup=keyboard(prefs))


async def apply_text(update: Update, context: Context, text: str) -> None:
    """Free text like "telugu, lo-fi, sid sriram" adds to what the user has."""
    prefs, unknown = await context.bot_data.service.add_preferences(update.effective_user.id, text)
    note = f"\n\nI didn't recognise: <i>{escape(', '.join(unknown))}</i>" if unknown else ""
    await update.effective_message.reply_text(describe(prefs) + note, reply_markup=keyboard(prefs))


async def press(update: Update, context: Context) -> None:
    query = update.callback_query
    await query.answer()
    svc = context.bot_data.service
    prefs = await svc.preferences(update.effective_user.id)
    action = PrefsAction.decode(query.data).action
    if action == "ask":
        await svc.await_answer(update.effective_user.id, AWAITING)
        await query.message.reply_text(messages.PREFS_ASK)
        return
    if action == "explicit":
        prefs = replace(prefs, explicit=not prefs.explicit)
    elif action == "clear":
        prefs = Preferences(strategy=prefs.strategy, explicit=prefs.explicit)
    else:
        prefs = replace(prefs, strategy=action.removeprefix("strategy="))
    await svc.save_preferences(update.effective_user.id, prefs)
    await query.edit_message_text(describe(prefs), reply_markup=keyboard(prefs))


HANDLERS = [
    CommandHandler("prefs", show),
    CallbackQueryHandler(press, pattern=PrefsAction.pattern()),
]
