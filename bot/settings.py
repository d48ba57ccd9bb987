"""Service settings from the environment or `.env` (pydantic-settings). Secrets stay SecretStr."""
from __future__ import annotations

from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: SecretStr | None = None
    # A local Bot API server, e.g. http://localhost:8081 (also how tests reach the fake Bot API).
    telegram_api_base_url: str | None = None
    database_url: str = f"sqlite:///{ROOT / 'moodtune.db'}"
    # Many copies (bot/roles.py): "webhook" (stores updates in the queue) or "worker" (handles them);
    # unset: one process does both. REDIS_URL: the queue and the limits the copies share.
    bot_role: Literal["webhook", "worker"] | None = None
    redis_url: str | None = None
    spotify_client_id: str | None = None
    spotify_client_secret: SecretStr | None = None
    poll_timeout: int = 30  # seconds one long-polling getUpdates may wait for news
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_listen: str = "0.0.0.0"
    port: int = 8443
    retention_days: int = 30
    log_level: str = "INFO"
    health_file: Path | None = None  # set: a heartbeat keeps it fresh (see bot/health.py)

    face_model_dir: Path = ROOT / "models" / "face_emotion"
    text_model_dir: Path = ROOT / "models" / "text_emotion"
    # Non-English text read by the multilingual-e5 head (about 175 MB more memory); off: English model only.
    text_multilingual_dir: Path | None = ROOT / "models" / "text_emotion_multilingual"
    inference_threads: int = 2  # bounded: one slow photo never takes every core
    torch_threads: int = 1  # per inference thread; threads x this ~ cores
    max_concurrent_updates: int = 256
    flood_burst: int = 20  # per user: this many updates at once, then...
    flood_per_second: float = 2.0  # ...this many per second
    telegram_rate_limit: float = 30.0  # whole bot, requests/s (Telegram's documented limit)
    # /history asked again within this, with no new reading, gets the chart already drawn (its points end
    # when it was drawn); 0: always drawn afresh
    history_chart_seconds: float = 60.0

    @field_validator("health_file", "text_multilingual_dir", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> Settings:
        if self.webhook_url and not self.webhook_secret:
            raise ValueError("WEBHOOK_URL is set but WEBHOOK_SECRET is not: webhook requests must be verified")
        return self

    @model_validator(mode="after")
    def _roles_need_a_queue(self) -> Settings:
        if self.bot_role and not self.redis_url:
            raise ValueError(f"BOT_ROLE={self.bot_role} needs REDIS_URL: the copies share a queue")
        if self.bot_role == "webhook" and not self.webhook_url:
            raise ValueError("BOT_ROLE=webhook needs WEBHOOK_URL (its path is where Telegram posts)")
        return self

    @property
    def webhook_secret_value(self) -> str:
        """The webhook's secret (the validator above makes it present whenever WEBHOOK_URL is set)."""
        return self.webhook_secret.get_secret_value() if self.webhook_secret else ""

    @property
    def webhook_path(self) -> str:
        return urlsplit(self.webhook_url or "").path.lstrip("/")
