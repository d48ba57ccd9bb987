"""`make bench`: the real bot and models against the fake Bot API on loopback, under sustained load.

Measures: time to the first reply after start (models loaded in post_init included), sustained
selfies/s and text messages/s at a fixed offered rate, p50/p95 latency from the update being
available to the bot having finished with it (its reply sent, if any), and peak RSS of this
process (bot + fake API + load generator together, so an upper bound for the bot).

    python -m bot.bench [--selfie-rate 15] [--text-rate 100] [--seconds 20]
"""
from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import tempfile
import time

from telegram import Update
from telegram.ext import ContextTypes, TypeHandler

from bot.app import build_application, running
from bot.fake_telegram import FakeBotAPI, FakeUser
from bot.samples import sample_photos
from bot.settings import Settings

TOKEN = "4242:bench-token"
USERS = 600
TEXTS = [
    "ugh, my train got cancelled again", "finally done with exams!!", "I miss you so much",
    "this weather is making me sleepy", "lol that meme is hilarious 😂", "why does nobody ever listen to me",
    "can't believe she said that to me", "ok see you at 6", "I'm a bit nervous about tomorrow's interview",
    "best pizza I've ever had", "my phone died again, great", "thanks for yesterday, it meant a lot",
    "the spider in the bathroom is HUGE", "meh", "I got the job!!!", "honestly I just feel empty today",
    "what a surprise to see you there", "traffic is insane right now", "love this song", "how am I feeling?",
]
DONE_GROUP = 99  # runs after every other handler: the update is finished


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


async def offer(users: list[FakeUser], rate: float, seconds: float, send) -> dict[int, float]:
    """Send at a fixed rate (open loop, round-robin over users); returns update id -> time sent."""
    sent: dict[int, float] = {}
    start = time.perf_counter()
    for i in range(int(rate * seconds)):
        delay = start + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        update_id = await send(users[i % len(users)], i)
        sent[update_id] = time.perf_counter()
    return sent


async def phase(name: str, api: FakeBotAPI, done: dict[int, float], users: list[FakeUser], rate: float,
                seconds: float, send) -> dict:
    sent = await offer(users, rate, seconds, send)
    await api.wait_until(lambda: all(u in done for u in sent), timeout=seconds * 10 + 60)
    latencies = [done[u] - sent[u] for u in sent]
    elapsed = max(done[u] for u in sent) - min(sent.values())
    return {"phase": name, "offered/s": rate, "handled/s": len(sent) / elapsed, "n": len(sent),
            "p50 ms": 1000 * percentile(latencies, 50), "p95 ms": 1000 * percentile(latencies, 95),
            "max ms": 1000 * max(latencies)}


async def main(args: argparse.Namespace) -> None:
    photos = sample_photos()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        async with FakeBotAPI() as api:
            settings = Settings(_env_file=None, telegram_bot_token=TOKEN, telegram_api_base_url=api.root,
                                database_url=f"sqlite+aiosqlite:///{tmp}/bench.db")
            app = build_application(settings)
            done: dict[int, float] = {}

            async def finished(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
                done[update.update_id] = time.perf_counter()

            app.add_handler(TypeHandler(Update, finished), group=DONE_GROUP)
            async with running(app):
                first = FakeUser(api, TOKEN, 1, "First")
                await first.send(text="/start", entities=[{"type": "bot_command", "offset": 0, "length": 6}])
                await first.wait_for_messages(1)
                first_reply = time.perf_counter() - started

                service = app.bot_data["service"]
                users = [FakeUser(api, TOKEN, 10_000 + i, f"u{i}") for i in range(USERS)]
                for user in users:  # setup, not measured: consent straight into the store
                    await service.set_consent(user.id, True)
                photo_id = api.upload(photos["one"])
                photo = [{"file_id": photo_id, "file_unique_id": photo_id, "width": 512, "height": 512,
                          "file_size": len(photos["one"])}]
                results = [
                    await phase("selfies", api, done, users, args.selfie_rate, args.seconds,
                                lambda user, i: user.send(photo=photo)),
                    await phase("texts", api, done, users, args.text_rate, args.seconds,
                                lambda user, i: user.send(text=TEXTS[i % len(TEXTS)])),
                ]
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"first reply after start: {first_reply:.2f} s (target <= 5 s)")
    for r in results:
        print(f"{r['phase']:>8}: offered {r['offered/s']:.0f}/s, handled {r['handled/s']:.1f}/s over {r['n']}, "
              f"latency p50 {r['p50 ms']:.0f} ms, p95 {r['p95 ms']:.0f} ms, max {r['max ms']:.0f} ms")
    print(f"peak RSS (bot + fake API + load generator): {rss_mb:.0f} MB (target <= 700 MB)")
    print("targets: >= 15 selfies/s with p95 <= 1000 ms; >= 100 texts/s with p95 <= 500 ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--selfie-rate", type=float, default=15.0)
    parser.add_argument("--text-rate", type=float, default=100.0)
    parser.add_argument("--seconds", type=float, default=20.0)
    asyncio.run(main(parser.parse_args()))
