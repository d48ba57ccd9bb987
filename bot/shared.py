"""Limits that every copy of the bot shares: Telegram's send budget and the per-user flood limit; and,
with Redis, a cache of Spotify's search results (`shared_cache`).

Each limit is GCRA (the generic cell rate algorithm: one "theoretical arrival time" per limit), with an
optional pause that a 429's retry_after sets for everyone. With REDIS_URL the state lives in Redis and
each check is one atomic Lua script, so N copies together stay within one budget; without it (the
single process of `make run`) the same arithmetic runs in memory and Redis is never imported.
"""
from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from typing import Any, Protocol

# KEYS: the limit's arrival time, its pause, its "already warned" flag. ARGV: interval (s), burst,
# warn_once ("1"/"0"). Returns {wait in seconds as a string, 1 if this is the first refusal}.
_TAKE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local paused = tonumber(redis.call('GET', KEYS[2]) or '0')
if paused > now then return {string.format('%.6f', paused - now), 0} end
local interval, burst = tonumber(ARGV[1]), tonumber(ARGV[2])
local tat = math.max(tonumber(redis.call('GET', KEYS[1]) or '0'), now)
local wait = tat - now - (burst - 1) * interval
if wait > 0 then
  local first = 0
  if ARGV[3] == '1' and redis.call('SET', KEYS[3], '1', 'NX', 'PX', math.ceil(wait * 1000) + 60000) then first = 1 end
  return {string.format('%.6f', wait), first}
end
tat = tat + interval
redis.call('SET', KEYS[1], string.format('%.6f', tat), 'PX', math.ceil((tat - now) * 1000) + 1000)
if ARGV[3] == '1' then redis.call('DEL', KEYS[3]) end
return {'0', 0}
"""
# KEYS: the pause. ARGV: seconds. Extends the pause, never shortens it.
_PAUSE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local ends = now + tonumber(ARGV[1])
if ends > tonumber(redis.call('GET', KEYS[1]) or '0') then
  redis.call('SET', KEYS[1], string.format('%.6f', ends), 'PX', math.ceil(tonumber(ARGV[1]) * 1000) + 1000)
end
return 1
"""
# KEYS: the pause. Seconds left of it (by the server's clock), 0 when none.
_PAUSED_FOR = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
return string.format('%.6f', math.max(0, tonumber(redis.call('GET', KEYS[1]) or '0') - now))
"""
PREFIX = "moodtune:limit:"
CACHE_PREFIX = "moodtune:cache:"


@dataclass(frozen=True)
class Taken:
    wait: float  # 0: allowed (and counted); else seconds until it would be
    first_refusal: bool = False  # warn_once: refused, and the first refusal since the last allowed one


class Limits(Protocol):
    async def take(self, name: str, rate: float, burst: int, *, warn_once: bool = False) -> Taken: ...
    async def pause(self, name: str, seconds: float) -> None: ...
    async def paused_for(self, name: str) -> float: ...
    def shared_cache(self, name: str) -> RedisCache | None: ...
    async def close(self) -> None: ...


class LocalLimits:
    """The limits of one process, in memory: the same GCRA as the Redis script."""

    def __init__(self) -> None:
        self._arrival: dict[str, float] = {}
        self._paused: dict[str, float] = {}
        self._warned: set[str] = set()

    async def take(self, name: str, rate: float, burst: int, *, warn_once: bool = False) -> Taken:
        now = time.monotonic()
        if (paused := self._paused.get(name, 0.0)) > now:
            return Taken(paused - now)
        interval = 1 / rate
        arrival = max(self._arrival.get(name, 0.0), now)
        wait = arrival - now - (burst - 1) * interval
        if wait > 0:
            first = warn_once and name not in self._warned
            if warn_once:
                self._warned.add(name)
            return Taken(wait, first)
        self._arrival[name] = arrival + interval
        self._warned.discard(name)
        if len(self._arrival) > 100_000:  # forget limits back at rest: they equal fresh ones
            self._arrival = {k: v for k, v in self._arrival.items() if v > now}
        return Taken(0.0)

    async def pause(self, name: str, seconds: float) -> None:
        self._paused[name] = max(self._paused.get(name, 0.0), time.monotonic() + seconds)

    async def paused_for(self, name: str) -> float:
        return max(0.0, self._paused.get(name, 0.0) - time.monotonic())

    def shared_cache(self, name: str) -> RedisCache | None:
        return None  # one process: its own caches are all there is

    async def close(self) -> None:
        pass


class RedisLimits:
    """The limits of every copy, in Redis (redis-py's asyncio client; the clock is the server's)."""

    def __init__(self, url: str) -> None:
        import redis.asyncio  # only when REDIS_URL is set: `make run` needs no Redis

        self._redis: Any = redis.asyncio.from_url(url)
        self._take = self._redis.register_script(_TAKE)
        self._pause = self._redis.register_script(_PAUSE)
        self._paused_for = self._redis.register_script(_PAUSED_FOR)

    async def take(self, name: str, rate: float, burst: int, *, warn_once: bool = False) -> Taken:
        key = PREFIX + name
        wait, first = await self._take(keys=[key, key + ":paused", key + ":warned"],
                                       args=[repr(1 / rate), burst, "1" if warn_once else "0"])
        return Taken(float(wait), bool(first))

    async def pause(self, name: str, seconds: float) -> None:
        await self._pause(keys=[PREFIX + name + ":paused"], args=[repr(float(seconds))])

    async def paused_for(self, name: str) -> float:
        return float(await self._paused_for(keys=[PREFIX + name + ":paused"]))

    def shared_cache(self, name: str) -> RedisCache:
        return RedisCache(self._redis, name)

    async def close(self) -> None:
        await self._redis.aclose()


class RedisCache:
    """Values every copy shares for a while (music.spotify.SharedCache), under hashed keys: a search
    query can hold an artist from someone's /prefs."""

    def __init__(self, redis: Any, name: str) -> None:
        self._redis, self._name = redis, name

    def _key(self, key: str) -> str:
        return f"{CACHE_PREFIX}{self._name}:{hashlib.sha256(key.encode()).hexdigest()}"

    async def get(self, key: str) -> bytes | None:
        value: bytes | None = await self._redis.get(self._key(key))
        return value

    async def put(self, key: str, value: bytes, ttl: float) -> None:
        await self._redis.set(self._key(key), value, px=max(1, round(ttl * 1000)))


@dataclass(frozen=True)
class NamedPause:
    """One named pause of the shared limits, e.g. Spotify's 429 (music.spotify.SharedPause)."""

    limits: Limits
    name: str

    async def paused_for(self) -> float:
        return await self.limits.paused_for(self.name)

    async def pause(self, seconds: float) -> None:
        await self.limits.pause(self.name, seconds)


def open_limits(redis_url: str | None) -> Limits:
    return RedisLimits(redis_url) if redis_url else LocalLimits()

