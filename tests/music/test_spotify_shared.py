"""Copies of the bot share Spotify: a 429 one of them got pauses every copy's live search (SharedPause), and
one copy's search results serve the others (SharedCache)."""
from __future__ import annotations

import asyncio

import pytest

from music import Recommender
from music.spotify import decoded, encoded, parse_search
from playground.spotify import FakeSpotify

SAD = {"sad": 1.0}
WAIT = 10.0


class Pause:
    """What the copies share (in the bot: Redis, bot/shared.py)."""

    def __init__(self) -> None:
        self.left = 0.0
        self.told = asyncio.Event()

    async def paused_for(self) -> float:
        return self.left

    async def pause(self, seconds: float) -> None:
        self.left = max(self.left, seconds)
        self.told.set()


@pytest.fixture
def fake():
    with FakeSpotify() as server:
        yield server


async def test_one_copys_429_pauses_the_others(catalog, fake):
    shared = Pause()
    first = Recommender(catalog, spotify=fake.client(shared_pause=shared))
    now = [1000.0]
    second = Recommender(catalog, spotify=fake.client(shared_pause=shared, clock=lambda: now[0]))
    fake.mode, fake.retry_after = "rate-limited", 120
    assert (await first.recommend_live(SAD, deadline=WAIT)).source == "offline"
    await asyncio.wait_for(shared.told.wait(), WAIT)
    assert shared.left == 120
    fake.mode = "ok"
    assert (await second.recommend_live(SAD, deadline=WAIT)).source == "offline"
    assert len(fake.searches) == 1, "the other copy did not call Spotify inside the Retry-After window"
    now[0] += 121  # the window has passed, for everyone
    shared.left = 0.0
    assert (await second.recommend_live(SAD, deadline=WAIT)).source == "offline+spotify"


class Cache:
    """What the copies share (in the bot: Redis, bot/shared.py)."""

    def __init__(self) -> None:
        self.values: dict[str, bytes] = {}
        self.filled = asyncio.Event()

    async def get(self, key: str) -> bytes | None:
        return self.values.get(key)

    async def put(self, key: str, value: bytes, ttl: float) -> None:
        self.values[key] = value
        self.filled.set()


async def test_one_copys_search_serves_the_others_from_the_shared_cache(catalog, fake):
    shared = Cache()
    first = Recommender(catalog, spotify=fake.client(shared_cache=shared))
    second = Recommender(catalog, spotify=fake.client(shared_cache=shared))
    found = await first.recommend_live(SAD, deadline=WAIT)
    assert found.source == "offline+spotify"
    await asyncio.wait_for(shared.filled.wait(), WAIT)
    searches = len(fake.searches)
    again = await second.recommend_live(SAD, deadline=WAIT)
    assert again.source == "offline+spotify" and len(fake.searches) == searches, "served without calling Spotify"
    assert again.playlist == found.playlist


async def test_a_broken_shared_cache_only_costs_the_saving(catalog, fake):
    class Down(Cache):
        async def get(self, key: str) -> bytes | None:
            raise ConnectionError("redis is down")

    assert (await Recommender(catalog, spotify=fake.client(shared_cache=Down())).recommend_live(
        SAD, deadline=WAIT)).source == "offline+spotify"


def test_shared_results_read_back_as_searched(fake):
    page = {"tracks": {"items": [{"id": "t" * 22, "name": "Song", "artists": [{"name": "A"}, {"name": "B"}],
                                  "popularity": 40, "explicit": True}, None]},
            "playlists": {"items": [None, {"id": "p" * 22, "name": "Sad songs"}]}}
    assert decoded(encoded(parse_search(page))) == parse_search(page)
