"""A user with a long past: /mood and /history answer from a bounded sample of it, never all of it."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import create_async_engine

from bot.service import HISTORY_PER_STEP, MOOD_PER_SOURCE
from storage.schema import readings

USER = 90
MANY = 20_000


async def fill(database_url: str, n: int) -> None:
    engine = create_async_engine(database_url.replace("sqlite:///", "sqlite+aiosqlite:///"))
    now, every = datetime.now(UTC), timedelta(days=7) / n
    rows = [dict(user_id=USER, source="text" if i % 2 else "face", probs={"sad": 0.9, "neutral": 0.1},
                 confidence=0.9, at=now - i * every, meta={}) for i in range(n)]
    async with engine.begin() as connection:
        await connection.execute(readings.insert(), rows)
    await engine.dispose()


async def test_mood_and_history_read_a_bounded_sample_of_a_long_past(bot, monkeypatch):
    user = await bot.consented_user(USER)
    store = bot.service.store
    await fill(bot.app.bot_data.config.database_url, MANY)
    read: list[int] = []
    sample = store.recent_readings

    async def counted(*args, **kwargs):
        rows = await sample(*args, **kwargs)
        read.append(len(rows))
        return rows

    async def everything(*args, **kwargs):
        raise AssertionError("a reply read the user's whole past")

    monkeypatch.setattr(store, "recent_readings", counted)
    monkeypatch.setattr(store, "readings", everything)

    mood = await user.ask("/mood")
    assert mood.method == "sendPhoto" and "sad" in mood.params["caption"].lower()
    history = await user.ask("/history")
    assert history.method == "sendPhoto"
    assert read[0] <= 3 * MOOD_PER_SOURCE
    assert read[1] <= 3 * HISTORY_PER_STEP * (9 * 8 + 1)  # 3-hour steps over the week and the window before it
