"""Logging that can't leak secrets: every formatted line is scrubbed of the token and the other secrets."""
from __future__ import annotations

import logging

from bot.settings import Settings

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


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


def secrets(settings: Settings) -> list[str]:
    return [value.get_secret_value() for value in
            (settings.telegram_bot_token, settings.webhook_secret, settings.spotify_client_secret) if value]


def setup_logging(settings: Settings) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(RedactingFormatter(secrets(settings)))
    logging.basicConfig(level=settings.log_level.upper(), handlers=[handler], force=True)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per request is noise at INFO
