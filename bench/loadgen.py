"""The other side of `make bench`: the fake Bot API and the simulated users, in a process of their own.

`python -m bench.bot` starts this as `python -m bench.loadgen` and drives it with JSON lines on stdin
(answers come back as JSON lines on stdout). Keeping Telegram's side out of the bot's process means
the benchmark measures the bot alone, its memory and its share of the CPU, as it runs against the
real, remote Bot API. Times are `time.perf_counter()`: CLOCK_MONOTONIC on Linux, so the two
processes can compare them.

    {"do": "start", "user": 1}                     -> {"replied_at": t}  (sends /start, waits for the answer)
    {"do": "offer", "kind": "texts", "rate": 100, "seconds": 20, "users": 600}
                                                   -> {"sent": {update_id: t}}
    {"do": "replies"}                              -> {"sent_back": n}  (messages the bot sent so far)
"""
from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import Awaitable, Callable

from playground.samples import sample_photos
from playground.telegram import FakeBotAPI, FakeUser

TOKEN = "4242:bench-token"
FIRST_USER_ID = 10_000
TEXTS = [
    "ugh, my train got cancelled again", "finally done with exams!!", "I miss you so much",
    "this weather is making me sleepy", "lol that meme is hilarious 😂", "why does nobody ever listen to me",
    "can't believe she said that to me", "ok see you at 6", "I'm a bit nervous about tomorrow's interview",
    "best pizza I've ever had", "my phone died again, great", "thanks for yesterday, it meant a lot",
    "the spider in the bathroom is HUGE", "meh", "I got the job!!!", "honestly I just feel empty today",
    "what a surprise to see you there", "traffic is insane right now", "love this song", "how am I feeling?",
]


def user_ids(count: int) -> list[int]:
    return [FIRST_USER_ID + i for i in range(count)]


async def offer(users: list[FakeUser], rate: float, seconds: float,
                send: Callable[[FakeUser, int], Awaitable[int]]) -> dict[int, float]:
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


async def serve(commands: asyncio.StreamReader) -> None:
    async with FakeBotAPI() as api:
        photo_id = api.upload(sample_photos()["one"])
        photo = [{"file_id": photo_id, "file_unique_id": photo_id, "width": 512, "height": 512,
                  "file_size": len(api.files[photo_id])}]
        sends = {"selfies": lambda user, i: user.send(photo=photo),
                 "texts": lambda user, i: user.send(text=TEXTS[i % len(TEXTS)])}
        answer({"root": api.root})
        while line := await commands.readline():
            command = json.loads(line)
            if command["do"] == "start":
                user = FakeUser(api, TOKEN, command["user"], "First")
                await user.say("/start")
                [reply] = await user.wait_for_messages(1, timeout=120)
                answer({"replied_at": reply.at})
            elif command["do"] == "offer":
                users = [FakeUser(api, TOKEN, uid, f"u{uid}") for uid in user_ids(command["users"])]
                answer({"sent": await offer(users, command["rate"], command["seconds"], sends[command["kind"]])})
            elif command["do"] == "replies":
                answer({"sent_back": len(api.sent())})


def answer(message: dict) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


async def main() -> None:
    loop = asyncio.get_running_loop()
    commands = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(commands), sys.stdin)
    await serve(commands)


if __name__ == "__main__":
    asyncio.run(main())
