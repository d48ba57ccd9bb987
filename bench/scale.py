"""`make bench-scale`: the scaled-out bot (issue #27's targets), on PostgreSQL and Redis on loopback.

cluster: 1 webhook + 1, 2, 3 workers (`python bot.py` processes) against the fake Bot API, which posts
   each user's burst of selfies and /help to the webhook. Reports selfies/s, whether every update was
   answered exactly once and in order per user, the most sends in any one-second window (Telegram's
   budget is 30/s for the whole bot), and, with 3 workers, the same after a kill -9 of one worker
   in the middle of a burst.
growth: one process (the Application in-process), one user with 100 and then 100,000 readings over
   the last week asking /history all the while: their /history p95, and other users' text p95. The bot
   keeps a user's chart a minute while no reading comes in, so all but the first /history get it;
   --fresh-charts draws every one (what a /history after a new reading costs).

    python -m bench.scale [--part cluster|growth|all] [--postgres URL] [--redis URL] [--readings N] [--fresh-charts]
(URLs default to TEST_POSTGRES_URL / TEST_REDIS_URL; the growth part runs on SQLite without them.)
"""
from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bot import messages
from playground.cluster import Cluster
from playground.databases import create_database
from playground.samples import sample_photos
from playground.telegram import SENDS, Call, FakeBotAPI, FakeUser
from storage import Store
from storage.schema import readings

TOKEN = "123456:BENCH-scale"
USERS = 6
SELFIES = 6  # per user per burst, each followed by a /help: the replies must alternate


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[94] if len(values) > 1 else values[0]


def busiest_second(calls: list[Call]) -> int:
    """The most messages sent in any one-second window."""
    times = sorted(c.at for c in calls if c.method in SENDS)
    most, start = 0, 0
    for end, t in enumerate(times):
        while t - times[start] >= 1.0:
            start += 1
        most = max(most, end - start + 1)
    return most


async def fresh_redis(url: str) -> str:
    import redis.asyncio

    url = url.rsplit("/", 1)[0] + "/8"
    client = redis.asyncio.from_url(url)
    await client.flushdb()
    await client.aclose()
    return url


def peak_rss_mb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) // 1024
    return -1


def wait_for_files(paths: list[Path]) -> None:
    """Until each exists (the workers' heartbeat files, written once they serve)."""
    while not all(p.exists() for p in paths):
        time.sleep(0.5)


# -- cluster ----------------------------------------------------------------------------------

async def burst(api: FakeBotAPI, users: list[FakeUser], photo: bytes, kill: Cluster | None = None) -> dict:
    """Every user sends SELFIES x (selfie, /help) at once; waits until all are answered."""
    before = {u.id: len(u.sent) for u in users}
    started = time.perf_counter()
    for _ in range(SELFIES):
        for user in users:
            await user.send_photo(photo)
            await user.say("/help")
    expected = 2 * SELFIES
    if kill is not None:
        await api.wait_until(lambda: sum(len(u.sent) - before[u.id] for u in users) >= len(users) * expected // 3,
                             timeout=600)
        kill.kill_worker(0)
    await api.wait_until(lambda: all(len(u.sent) - before[u.id] >= expected for u in users), timeout=900)
    elapsed = time.perf_counter() - started
    await asyncio.sleep(1.0)  # anything sent twice would show up now
    exact = all(len(u.sent) - before[u.id] == expected for u in users)
    in_order = all([c.text == messages.HELP for c in u.sent[before[u.id]:]] == [False, True] * SELFIES
                   for u in users)
    return dict(selfies_per_s=len(users) * SELFIES / elapsed, seconds=elapsed, exactly_once=exact, in_order=in_order)


async def help_burst(api: FakeBotAPI, users: list[FakeUser], each: int = 30) -> dict:
    """Cheap replies (/help) as fast as users send them: what the workers could send is far above
    Telegram's 30/s, so the shared budget is what limits it."""
    before = {u.id: len(u.sent) for u in users}
    first = len(api.calls)
    started = time.perf_counter()
    for _ in range(each):
        for user in users:
            await user.say("/help")
    await api.wait_until(lambda: all(len(u.sent) - before[u.id] >= each for u in users), timeout=600)
    elapsed = time.perf_counter() - started
    sends = [c for c in api.calls[first:] if c.method in SENDS]
    return dict(sends=len(sends), sends_per_s=len(sends) / elapsed, busiest_second_sends=busiest_second(sends))


async def cluster_run(workers: int, postgres: str, redis_url: str, photo: bytes, log_dir: Path) -> dict:
    database, queue = await create_database(postgres, "moodtune_bench"), await fresh_redis(redis_url)
    run_dir = log_dir / f"workers{workers}"
    await asyncio.to_thread(run_dir.mkdir)
    async with FakeBotAPI() as api:
        with open(log_dir / f"cluster{workers}.log", "wb") as log:  # noqa: ASYNC230
            cluster = Cluster(api, TOKEN, database, queue, log)
            try:
                assert await cluster.step("migrate") == 0 and await cluster.step("set-webhook") == 0
                await cluster.start_webhook()
                alive = cluster.start_workers(workers, run_dir)
                cluster.route_users_through_webhook()
                store = await Store.open(database)
                users = [FakeUser(api, TOKEN, 500 + i) for i in range(USERS)]
                for user in users:
                    await store.set_consent(user.id, True)
                await store.close()
                await asyncio.to_thread(wait_for_files, alive)  # every worker's models are loaded
                for user in users:
                    await user.say("/help")
                await api.wait_until(lambda: all(len(u.sent) >= 1 for u in users), timeout=300)
                result = await burst(api, users, photo)
                result["help_burst"] = await help_burst(api, users)
                if workers == 3:
                    result["after_kill_9"] = await burst(api, users, photo, kill=cluster)
                result["busiest_second_sends"] = busiest_second(api.calls)
                result["peak_rss_mb"] = {"webhook": peak_rss_mb(cluster.webhook.pid),
                                         "workers": [peak_rss_mb(w.pid) for w in cluster.workers if w.poll() is None]}
                return result
            finally:
                cluster.stop()


# -- growth -----------------------------------------------------------------------------------

async def fill_history(database_url: str, user_id: int, n: int) -> None:
    store = await Store.open(database_url)
    await store.set_consent(user_id, True)
    await store.close()
    engine = create_async_engine(database_url.replace("sqlite:///", "sqlite+aiosqlite:///"))
    now = datetime.now(UTC)
    every = timedelta(days=7) / n
    labels = ["happy", "sad", "neutral", "angry"]
    for start in range(0, n, 10_000):
        rows = [dict(user_id=user_id, source="text" if i % 3 else "face", probs={labels[i % 4]: 0.8, "neutral": 0.2},
                     confidence=0.8, at=now - i * every, meta={}) for i in range(start, min(n, start + 10_000))]
        async with engine.begin() as connection:
            await connection.execute(readings.insert(), rows)
    await engine.dispose()


async def timed_replies(user: FakeUser, text_: str, times: int) -> list[float]:
    """Seconds from each message to the bot's reply, one message at a time."""
    latencies = []
    for i in range(times):
        before = len(user.sent)
        started = time.perf_counter()
        await user.say(text_.format(i=i))
        reply = (await user.wait_for_messages(before + 1, timeout=120))[before]
        latencies.append(reply.at - started)
    return latencies


async def growth_run(database_url: str, heavy: int, fresh_charts: bool = False) -> dict:
    from bot.app import build_application, running
    from bot.settings import Settings

    others = [700 + i for i in range(4)]
    async with FakeBotAPI() as api:
        store = await Store.open(database_url)
        for user_id in others:
            await store.set_consent(user_id, True)
        await store.close()
        await fill_history(database_url, 600, heavy)
        settings = Settings(_env_file=None, telegram_bot_token=TOKEN, telegram_api_base_url=api.root,
                            database_url=database_url, poll_timeout=1, flood_burst=100_000,
                            **({"history_chart_seconds": 0} if fresh_charts else {}))
        async with running(build_application(settings)):
            users = [FakeUser(api, TOKEN, u) for u in others]
            for user in users:  # warm up
                await timed_replies(user, "how am I feeling? warm-up {i}", 1)
            history: list[float] = []
            stop = asyncio.Event()

            async def keep_asking() -> None:
                owner = FakeUser(api, TOKEN, 600)
                while not stop.is_set():
                    history.extend(await timed_replies(owner, "/history", 1))

            asker = asyncio.create_task(keep_asking())
            texts = await asyncio.gather(*(timed_replies(u, "how am I feeling? line {i}", 15) for u in users))
            stop.set()
            await asker
    result = {"others_text_p95_ms": 1000 * p95([t for ts in texts for t in ts])}
    result["history_p95_ms"] = 1000 * p95(history)
    result["history_requests"] = len(history)
    return result


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--part", choices=["cluster", "growth", "all"], default="all")
    parser.add_argument("--postgres", default=os.environ.get("TEST_POSTGRES_URL"))
    parser.add_argument("--redis", default=os.environ.get("TEST_REDIS_URL"))
    parser.add_argument("--readings", type=int, default=100_000)
    parser.add_argument("--fresh-charts", action="store_true", help="growth: draw every /history chart afresh")
    args = parser.parse_args()
    photo = sample_photos()["one"]
    with tempfile.TemporaryDirectory() as tmp:
        if args.part in ("growth", "all"):
            # The same load both times (that user asking /history all along): only their past differs.
            for name, heavy in (("100", 100), (str(args.readings), args.readings)):
                url = (await create_database(args.postgres, "moodtune_bench") if args.postgres
                       else f"sqlite:///{Path(tmp) / f'growth-{name}.db'}")
                charts = "every chart drawn afresh" if args.fresh_charts else "charts kept a minute"
                print(f"growth, one user with {name} readings ({make_url(url).get_backend_name()}, {charts}):",
                      await growth_run(url, heavy, args.fresh_charts), flush=True)
        if args.part in ("cluster", "all"):
            if not (args.postgres and args.redis):
                raise SystemExit("the cluster part needs --postgres and --redis (or TEST_POSTGRES_URL, TEST_REDIS_URL)")
            for workers in (1, 2, 3):
                result = await cluster_run(workers, args.postgres, args.redis, photo, Path(tmp))
                print(f"cluster, 1 webhook + {workers} worker(s): {result}", flush=True)


if __name__ == "__main__":
    asyncio.run(main())
