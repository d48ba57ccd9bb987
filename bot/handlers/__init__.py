"""Handlers grouped by concern; `register` wires them in the order they must run."""
from __future__ import annotations

from bot.context import BotApplication
from bot.handlers import consent, errors, flood, guard, mood, other, playlist, prefs, privacy, selfie, text

# Every update passes the flood limit, then the guard (private chats only, buttons only by their owner),
# then the consent gate.
FLOOD_GROUP, GUARD_GROUP, GATE_GROUP = -3, -2, -1


def register(app: BotApplication) -> None:
    app.add_handler(flood.LIMIT, group=FLOOD_GROUP)
    app.add_handler(guard.GUARD, group=GUARD_GROUP)
    app.add_handler(consent.GATE, group=GATE_GROUP)
    for module in (consent, privacy, mood, playlist, prefs, selfie, text, other):
        app.add_handlers(module.HANDLERS)
    app.add_error_handler(errors.on_error)
