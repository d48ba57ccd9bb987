"""The handlers' typed context: what they depend on is named here, not behind string keys of bot_data."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot

from bot.limits import FloodLimit
from bot.shared import Limits

if TYPE_CHECKING:
    from bot.service import Service
    from bot.settings import Settings
    from storage import Inbox, User


@dataclass
class BotData:
    """The application-wide dependencies; `build_application` fills them, post_init adds the service."""

    settings: Settings | None = None
    flood: FloodLimit | None = None
    limits: Limits | None = None  # the shared store of the send budget and the flood limit (bot/shared.py)
    _service: Service | None = None
    _inbox: Inbox | None = None  # SqlInbox, or a worker's RedisInbox

    @property
    def config(self) -> Settings:
        assert self.settings is not None, "build_application sets the settings"
        return self.settings

    @property
    def service(self) -> Service:
        assert self._service is not None, "post_init starts the service"
        return self._service

    @property
    def inbox(self) -> Inbox:
        assert self._inbox is not None, "post_init opens the inbox"
        return self._inbox


class Context(CallbackContext[ExtBot[Any], dict[Any, Any], dict[Any, Any], BotData]):
    """`context` in every handler: `context.bot_data.service`, `context.bot_data.config`."""

    # The sender's row as the consent gate read it for this update (PTB builds one context per update
    # and hands it to every handler group), so a later handler need not read it again.
    gate_user: User | None = None


BotApplication = Application[ExtBot[Any], Context, dict[Any, Any], dict[Any, Any], BotData, Any]
CONTEXT_TYPES = ContextTypes(context=Context, bot_data=BotData)
