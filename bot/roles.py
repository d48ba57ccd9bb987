"""Many copies behind one bot (BOT_ROLE): one webhook process that only stores what Telegram posts,
and workers that only handle it, sharing a Redis Streams inbox (storage/redis_inbox.py); plus the
deploy steps that must run once, not in every copy: `python bot.py migrate` and `python bot.py
set-webhook`.

The webhook process loads no models and opens no database: it checks the secret before reading a
byte of the body, puts the update in the queue, and answers 200 only then (bot/intake.py).
"""
from __future__ import annotations

import asyncio
import logging
import os
import socket

from bot.settings import Settings
from storage.redis_inbox import RedisInbox

log = logging.getLogger(__name__)


def worker_inbox(settings: Settings) -> RedisInbox:
    assert settings.redis_url, "settings require REDIS_URL with BOT_ROLE"
    # one consumer per process: a restarted worker is a new one, its predecessor's updates are taken over
    return RedisInbox(settings.redis_url, f"{socket.gethostname()}-{os.getpid()}")


async def serve_webhook(settings: Settings, stop: asyncio.Event) -> None:
    from bot.intake import Webhook

    assert settings.webhook_secret is not None, "settings require WEBHOOK_SECRET with WEBHOOK_URL"
    inbox = worker_inbox(settings)
    await inbox.setup()
    intake = Webhook(inbox, lambda: None, settings.webhook_secret.get_secret_value(), settings.webhook_path,
                     settings.webhook_listen, settings.port)
    await intake.start()
    log.info("webhook: storing updates posted to /%s on port %d", settings.webhook_path, settings.port)
    try:
        await stop.wait()
    finally:
        await intake.stop()
        await inbox.close()


async def migrate(settings: Settings) -> None:
    """Bring the database to the newest schema (copies that start together would also cope: they
    take turns on an advisory lock, but one step in the deploy is clearer)."""
    from storage import Store

    store = await Store.open(settings.database_url)
    await store.close()


async def set_webhook(settings: Settings) -> None:
    """Point Telegram at the webhook and set the command menu: once per deploy, never per copy (a
    copy that set it on start would reset Telegram's queue of pending updates for everyone)."""
    from telegram import Bot

    from bot.app import ALLOWED_UPDATES, COMMANDS

    if not settings.webhook_url or settings.webhook_secret is None or settings.telegram_bot_token is None:
        raise SystemExit("set-webhook needs TELEGRAM_BOT_TOKEN, WEBHOOK_URL and WEBHOOK_SECRET")
    root = (settings.telegram_api_base_url or "https://api.telegram.org").rstrip("/")
    async with Bot(settings.telegram_bot_token.get_secret_value(), base_url=f"{root}/bot",
                   base_file_url=f"{root}/file/bot") as bot:
        await bot.set_webhook(settings.webhook_url, secret_token=settings.webhook_secret.get_secret_value(),
                              allowed_updates=ALLOWED_UPDATES)
        await bot.set_my_commands(COMMANDS)
    log.info("webhook set")
