"""Liveness for containers: a JobQueue heartbeat touches HEALTH_FILE after a database round trip;
`python -m bot.health` exits 0 only if that happened recently (the Dockerfile's HEALTHCHECK)."""
from __future__ import annotations

import asyncio
import sys
import time
from datetime import timedelta
from pathlib import Path

from bot.context import Context
from bot.settings import Settings

BEAT_EVERY = timedelta(seconds=30)
STALE_AFTER = 4 * BEAT_EVERY.total_seconds()


async def beat(context: Context) -> None:
    """The event loop and JobQueue run and the database answers: say so."""
    await context.bot_data.service.store.get_user(0)
    if context.bot_data.config.health_file is not None:  # the job runs only when it is set
        await asyncio.to_thread(Path(context.bot_data.config.health_file).touch)


def healthy(path: Path, now: float | None = None) -> bool:
    try:
        return (now or time.time()) - path.stat().st_mtime < STALE_AFTER
    except FileNotFoundError:
        return False


if __name__ == "__main__":
    health_file = Settings().health_file
    sys.exit(0 if health_file and healthy(Path(health_file)) else 1)
