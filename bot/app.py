"""The Application: settings -> PTB Application with models, Store and handlers wired in.

Updates don't reach it through python-telegram-bot's Updater: the intake (bot/intake.py) stores
them in the durable inbox (storage/inbox.py) and the dispatcher (bot/dispatcher.py) hands them to
the Application, so none is lost in a crash and none is answered twice. `running()` wires the three.

Scale-out (separate processes) reuses the pieces as they are: a webhook process runs only the intake
(`Webhook` + `SqlInbox`, no models), worker processes run only `Dispatcher` over the same database
(it also looks at the inbox every few seconds unwoken), and instead of the start-up `requeue()` of
a single process, workers hand out again only claims older than a lease (`requeue(claimed_before=...)`).
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

from telegram import BotCommand
from telegram.constants import ParseMode
from telegram.ext import ApplicationBuilder, Defaults

from bot import health
from bot.budget import SendBudget
from bot.context import CONTEXT_TYPES, BotApplication, Context
from bot.dispatcher import Dispatcher, JournalingRequest
from bot.handlers import register
from bot.intake import Polling, Webhook
from bot.limits import FloodLimit, PerUserOrder
from bot.models import Models, load_models
from bot.roles import worker_inbox
from bot.service import Service
from bot.settings import Settings
from bot.shared import NamedPause, open_limits
from music import Recommender, SpotifyClient
from storage import SqlInbox, Store
from storage.redis_inbox import RedisInbox

log = logging.getLogger(__name__)
PURGE_EVERY = timedelta(hours=1)
KEEP_HANDLED_IDS = timedelta(days=1)  # Telegram keeps unconfirmed updates for 24 hours
ALLOWED_UPDATES = ["message", "callback_query"]
COMMANDS = [
    BotCommand("mood", "What I think you feel, and why"),
    BotCommand("playlist", "Music for your mood: match, lift or calm"),
    BotCommand("prefs", "Languages, genres, artists"),
    BotCommand("history", "Your mood over the last days"),
    BotCommand("privacy", "What I keep, in plain words"),
    BotCommand("forget", "Erase everything about you"),
    BotCommand("help", "What I understand"),
]


def build_application(settings: Settings, models: Models | None = None) -> BotApplication:
    """`models` lets tests share loaded analyzers; by default post_init loads them (with a warm-up)."""
    if settings.telegram_bot_token is None:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    limits = open_limits(settings.redis_url)  # Redis when set: every copy shares the budget and flood limits
    builder = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token.get_secret_value())
        .defaults(Defaults(parse_mode=ParseMode.HTML))
        .request(JournalingRequest(connection_pool_size=256))
        .rate_limiter(SendBudget(limits, settings.telegram_rate_limit))
        .concurrent_updates(PerUserOrder(settings.max_concurrent_updates))
        .context_types(CONTEXT_TYPES)
        .post_init(lambda app: _start(app, settings, models))
        .post_shutdown(_stop)
    )
    if settings.telegram_api_base_url:
        root = settings.telegram_api_base_url.rstrip("/")
        builder = builder.base_url(f"{root}/bot").base_file_url(f"{root}/file/bot")
    app = builder.build()
    app.bot_data.settings = settings
    app.bot_data.limits = limits
    app.bot_data.flood = FloodLimit(limits, settings.flood_burst, settings.flood_per_second)
    register(app)
    return app


async def _start(app: BotApplication, settings: Settings, models: Models | None) -> None:
    if models is None:
        models = await asyncio.to_thread(load_models, settings)
    store = await Store.open(settings.database_url)
    spotify = None
    if settings.spotify_client_id and settings.spotify_client_secret:
        limits = app.bot_data.limits  # every copy's
        spotify = SpotifyClient(settings.spotify_client_id, settings.spotify_client_secret.get_secret_value(),
                                shared_pause=NamedPause(limits, "spotify") if limits else None,
                                shared_cache=limits.shared_cache("spotify") if limits else None)
    app.bot_data._service = Service(models, store, Recommender(spotify=spotify), settings.inference_threads,
                                    chart_kept=timedelta(seconds=settings.history_chart_seconds))
    app.bot_data._inbox = SqlInbox(store) if settings.bot_role is None else worker_inbox(settings)
    assert app.job_queue is not None, "python-telegram-bot[job-queue] is a dependency"
    app.job_queue.run_repeating(_purge, interval=PURGE_EVERY, first=1, name="retention")  # 0 never fires
    if settings.health_file:
        app.job_queue.run_repeating(health.beat, interval=health.BEAT_EVERY, first=1, name="heartbeat")
    if settings.bot_role is None:  # a scaled-out bot sets them once, in the deploy step (bot/roles.py)
        await app.bot.set_my_commands(COMMANDS)


async def _stop(app: BotApplication) -> None:
    service, app.bot_data._service = app.bot_data._service, None
    if service is not None:
        await service.close()
    if app.bot_data.limits is not None:
        await app.bot_data.limits.close()
    if isinstance(app.bot_data._inbox, RedisInbox):
        await app.bot_data._inbox.close()


async def _purge(context: Context) -> None:
    days = context.bot_data.config.retention_days
    deleted = await context.bot_data.service.purge(days)
    if deleted is None:
        log.info("retention: another copy is purging")
    else:
        log.info("retention: deleted %d readings older than %d days", deleted, days)
    await context.bot_data.inbox.prune(datetime.now(UTC) - KEEP_HANDLED_IDS)


@asynccontextmanager
async def running(app: BotApplication) -> AsyncIterator[BotApplication]:
    """Serve `app` inside an event loop that's already running (bot.py, tests, demo, bench): the
    Application, the dispatcher replaying what a previous run left in the inbox, then the intake
    (the webhook when WEBHOOK_URL is set, else long polling).
    """
    settings = app.bot_data.config
    await app.initialize()
    try:
        if app.post_init:
            await app.post_init(app)
        await app.start()
        inbox = app.bot_data.inbox
        replayed = await inbox.requeue()  # a single process: every claim left is from a run that died
        if replayed:
            log.info("replaying %d updates a previous run had not finished", replayed)
        dispatcher = Dispatcher(app, inbox, settings.max_concurrent_updates)
        dispatching = asyncio.create_task(dispatcher.run())
        intake = _intake(app, settings, dispatcher.wake)
        if intake is None:  # a worker: the webhook process stores updates, the queue wakes the dispatcher
            assert isinstance(inbox, RedisInbox)
            await inbox.start(dispatcher.wake)
        else:
            await intake.start()
        if settings.webhook_url and settings.bot_role is None:
            await app.bot.set_webhook(settings.webhook_url, secret_token=settings.webhook_secret_value,
                                      allowed_updates=ALLOWED_UPDATES)
        try:
            yield app
        finally:
            try:
                if intake is not None:
                    await intake.stop()
            finally:
                dispatcher.stop()
                await asyncio.gather(dispatching, return_exceptions=True)
                await dispatcher.drain()
                await app.stop()
    finally:
        await app.shutdown()
        if app.post_shutdown:
            await app.post_shutdown(app)


def _intake(app: BotApplication, settings: Settings, wake: Callable[[], None]) -> Polling | Webhook | None:
    inbox = app.bot_data.inbox
    if settings.bot_role == "worker":
        return None
    if settings.webhook_url:
        return Webhook(inbox, wake, settings.webhook_secret_value, settings.webhook_path,
                       settings.webhook_listen, settings.port)
    return Polling(app.bot.base_url, inbox, wake, ALLOWED_UPDATES, settings.poll_timeout)
