"""Costs that don't grow with a user's past: bounded reads, batched deletes, one copy at a time, and
copies that start together on an empty database. SQLite, and PostgreSQL when TEST_POSTGRES_URL is set."""
from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import create_async_engine

from fusion.mood import SOURCES
from storage import ReadingSpan, Store
from storage.schema import readings
from storage.store import READING_SOURCES

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
HAPPY = {"happy": 0.7, "neutral": 0.3}


async def fill(url: str, user_id: int, n: int, source: str, start: datetime, every: timedelta) -> None:
    """n readings of one source, `every` apart from `start`, inserted in bulk behind the Store's back."""
    store = await Store.open(url)
    await store.set_consent(user_id, True)
    await store.close()
    engine = create_async_engine(url)
    rows = [dict(user_id=user_id, source=source, probs={"happy": 1.0}, confidence=0.9, at=start + i * every,
                 meta={}) for i in range(n)]
    async with engine.begin() as connection:
        await connection.execute(readings.insert(), rows)
    await engine.dispose()


async def count(url: str, user_id: int) -> int:
    engine = create_async_engine(url)
    async with engine.connect() as connection:
        n = (await connection.execute(select(func.count()).where(readings.c.user_id == user_id))).scalar_one()
    await engine.dispose()
    return n


def test_storage_knows_every_fusion_source():
    assert set(READING_SOURCES) == set(SOURCES)


async def test_recent_readings_reads_the_newest_few_of_each_source(store, url):
    await fill(url, 1, 500, "text", T0, timedelta(seconds=10))
    await fill(url, 1, 3, "face", T0, timedelta(minutes=1))
    await fill(url, 2, 10, "text", T0, timedelta(seconds=10))  # someone else's
    until = T0 + timedelta(hours=2)
    got = await store.recent_readings(1, T0 - timedelta(days=2), until, per_source=20)
    texts = [r for r in got if r.source == "text"]
    assert len(texts) == 20 and len([r for r in got if r.source == "face"]) == 3
    assert [r.at for r in texts] == [T0 + i * timedelta(seconds=10) for i in range(480, 500)]  # the newest
    assert [r.at for r in got] == sorted(r.at for r in got)  # oldest first overall


async def test_recent_readings_per_bucket_covers_each_stretch(store, url):
    await fill(url, 1, 24 * 60, "text", T0, timedelta(minutes=1))  # a reading a minute for a day
    got = await store.recent_readings(1, T0, T0 + timedelta(days=1), per_source=2, bucket=timedelta(hours=3))
    assert len(got) == 8 * 2
    # each 3 h stretch gives its newest two: minutes 178 and 179 of it
    assert [r.at for r in got][:4] == [T0 + timedelta(minutes=m) for m in (178, 179, 358, 359)]


async def newest_per_stretch(url: str, user_id: int, edges: list[datetime], per_source: int) -> list[int]:
    """The reference: one plain query per stretch and source (what the Store did before one statement)."""
    engine = create_async_engine(url)
    ids = []
    async with engine.connect() as connection:
        for lo, hi in zip(edges, edges[1:]):
            for source in READING_SOURCES:
                query = (select(readings.c.id).where(readings.c.user_id == user_id, readings.c.source == source,
                                                     readings.c.at >= lo, readings.c.at < hi)
                         .order_by(readings.c.at.desc(), readings.c.id.desc()).limit(per_source))
                ids.extend((await connection.execute(query)).scalars())
    await engine.dispose()
    return ids


async def test_recent_readings_in_one_statement_equal_a_query_per_stretch(store, url):
    rng = random.Random(27)
    engine = create_async_engine(url)
    await store.set_consent(1, True)
    await store.set_consent(2, True)
    # irregular times over three days, every source, some readings at the very same moment (ties go by id)
    moments = [T0 + timedelta(minutes=rng.randrange(3 * 24 * 60)) for _ in range(1500)]
    rows = [dict(user_id=rng.choice((1, 1, 1, 2)), source=rng.choice(READING_SOURCES), probs={"sad": 1.0},
                 confidence=0.5, at=rng.choice(moments), meta={}) for _ in range(3000)]
    async with engine.begin() as connection:
        await connection.execute(readings.insert(), rows)
    await engine.dispose()
    since, until, step = T0 + timedelta(hours=5), T0 + timedelta(days=3), timedelta(hours=3)
    got = await store.recent_readings(1, since, until, per_source=4, bucket=step)
    edges = [since + i * step for i in range(23)] + [until + timedelta(microseconds=1)]
    expected = await newest_per_stretch(url, 1, edges, 4)
    assert len(got) == len(expected) > 200
    assert sorted(r.id for r in got) == sorted(expected)
    assert [(r.at, r.id) for r in got] == sorted((r.at, r.id) for r in got)


async def test_the_reading_span_is_the_users_row_and_first_and_last_reading(store):
    assert await store.reading_span(1) == ReadingSpan(None, None, None)
    await store.set_consent(1, True)
    created = (await store.get_user(1)).created_at
    oldest = await store.add_reading(1, "text", HAPPY, 0.5, T0)
    newest = await store.add_reading(1, "face", HAPPY, 0.5, T0 + timedelta(minutes=1))
    await store.add_reading(2, "face", HAPPY, 0.5, T0 + timedelta(hours=1))  # someone else's
    assert await store.reading_span(1) == ReadingSpan(created, (oldest, T0), (newest, T0 + timedelta(minutes=1)))


async def test_add_reading_and_read_caps_what_it_reads(store, url):
    await fill(url, 1, 300, "text", T0, timedelta(seconds=1))
    new_id, got = await store.add_reading_and_read(1, "face", HAPPY, 0.8, T0 + timedelta(hours=1),
                                                   since=T0 - timedelta(days=2), per_source=10)
    assert len(got) == 11 and got[-1].id == new_id


async def test_purge_and_forget_go_in_batches_and_miss_nothing(store, url):
    await fill(url, 1, 23, "text", T0 - timedelta(days=40), timedelta(days=1))  # 10 older than 30 days
    await fill(url, 2, 7, "face", T0, timedelta(minutes=1))
    assert await store.purge_readings_before(T0 - timedelta(days=30), batch=3) == 10
    assert await count(url, 1) == 13
    assert await store.forget(1, batch=4) == 13 + 1  # the readings and the user row
    assert await count(url, 1) == 0 and await count(url, 2) == 7


async def test_one_copy_at_a_time_holds_a_job(url):
    first, second = await Store.open(url), await Store.open(url)
    try:
        async with first.exclusive("retention") as mine, second.exclusive("retention") as theirs:
            assert mine
            assert theirs == (first.dialect == "sqlite")  # SQLite: one process's database, no lock needed
        async with second.exclusive("retention") as theirs:
            assert theirs  # released when the holder's block ended
    finally:
        await first.close()
        await second.close()


async def test_copies_starting_together_on_an_empty_database_all_start(url):
    if url.startswith("sqlite"):
        pytest.skip("SQLite's BEGIN IMMEDIATE serialises copies; the race was PostgreSQL's")
    stores = await asyncio.gather(*(Store.open(url) for _ in range(4)))
    try:
        await stores[0].set_consent(1, True)
        assert (await stores[3].get_user(1)) is not None
    finally:
        await asyncio.gather(*(s.close() for s in stores))


async def test_what_the_bot_awaits_is_answered_once_by_any_copy(url):
    first, second = await Store.open(url), await Store.open(url)
    try:
        assert await second.take_awaiting(5) is None  # nothing asked (no such user)
        await first.set_awaiting(5, "prefs")
        assert await second.take_awaiting(5) == "prefs"
        assert await first.take_awaiting(5) is None
    finally:
        await first.close()
        await second.close()
