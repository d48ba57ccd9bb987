"""/prefs: languages, genres, artists, default strategy, explicit lyrics. Buttons plus free text."""
from __future__ import annotations

from dataclasses import replace
from html import escape

from telegram import InlineKeyboardMarkup, Update
from telegram.constants import MessageLimit
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import messages
from bot.callbacks import PrefsAction
from bot.context import Context
from bot.handlers.common import answer, button, chat_message, edit_text, sender, tapped
from music import STRATEGIES, Preferences
from music.links import SERVICES

AWAITING = "prefs"  # the user's next message lists what they like
MAX_LISTED = 20  # names shown per list: Telegram refuses a message over 4096 characters
MAX_UNKNOWN_SHOWN = 600  # characters of unrecognised words quoted back


def shortened(values: list[str], limit: int = MAX_LISTED) -> str:
    text = ", ".join(values[:limit])
    return text + (f" and {len(values) - limit} more" if len(values) > limit else "")


def describe(prefs: Preferences) -> str:
    def names(values: frozenset[str]) -> str:
        return escape(shortened(sorted(values))) if values else "any"

    return ("<b>Your music preferences</b>\n"
            f"Languages: {names(prefs.languages)}\n"
            f"Genres: {names(prefs.genres)}\n"
            f"Artists: {names(prefs.artists)}\n"
            f"Default playlist: {prefs.strategy}\n"
            f"Explicit lyrics: {'allowed' if prefs.explicit else 'filtered out'}\n"
            f"Listen on: {SERVICES[prefs.listen_on]}")


def keyboard(prefs: Preferences, owner: int) -> InlineKeyboardMarkup:
    strategies = [button(("✓ " if name == prefs.strategy else "") + name, PrefsAction(owner, f"strategy={name}"))
                  for name in STRATEGIES]
    return InlineKeyboardMarkup([
        strategies,
        [button("🔞 Explicit: " + ("on" if prefs.explicit else "off"), PrefsAction(owner, "explicit"))],
        [button(("✓ " if key == prefs.listen_on else "") + name, PrefsAction(owner, f"service={key}"))
         for key, name in SERVICES.items()],
        [button("✏️ Add languages, genres, artists", PrefsAction(owner, "ask")),
         button("🧹 Clear", PrefsAction(owner, "clear"))],
    ])


async def show(update: Update, context: Context) -> None:
    if context.args:
        await apply_text(update, context, " ".join(context.args))
        return
    prefs = await context.bot_data.service.preferences(sender(update))
    await chat_message(update).reply_text(describe(prefs), reply_markup=keyboard(prefs, sender(update)))


async def apply_text(update: Update, context: Context, text: str) -> None:
    """Free text like "telugu, lo-fi, sid sriram" adds to what the user has."""
    prefs, unknown = await context.bot_data.service.add_preferences(sender(update), text)
    words = ", ".join(unknown)
    if len(words) > MAX_UNKNOWN_SHOWN:  # quote the start of it; the reply must stay under Telegram's 4096
        words = words[:MAX_UNKNOWN_SHOWN].rsplit(", ", 1)[0] + " …"
    note = f"\n\nI didn't recognise: <i>{escape(words)}</i>" if unknown else ""
    text = describe(prefs)
    if len(text) + len(note) <= MessageLimit.MAX_TEXT_LENGTH:
        text += note
    await chat_message(update).reply_text(text, reply_markup=keyboard(prefs, sender(update)))


async def press(update: Update, context: Context) -> None:
    query = tapped(update)
    await answer(query)
    svc = context.bot_data.service
    prefs = await svc.preferences(sender(update))
    action = PrefsAction.decode(query.data).action
    if action == "ask":
        await svc.await_answer(sender(update), AWAITING)
        await chat_message(update).reply_text(messages.PREFS_ASK)
        return
    if action == "explicit":
        prefs = replace(prefs, explicit=not prefs.explicit)
    elif action == "clear":
        prefs = Preferences(strategy=prefs.strategy, explicit=prefs.explicit, service=prefs.service)
    elif action.startswith("service="):
        prefs = replace(prefs, service=action.removeprefix("service="))
    else:
        prefs = replace(prefs, strategy=action.removeprefix("strategy="))
    await svc.save_preferences(sender(update), prefs)
    await edit_text(query, describe(prefs), reply_markup=keyboard(prefs, sender(update)))


HANDLERS = [
    CommandHandler("prefs", show),
    CallbackQueryHandler(press, pattern=PrefsAction.pattern()),
]
