"""kill -9 in the middle of a queue of selfies and texts: after a restart, every update is answered
exactly once. The real `python bot.py`, as a process, against the fake Bot API."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import IO

import pytest

from bot import messages
from playground.telegram import FakeBotAPI, FakeUser
from storage import Store
from tests.bot.conftest import TOKEN

ROOT = Path(__file__).resolve().parents[2]
USER = 300
QUEUED = 24  # selfies and mood questions, alternating
KILL_AT_SELFIE = 4  # killed while fetching this selfie: the updates before it are done, the rest waits


def start_bot(api: FakeBotAPI, database: Path, log: IO[bytes]) -> subprocess.Popen[bytes]:
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": api.root,
           "DATABASE_URL": f"sqlite:///{database}", "LOG_LEVEL": "DEBUG", "POLL_TIMEOUT": "1",
           "FLOOD_BURST": "1000", "INFERENCE_THREADS": "1", "WEBHOOK_URL": ""}  # polling, whatever .env says
    return subprocess.Popen([sys.executable, "bot.py"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


@pytest.mark.timeout(400)
async def test_kill_9_loses_nothing_and_answers_nothing_twice(api, photos, tmp_path):
    database = tmp_path / "bot.db"
    store = await Store.open(f"sqlite:///{database}")
    await store.set_consent(USER, True)
    await store.close()
    user = FakeUser(api, TOKEN, USER)
    for i in range(QUEUED):
        if i % 2:
            await user.say(f"how am I feeling? a private line {i}")
        else:
            await user.send_photo(photos["one"])

    with (tmp_path / "bot.log").open("wb") as log:  # a file handed to the child process
        bot = start_bot(api, database, log)
        try:
            await api.wait_until(lambda: len(api.calls_to("getFile")) == KILL_AT_SELFIE + 1 or bot.poll() is not None,
                                 timeout=240)
            bot.send_signal(signal.SIGKILL)
            bot.wait()
            answered_before = len(user.sent)
            assert answered_before == 2 * KILL_AT_SELFIE  # the crash came mid-way
            bot = start_bot(api, database, log)
            await user.wait_for_messages(QUEUED, timeout=240)
            await user.settle()  # a /help after everything: answered once all before it are
        finally:
            bot.kill()
            bot.wait()
    replies = user.sent
    assert len(replies) == QUEUED + 1, [r.text[:20] for r in replies]
    for i, reply in enumerate(replies[:QUEUED]):
        if i % 2:
            assert reply.method == "sendPhoto" or reply.text == messages.NO_MOOD, (i, reply.text[:40])
        else:
            assert reply.text.startswith("You look"), (i, reply.text[:40])
    output = (tmp_path / "bot.log").read_text()
    assert "replaying 1 updates" in output  # the selfie being fetched at the kill
    assert "private line" not in output and TOKEN not in output  # at LOG_LEVEL=DEBUG
