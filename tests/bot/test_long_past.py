"""A user with a long past: /mood and /history answer from a bounded sample of it, never all of it."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from bot import service as service_module
from bot.service import HISTORY_PER_STEP, HORIZON, MOOD_PER_SOURCE, Service
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


@pytest.fixture
def clock(monkeypatch):
    """The service's clock, set by the test."""
    times = [datetime.now(UTC)]
    monkeypatch.setattr(service_module, "now", lambda: times[-1])
    return times


def another_copy(service: Service) -> Service:
    """A second copy of the bot's service on the same database, with nothing kept in memory."""
    return Service(service.models, service.store, service.recommender, threads=1)


async def test_a_history_after_a_new_reading_works_out_only_its_newest_points(bot, clock, monkeypatch):
    await bot.consented_user(USER)
    await fill(bot.app.bot_data.config.database_url, 2_000)
    service = bot.service
    await service.history(USER)
    clock.append(clock[-1] + timedelta(minutes=10))
    await service.store.add_reading(USER, "face", {"happy": 0.9, "neutral": 0.1}, 0.9, clock[-1])
    since: list[datetime] = []
    sample = service.store.recent_readings

    async def recorded(user_id, start, *args, **kwargs):
        since.append(start)
        return await sample(user_id, start, *args, **kwargs)

    monkeypatch.setattr(service.store, "recent_readings", recorded)
    again = await service.history(USER)
    assert since[0] >= clock[-1] - HORIZON - timedelta(hours=3), "only the stretches of the newest points"
    assert again == await another_copy(service).history(USER), "the same points as worked out afresh"
    assert again[-1][0] == clock[-1]


async def test_a_forget_in_another_copy_leaves_no_kept_point_behind(bot, clock):
    user = await bot.consented_user(USER)
    await fill(bot.app.bot_data.config.database_url, 2_000)
    other = another_copy(bot.service)
    assert sum(shown.enough_evidence for _, shown in await other.history(USER)) > 50
    await user.ask("/forget")
    confirm = bot.api.sent()[-1]
    await user.press(confirm, "Yes, erase everything")
    await user.wait_for(lambda calls: any("Done" in (c.text or "") for c in calls))
    await bot.service.store.set_consent(USER, True)
    clock.append(clock[-1] + timedelta(minutes=1))
    await bot.service.store.add_reading(USER, "face", {"happy": 0.9, "neutral": 0.1}, 0.9, clock[-1])
    points = await other.history(USER)
    assert [at for at, shown in points if shown.enough_evidence] == [clock[-1]]
