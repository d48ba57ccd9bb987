"""moodtune: run the Telegram bot (`make run`). Long polling, or a webhook when WEBHOOK_URL is set."""
from __future__ import annotations

import logging
import sys

from pydantic import ValidationError

from bot.settings import Settings

HOW_TO_GET_A_TOKEN = """\
moodtune needs a Telegram bot token, and TELEGRAM_BOT_TOKEN is not set.

  1. In Telegram, open a chat with @BotFather and send /newbot.
  2. Pick a name and a username ending in "bot"; BotFather replies with a token like 123456:ABC-DEF...
  3. Put it in a file named .env next to bot.py:
         TELEGRAM_BOT_TOKEN=123456:ABC-DEF...
  4. Run `make run` again.
"""


def main() -> int:
    try:
        settings = Settings()
    except ValidationError as error:
        print(f"moodtune: bad settings:\n{error}", file=sys.stderr)
        return 2
    if settings.telegram_bot_token is None:
        print(HOW_TO_GET_A_TOKEN, file=sys.stderr)
        return 2
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its INFO lines carry request URLs, token included

    from bot.app import build_application  # imports torch and the models' code: only once we know we'll run

    app = build_application(settings)
    if settings.webhook_url:
        app.run_webhook(listen="0.0.0.0", port=settings.port, url_path=settings.webhook_path,
                        webhook_url=settings.webhook_url, secret_token=settings.webhook_secret.get_secret_value(),
                        allowed_updates=["message", "callback_query"])
    else:
        app.run_polling(allowed_updates=["message", "callback_query"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
