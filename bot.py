"""moodtune: run the Telegram bot (`make run`). Long polling, or a webhook when WEBHOOK_URL is set.
Without TELEGRAM_BOT_TOKEN it runs the same bot in a local web chat page instead (playground/web.py).

    python bot.py               # one process (BOT_ROLE unset), or a copy in the role BOT_ROLE names
    python bot.py migrate       # deploy steps, once: the database schema ...
    python bot.py set-webhook   # ... and Telegram's webhook and command menu
"""
from __future__ import annotations

import asyncio
import signal
import sys

from pydantic import ValidationError

from bot.logs import setup_logging
from bot.malloc import limit_heap_growth
from bot.settings import Settings

HOW_TO_USE_TELEGRAM = """\
  1. In Telegram, open a chat with @BotFather and send /newbot.
  2. Pick a name and a username ending in "bot"; BotFather replies with a token like 123456:ABC-DEF...
  3. Put it in a file named .env next to bot.py:
         TELEGRAM_BOT_TOKEN=123456:ABC-DEF...
  4. Run `make run` again.
"""


def main() -> int:
    limit_heap_growth()  # before any model or thread allocates
    try:
        settings = Settings()
    except ValidationError as error:  # print what is wrong, never the values (they may be secrets)
        problems = "\n".join(f"  {'.'.join(map(str, e['loc'])).upper() or 'settings'}: {e['msg']}"
                             for e in error.errors())
        print(f"moodtune: bad settings:\n{problems}", file=sys.stderr)
        return 2
    setup_logging(settings)
    if settings.telegram_bot_token is None:
        return playground(settings)

    step = sys.argv[1].removeprefix("--") if len(sys.argv) > 1 else None  # "--set-webhook" works too
    if step in ("migrate", "set-webhook"):
        from bot import roles

        asyncio.run(roles.migrate(settings) if step == "migrate" else roles.set_webhook(settings))
        return 0
    if step is not None:
        print(f"moodtune: unknown step {step!r} (migrate, set-webhook)", file=sys.stderr)
        return 2
    asyncio.run(serve(settings))
    return 0


def playground(settings: Settings) -> int:
    """No token: the real bot behind a local Telegram emulator, in a chat page on 127.0.0.1."""
    try:  # the playground is tooling (the `dev` extra, not in the Docker image): import it only now
        from playground import web
    except ImportError as error:
        print(f"moodtune: TELEGRAM_BOT_TOKEN is not set, and the local playground can't start without "
              f"{error.name} (`pip install -e '.[dev]'`, or `make run`, installs it).\n\n"
              f"To run the bot in Telegram:\n{HOW_TO_USE_TELEGRAM}", file=sys.stderr)
        return 2
    return web.main(settings, HOW_TO_USE_TELEGRAM)


async def serve(settings: Settings) -> None:
    """Run until SIGINT or SIGTERM; a kill -9 loses nothing either (see bot/dispatcher.py)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    if settings.bot_role == "webhook":  # stores updates only: no models, no database
        from bot.roles import serve_webhook

        await serve_webhook(settings, stop)
        return
    from bot.app import build_application, running  # torch & models: only when handling updates

    async with running(build_application(settings)):
        await stop.wait()


if __name__ == "__main__":
    sys.exit(main())
