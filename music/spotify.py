"""Live Spotify search with client credentials, built never to hold up a reply.

spotipy is synchronous and would sleep through a 429's Retry-After (which can be an hour), so
it runs in a thread on a plain requests session (no urllib3 retries: a 429 reaches us with its
Retry-After header), behind a TTL cache, a rate-limit window and a circuit breaker. The caller
waits at most its deadline; a late answer still fills the cache for the next request. Copies of the bot
share a 429's pause and, when given one, a cache of results (`SharedPause`, `SharedCache`: Redis).
"""
from __future__ import annotations

import asyncio
import functools
import json
import logging
import os
import threading
import time
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import requests
import spotipy
from spotipy.cache_handler import MemoryCacheHandler
from spotipy.exceptions import SpotifyException, SpotifyOauthError
from spotipy.oauth2 import SpotifyClientCredentials

from music.catalog import PlaylistLink, Track

log = logging.getLogger(__name__)
# spotipy's debug log prints the Basic auth header (our secret); its error log duplicates ours.
logging.getLogger("spotipy").setLevel(logging.CRITICAL)

TOKEN_URL = SpotifyClientCredentials.OAUTH_TOKEN_URL
API_URL = "https://api.spotify.com/v1/"
PAGE = 10  # Spotify's search page limit for new apps
BAD_CREDENTIALS = frozenset({"invalid_client", "unauthorized_client"})
DEFAULT_RETRY_AFTER = 30.0


@dataclass(frozen=True)
class LiveResults:
    tracks: tuple[Track, ...]
    playlists: tuple[PlaylistLink, ...]


def parse_search(data: Mapping[str, Any] | None) -> LiveResults:
    """Tracks and playlists of one search page; Spotify sends null items for removed playlists."""
    data = data or {}
    tracks = tuple(
        Track(id=t["id"], name=t.get("name", ""), artists=tuple(a["name"] for a in t.get("artists") or () if a),
              popularity=int(t.get("popularity") or 0), explicit=bool(t.get("explicit")))
        for t in (data.get("tracks") or {}).get("items") or () if t and t.get("id"))
    playlists = tuple(
        PlaylistLink(id=p["id"], name=p.get("name", ""), hint="search", source="spotify")
        for p in (data.get("playlists") or {}).get("items") or () if p and p.get("id"))
    return LiveResults(tracks, playlists)


class SharedPause(Protocol):
    """Where copies of the bot tell each other that Spotify said 429 (the bot keeps it in Redis)."""

    async def paused_for(self) -> float: ...  # seconds left; 0 when not paused
    async def pause(self, seconds: float) -> None: ...


class SharedCache(Protocol):
    """Where copies of the bot share search results for a while (the bot keeps them in Redis)."""

    async def get(self, key: str) -> bytes | None: ...
    async def put(self, key: str, value: bytes, ttl: float) -> None: ...


def encoded(results: LiveResults) -> bytes:
    """What `parse_search` kept of a search page, as JSON (for the shared cache)."""
    return json.dumps({"tracks": [[t.id, t.name, list(t.artists), t.popularity, t.explicit] for t in results.tracks],
                       "playlists": [[p.id, p.name] for p in results.playlists]}).encode()


def decoded(value: bytes) -> LiveResults:
    data = json.loads(value)
    return LiveResults(
        tuple(Track(id=id_, name=name, artists=tuple(artists), popularity=popularity, explicit=explicit)
              for id_, name, artists, popularity, explicit in data["tracks"]),
        tuple(PlaylistLink(id=id_, name=name, hint="search", source="spotify") for id_, name in data["playlists"]))


class SpotifyClient:
    def __init__(self, client_id: str, client_secret: str, *, api_url: str = API_URL, token_url: str = TOKEN_URL,
                 timeout: float = 3.0, cache_ttl: float = 1800.0, cache_size: int = 512,
                 failures_to_open: int = 3, open_for: float = 60.0, clock: Callable[[], float] = time.monotonic,
                 shared_pause: SharedPause | None = None, shared_cache: SharedCache | None = None):
        session = requests.Session()  # plain: no retry adapter, see the module docstring
        auth = SpotifyClientCredentials(client_id, client_secret, requests_session=session,
                                        requests_timeout=timeout, cache_handler=MemoryCacheHandler())
        auth.OAUTH_TOKEN_URL = token_url
        self._spotify = spotipy.Spotify(auth_manager=auth, requests_session=session, requests_timeout=timeout,
                                        retries=0, status_retries=0)
        self._spotify.prefix = api_url
        self._ttl, self._cache_size = cache_ttl, cache_size
        self._failures_to_open, self._open_for, self._clock = failures_to_open, open_for, clock
        self._cache: dict[str, tuple[float, LiveResults]] = {}
        self._lock = threading.Lock()
        self._inflight: dict[str, asyncio.Future[LiveResults | None]] = {}
        self._failures = 0
        self._closed_until = 0.0  # no calls before this (rate limit or open breaker)
        self._credentials_ok = True
        self._lagging = False  # a search is running past its caller's deadline
        self._shared = shared_pause
        self._shared_cache = shared_cache
        self._to_share = 0.0  # a 429's Retry-After not yet told to the other copies
        self._sharing: set[asyncio.Task[None]] = set()

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ, **kwargs: Any) -> SpotifyClient | None:
        """A client if SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET are set, else None (offline only)."""
        client_id, secret = environ.get("SPOTIFY_CLIENT_ID"), environ.get("SPOTIFY_CLIENT_SECRET")
        return cls(client_id, secret, **kwargs) if client_id and secret else None

    @property
    def state(self) -> str:
        """"ok", "paused" (rate-limited or breaker open) or "bad-credentials"."""
        if not self._credentials_ok:
            return "bad-credentials"
        return "ok" if self._clock() >= self._closed_until else "paused"

    async def search(self, query: str, deadline: float) -> LiveResults | None:
        """Cached results, or a live search if it answers within `deadline` s; None otherwise."""
        cached = self._cached(query)
        if cached is None and self._shared_cache is not None:
            cached = await self._shared_result(self._shared_cache, query)
        if cached is None and self._shared is not None and self.state == "ok" and (
                left := await self._shared.paused_for()) > 0:
            with self._lock:  # another copy was told 429: it holds for this one too
                self._closed_until = max(self._closed_until, self._clock() + left)
        if cached is not None or self.state != "ok" or self._lagging:
            return cached  # while a search overruns its deadline, nobody else waits on Spotify
        loop = asyncio.get_running_loop()
        future = self._inflight.get(query)
        if future is None or future.get_loop() is not loop:
            future = self._inflight[query] = loop.create_task(asyncio.to_thread(self.search_now, query))
            future.add_done_callback(functools.partial(self._landed, query))
        done, _ = await asyncio.wait({future}, timeout=deadline)
        if not done:
            self._lagging = True  # cleared when that search ends, either way
            return None
        result: LiveResults | None = future.result()
        return result

    @staticmethod
    async def _shared_result(cache: SharedCache, query: str) -> LiveResults | None:
        """Another copy's results for the query, if it has any; never an error (Redis down: None)."""
        try:
            value = await cache.get(query)
            return decoded(value) if value is not None else None
        except Exception as error:  # Redis down or odd data: the shared cache only ever saves a search
            log.info("shared Spotify cache unavailable (%s)", type(error).__name__)
            return None

    def _landed(self, query: str, future: asyncio.Future[LiveResults | None]) -> None:
        if self._inflight.get(query) is future:
            del self._inflight[query]
        with self._lock:
            wait, self._to_share = self._to_share, 0.0
        # On the event loop now: tell the other copies of a 429, and give them what was found.
        if wait > 0 and self._shared is not None:
            self._share(future, self._shared.pause(wait))
        if self._shared_cache is not None and not future.cancelled() and future.exception() is None \
                and (results := future.result()) is not None:
            self._share(future, self._shared_cache.put(query, encoded(results), self._ttl))

    def _share(self, future: asyncio.Future[LiveResults | None], telling: Coroutine[Any, Any, None]) -> None:
        task = future.get_loop().create_task(telling)
        self._sharing.add(task)
        task.add_done_callback(self._told)

    def _told(self, task: asyncio.Task[None]) -> None:
        self._sharing.discard(task)
        if not task.cancelled() and (error := task.exception()) is not None:
            log.info("could not tell the other copies (%s)", type(error).__name__)

    def search_now(self, query: str) -> LiveResults | None:
        """One blocking search (run it in a thread); failures are recorded, never raised."""
        try:
            return self._search(query)
        finally:
            self._lagging = False

    def _search(self, query: str) -> LiveResults | None:
        try:
            results = parse_search(self._spotify.search(q=query, limit=PAGE, type="track,playlist"))
        except SpotifyOauthError as error:
            if error.error in BAD_CREDENTIALS:
                self._reject_credentials()
            else:
                self._failed(f"token endpoint: {error.error}")
            return None
        except SpotifyException as error:
            if error.http_status == 429:
                self._rate_limited(error.headers or {})
            else:
                self._failed(f"HTTP {error.http_status}")
            return None
        except (requests.RequestException, ValueError, KeyError, TypeError) as error:  # network or odd payload
            self._failed(type(error).__name__)
            return None
        with self._lock:
            self._failures = 0
            self._cache[query] = (self._clock() + self._ttl, results)
            while len(self._cache) > self._cache_size:
                self._cache.pop(next(iter(self._cache)))  # oldest first
        return results

    def _cached(self, query: str) -> LiveResults | None:
        with self._lock:
            hit = self._cache.get(query)
            if hit and hit[0] > self._clock():
                return hit[1]
            self._cache.pop(query, None)
            return None

    def _reject_credentials(self) -> None:
        with self._lock:
            if self._credentials_ok:
                log.error("Spotify rejected SPOTIFY_CLIENT_ID/SPOTIFY_CLIENT_SECRET; using the offline catalog only")
            self._credentials_ok = False

    def _rate_limited(self, headers: Mapping[str, str]) -> None:
        try:
            wait = float(headers.get("Retry-After", DEFAULT_RETRY_AFTER))
        except ValueError:
            wait = DEFAULT_RETRY_AFTER
        with self._lock:
            self._closed_until = max(self._closed_until, self._clock() + wait)
            self._to_share = max(self._to_share, wait)
        log.warning("Spotify rate limit: pausing live search for %.0f s (offline picks meanwhile)", wait)

    def _failed(self, what: str) -> None:
        with self._lock:
            self._failures += 1
            opened = self._failures >= self._failures_to_open
            if opened:
                self._closed_until = max(self._closed_until, self._clock() + self._open_for)
        if opened:
            log.warning("Spotify search failing (%s, %d in a row): offline only for %.0f s",
                        what, self._failures, self._open_for)
        else:
            log.info("Spotify search failed (%s)", what)
