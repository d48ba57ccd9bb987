"""Logging that can't leak: no secrets in any line, and no message text at any level.

Our own code logs ids, counts and error types, never content. Third-party libraries can't be vetted
line by line (python-telegram-bot logs whole updates at DEBUG, an exception's message may quote
what failed to parse), so their lines are kept from WARNING up only, with their arguments and
exception messages withheld: the line says what happened and where, not to what.
"""
from __future__ import annotations

import logging
import sys
import traceback
from typing import TextIO

from bot.settings import Settings

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
OWN_PACKAGES = {"bot", "vision", "nlp", "fusion", "music", "storage", "emotions", "__main__"}
THIRD_PARTY = ("telegram", "httpx", "httpcore", "tornado", "apscheduler", "asyncio", "sqlalchemy", "alembic",
               "spotipy", "urllib3", "PIL", "matplotlib")
WITHHELD = "<withheld>"


class RedactingFormatter(logging.Formatter):
    """PTB logs its API URL (token included) at DEBUG, and network errors quote URLs: scrub the whole line,
    traceback included."""

    def __init__(self, secrets: list[str], fmt: str = FORMAT):
        super().__init__(fmt)
        self.secrets = [s for s in secrets if s]

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        for secret in self.secrets:
            line = line.replace(secret, "<secret>")
        return line


class ContentFilter(logging.Filter):
    """Passes our own records; a third party's only from WARNING up, stripped of what may be content."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.split(".")[0] in OWN_PACKAGES:
            return True
        if record.levelno < logging.WARNING:
            return False
        record.msg, record.args = _template(record), None
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            frames = "".join(traceback.format_tb(error.__traceback__))
            record.exc_text = f"Traceback (most recent call last):\n{frames}{type(error).__name__}: {WITHHELD}"
            record.exc_info = None
        return True


def _template(record: logging.LogRecord) -> str:
    """The message with every argument shown as <withheld>."""
    template = str(record.msg)
    if not record.args:
        return template
    try:
        blanks = {key: WITHHELD for key in record.args} if isinstance(record.args, dict) else \
            tuple(WITHHELD for _ in record.args)
        return template % blanks
    except (TypeError, ValueError, KeyError):
        return template.split("%", 1)[0] + WITHHELD


def secrets(settings: Settings) -> list[str]:
    return [value.get_secret_value() for value in
            (settings.telegram_bot_token, settings.webhook_secret, settings.spotify_client_secret) if value]


def setup_logging(settings: Settings, stream: TextIO | None = None) -> logging.Handler:
    """One handler on the root logger (replacing any); returns it."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(RedactingFormatter(secrets(settings)))
    handler.addFilter(ContentFilter())
    logging.basicConfig(level=settings.log_level.upper(), handlers=[handler], force=True)
    for name in THIRD_PARTY:  # their DEBUG/INFO lines would be dropped anyway: don't make them
        logging.getLogger(name).setLevel(max(logging.WARNING, logging.getLogger().level))
    return handler
