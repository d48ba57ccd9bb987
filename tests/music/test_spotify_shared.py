"""A 429 that one copy of the bot got from Spotify pauses every copy's live search (SharedPause)."""
from __future__ import annotations

import asyncio

import pytest

from music import Recommender
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
