"""Live Spotify behaviour against a fake Web API on 127.0.0.1 (token endpoint + search)."""
import asyncio
import logging
from urllib.parse import parse_qs, urlparse

import pytest

from music import Preferences, Recommender, SpotifyClient
from playground.spotify import CLIENT_SECRET, FakeSpotify

SAD = {"sad": 1.0}
WAIT = 10.0  # generous: these tests are about what comes back, not how fast (a loaded CI box)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def fake():
    with FakeSpotify() as server:
        yield server


@pytest.fixture
def clock():
    return Clock()


def live(catalog, client):
    return Recommender(catalog, spotify=client)


async def test_search_results_join_the_offline_picks(catalog, fake, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    hindi = Preferences(languages=frozenset({"hindi"}))
    rec = await live(catalog, fake.client()).recommend_live(SAD, deadline=WAIT, prefs=hindi)
    assert rec.source == "offline+spotify" and len(rec.picks) == 8
    assert [p.track.id for p in rec.picks[-2:]] == ["live000000000000000001", "live000000000000000002"]
    assert "found on Spotify" in rec.picks[-1].reason
    assert rec.playlist.id == "livePlaylist0000000001" and rec.playlist.source == "spotify"
    params = parse_qs(urlparse(fake.searches[0]).query)
    assert params["q"] == ["sad hindi"] and params["limit"] == ["10"] and params["type"] == ["track,playlist"]
    assert not (tmp_path / ".cache").exists(), "tokens stay in memory"


async def test_null_items_and_disallowed_explicit_tracks_are_dropped(catalog, fake):
    rec = await live(catalog, fake.client()).recommend_live(SAD, deadline=WAIT, prefs=Preferences(explicit=False))
    live_ids = [p.track.id for p in rec.picks if p.track.id.startswith("live")]
    assert live_ids == ["live000000000000000001", "live000000000000000003"]
    assert all(not p.track.explicit for p in rec.picks)
    assert rec.playlist.source == "curated", "no preferences: the curated mood playlist stays"


async def test_results_are_cached(catalog, fake, clock):
    recommender = live(catalog, fake.client(clock=clock, cache_ttl=60))
    first = await recommender.recommend_live(SAD, deadline=WAIT)
    second = await recommender.recommend_live(SAD, deadline=WAIT)
    assert first == second and len(fake.searches) == 1
    clock.now += 61
    await recommender.recommend_live(SAD, deadline=WAIT)
    assert len(fake.searches) == 2, "expired entries are fetched again"


async def test_rate_limit_honours_retry_after_without_blocking(catalog, fake, clock, caplog):
    fake.mode, fake.retry_after = "rate-limited", 120
    client = fake.client(clock=clock)
    recommender = live(catalog, client)
    rec = await recommender.recommend_live(SAD, deadline=WAIT)
    assert rec.source == "offline" and len(rec.picks) == 8
    assert client.state == "paused" and "pausing live search for 120 s" in caplog.text
    fake.mode = "ok"
    clock.now += 100
    assert (await recommender.recommend_live(SAD, deadline=WAIT)).source == "offline"
    assert len(fake.searches) == 1, "no calls inside the Retry-After window"
    clock.now += 21
    assert (await recommender.recommend_live(SAD, deadline=WAIT)).source == "offline+spotify"


async def test_server_errors_open_the_circuit_breaker(catalog, fake, clock):
    fake.mode = "error"
    client = fake.client(clock=clock, failures_to_open=3, open_for=60)
    recommender = live(catalog, client)
    for _ in range(5):
        assert (await recommender.recommend_live(SAD, deadline=WAIT)).source == "offline"
    assert len(fake.searches) == 3 and client.state == "paused"
    fake.mode = "ok"
    clock.now += 61  # half-open: one trial call, and success closes it
    assert (await recommender.recommend_live(SAD, deadline=WAIT)).source == "offline+spotify"
    assert client.state == "ok"


async def test_slow_search_misses_the_deadline_but_fills_the_cache(catalog, fake):
    fake.mode, fake.delay = "slow", 0.5
    recommender = live(catalog, fake.client(timeout=3))
    assert (await recommender.recommend_live(SAD, deadline=0.05)).source == "offline"
    sources = []
    for _ in range(200):  # later requests don't wait on Spotify while it lags; the late answer is cached
        sources.append((await recommender.recommend_live(SAD, deadline=0.05)).source)
        if sources[-1] != "offline":
            break
        await asyncio.sleep(0.05)
    assert sources[0] == "offline" and sources[-1] == "offline+spotify"
    assert len(fake.searches) == 1, "one search, shared"


async def test_request_timeouts_count_as_failures(catalog, fake, clock):
    fake.mode, fake.delay = "slow", 1.0
    client = fake.client(timeout=0.2, clock=clock, failures_to_open=1)
    assert await client.search("sad", deadline=5) is None
    assert client.state == "paused"


async def test_bad_credentials_fall_back_offline_with_one_log_line(catalog, fake, caplog):
    client = fake.client(client_secret="wrong")
    recommender = live(catalog, client)
    with caplog.at_level(logging.DEBUG):
        for _ in range(3):
            assert (await recommender.recommend_live(SAD, deadline=WAIT)).source == "offline"
    assert client.state == "bad-credentials"
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and "rejected" in errors[0].getMessage()
    assert "wrong" not in caplog.text and CLIENT_SECRET not in caplog.text
    assert fake.searches == []


def test_no_credentials_means_no_client():
    assert SpotifyClient.from_env({}) is None
    assert SpotifyClient.from_env({"SPOTIFY_CLIENT_ID": "a", "SPOTIFY_CLIENT_SECRET": "b"}) is not None


async def test_malformed_search_payload_counts_as_a_failure(catalog, fake):
    fake.tracks = [{"id": "x" * 22, "artists": [{"no-name": True}]}]
    client = fake.client()
    assert (await live(catalog, client).recommend_live(SAD, deadline=WAIT)).source == "offline"


async def test_a_language_with_no_music_offline_is_searched_live_and_the_note_says_so(catalog, fake):
    fake.tracks = [{"id": f"live{i:018d}", "name": f"Malayalam song {i}", "artists": [{"name": f"Singer {i}"}],
                    "popularity": 50, "explicit": False} for i in range(1, 11)]
    malayalam = Preferences(languages=frozenset({"malayalam"}))
    offline = live(catalog, None).recommend(SAD, prefs=malayalam)
    assert offline.fallback >= 6 and "in other languages" in offline.note
    rec = await live(catalog, fake.client()).recommend_live(SAD, deadline=WAIT, prefs=malayalam)
    searched = [p for p in rec.picks if p.track.id.startswith("live")]
    assert rec.source == "offline+spotify" and len(rec.picks) == 8
    assert len(searched) == offline.fallback, "the searched songs replace the other-language ones"
    assert rec.picks[:8 - len(searched)] == offline.picks[:8 - len(searched)]
    assert rec.note == (f"{offline.shortage}, so {len(searched)} of these are from a live Spotify search for "
                        "\u201csad malayalam\u201d.")
    assert parse_qs(urlparse(fake.searches[0]).query)["q"] == ["sad malayalam"]
