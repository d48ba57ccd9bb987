"""Speed and memory of the music package.

    python -m bench.music [--calls 500]

Catalog load time and RSS, warm recommendation latency, and how long a live recommendation
takes when Spotify is down, hanging or rate-limited (the answer must come from offline data
within ~1 s). Targets: load <= 1 s, RSS for the catalog <= 150 MB, recommend <= 20 ms.
"""
from __future__ import annotations

import argparse
import asyncio
import socket
import time
from statistics import median

import numpy as np

from emotions import EMOTIONS
from music import STRATEGIES, Catalog, Preferences, Recommender, SpotifyClient, parse_preferences
from playground.spotify import FakeSpotify


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS")) / 1024


def percentiles(seconds: list[float]) -> str:
    ms = np.array(seconds) * 1000
    return f"p50 {median(ms):.1f} ms, p95 {np.percentile(ms, 95):.1f} ms, max {ms.max():.1f} ms"


def bench_offline(recommender: Recommender, calls: int) -> str:
    rng = np.random.default_rng(0)
    catalog = recommender.catalog
    options = [Preferences(), parse_preferences("hindi, no explicit", catalog)[0],
               parse_preferences("rock, jazz", catalog)[0], parse_preferences("arijit singh", catalog)[0],
               # language tiers: enough in the surest tier; too little (every tier, then other languages)
               parse_preferences("telugu", catalog)[0], parse_preferences("malayalam", catalog)[0]]
    times = []
    for i in range(calls):
        probs = dict(zip(EMOTIONS, rng.dirichlet(np.full(len(EMOTIONS), 0.5))))
        start = time.perf_counter()
        recommender.recommend(probs, STRATEGIES[i % 3], options[i % len(options)])
        times.append(time.perf_counter() - start)
    return percentiles(times)


async def bench_live(client: SpotifyClient, catalog: Catalog, calls: int = 10) -> str:
    recommender = Recommender(catalog, client)
    times, sources = [], set()
    for i in range(calls):
        start = time.perf_counter()
        rec = await recommender.recommend_live({EMOTIONS[i % len(EMOTIONS)]: 1.0}, STRATEGIES[i % 3])
        times.append(time.perf_counter() - start)
        sources.add(rec.source)
    return f"{percentiles(times)} ({', '.join(sorted(sources))})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=500)
    args = parser.parse_args()

    before = rss_mb()
    start = time.perf_counter()
    catalog = Catalog.load()
    print(f"catalog load: {time.perf_counter() - start:.2f} s, {len(catalog)} tracks, "
          f"RSS +{rss_mb() - before:.0f} MB (process {rss_mb():.0f} MB)")
    start = time.perf_counter()
    parse_preferences("sid sriram", catalog)
    print(f"first /prefs parse (builds the artist index): {(time.perf_counter() - start) * 1000:.0f} ms")
    recommender = Recommender(catalog)
    recommender.recommend({"neutral": 1.0})  # warm-up
    print(f"recommend, warm, {args.calls} mixed moods/strategies/prefs: {bench_offline(recommender, args.calls)}")
    print(f"process RSS after recommending: {rss_mb():.0f} MB")

    with socket.socket() as closed:  # a port with nothing listening: connection refused
        closed.bind(("127.0.0.1", 0))
        down = f"http://127.0.0.1:{closed.getsockname()[1]}"
    with FakeSpotify() as fake:
        fake.delay, fake.retry_after = 10.0, 3600
        for label, mode in [("down (connection refused)", None), ("hanging (10 s per search)", "slow"),
                            ("rate-limited (429, Retry-After 3600)", "rate-limited"), ("healthy (local fake)", "ok")]:
            fake.mode = mode
            client = fake.client() if mode else SpotifyClient("id", "secret", api_url=f"{down}/v1/",
                                                              token_url=f"{down}/api/token")
            print(f"recommend_live, Spotify {label}: {asyncio.run(bench_live(client, catalog))}")


if __name__ == "__main__":
    main()
