"""`make bench`: the real bot and models against the fake Bot API on loopback, under sustained load.

Measures: time from the bot's start to its first reply (models loaded in post_init included),
sustained selfies/s and text messages/s at a fixed offered rate, p50/p95 latency from the update
being available to the bot having finished with it (its reply sent, if any), and the bot process's
peak RSS. The fake Bot API and the simulated users run in a process of their own (`bench.loadgen`),
as Telegram would: they share the 2 cores but not the bot's memory or event loop.

    python -m bench.bot [--selfie-rate 15] [--text-rate 100] [--seconds 20]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import resource
import statistics
import sys
import tempfile
import time

from telegram import Update
from telegram.ext import ContextTypes, TypeHandler

from bench.loadgen import TOKEN, user_ids
from bot.app import build_application, running
from bot.malloc import limit_heap_growth
from bot.settings import Settings

USERS = 600
DONE_GROUP = 99  # runs after every other handler: the update is finished


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


class LoadGenerator:
    """`python -m bench.loadgen` in a child process, driven over its stdin/stdout."""

    async def __aenter__(self) -> LoadGenerator:
        self._process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.loadgen", stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            limit=2**24)
        self.root = (await self._read())["root"]
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._process.stdin.close()
        await self._process.wait()

    async def _read(self) -> dict:
        line = await self._process.stdout.readline()
        if not line:
            raise RuntimeError("bench.loadgen exited")
        return json.loads(line)

    async def ask(self, **command: object) -> dict:
        self._process.stdin.write(json.dumps(command).encode() + b"\n")
        await self._process.stdin.drain()
        return await self._read()


async def phase(name: str, load: LoadGenerator, done: dict[int, float], rate: float, seconds: float) -> dict:
    replies_before = (await load.ask(do="replies"))["sent_back"]
    sent = {int(u): t for u, t in (await load.ask(do="offer", kind=name, rate=rate, seconds=seconds,
                                                   users=USERS))["sent"].items()}
    deadline = time.perf_counter() + seconds * 10 + 60
    while not all(u in done for u in sent):
        if time.perf_counter() > deadline:
            raise TimeoutError(f"{name}: {sum(u not in done for u in sent)} updates never finished")
        await asyncio.sleep(0.05)
    replies = (await load.ask(do="replies"))["sent_back"] - replies_before
    latencies = [done[u] - sent[u] for u in sent]
    elapsed = max(done[u] for u in sent) - min(sent.values())
    return {"phase": name, "offered/s": rate, "handled/s": len(sent) / elapsed, "n": len(sent),
            "p50 ms": 1000 * percentile(latencies, 50), "p95 ms": 1000 * percentile(latencies, 95),
            "max ms": 1000 * max(latencies), "replies/s": replies / elapsed}


async def main(args: argparse.Namespace) -> None:
    async with LoadGenerator() as load:
        with tempfile.TemporaryDirectory() as tmp:
            started = time.perf_counter()
            settings = Settings(_env_file=None, telegram_bot_token=TOKEN, telegram_api_base_url=load.root,
                                database_url=f"sqlite:///{tmp}/bench.db",
                                telegram_rate_limit=args.telegram_rate_limit, poll_timeout=1)
            app = build_application(settings)
            done: dict[int, float] = {}

            async def finished(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
                done[update.update_id] = time.perf_counter()

            app.add_handler(TypeHandler(Update, finished), group=DONE_GROUP)
            async with running(app):
                first_reply = (await load.ask(do="start", user=1))["replied_at"] - started
                service = app.bot_data.service
                for user_id in user_ids(USERS):  # setup, not measured: consent straight into the store
                    await service.set_consent(user_id, True)
                results = [await phase("selfies", load, done, args.selfie_rate, args.seconds),
                           await phase("texts", load, done, args.text_rate, args.seconds)]
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"first reply after start: {first_reply:.2f} s (target <= 5 s)")
    for r in results:
        print(f"{r['phase']:>8}: offered {r['offered/s']:.0f}/s, handled {r['handled/s']:.1f}/s over {r['n']}, "
              f"latency p50 {r['p50 ms']:.0f} ms, p95 {r['p95 ms']:.0f} ms, max {r['max ms']:.0f} ms; "
              f"{r['replies/s']:.1f} messages/s sent back")
    print(f"peak RSS of the bot process: {rss_mb:.0f} MB (target <= 700 MB)")
    print("targets: >= 15 selfies/s with p95 <= 1000 ms; >= 100 texts/s with p95 <= 500 ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--selfie-rate", type=float, default=15.0)
    parser.add_argument("--text-rate", type=float, default=100.0)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--default-malloc", action="store_true",
                        help="leave glibc's allocator as it is (bot.py sets it: bot/malloc.py), to compare")
    parser.add_argument("--telegram-rate-limit", type=float, default=Settings.model_fields["telegram_rate_limit"].default,
                        help="the bot's cap on Bot API requests/s (Telegram's own limit by default)")
    arguments = parser.parse_args()
    if not arguments.default_malloc:
        limit_heap_growth()  # as bot.py does, before the models load
    asyncio.run(main(arguments))
