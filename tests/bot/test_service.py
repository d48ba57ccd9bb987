"""The service around the handlers: concurrency, restarts, webhook secret, flood limit, errors,
retention, secrets in logs, and bot.py without a token."""
import asyncio
import logging
import os
import socket
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp

from bot import messages
from bot.app import build_application, running
from bot.logs import RedactingFormatter, secrets
from storage import Store
from tests.bot.conftest import TOKEN, Harness, settings_for

ROOT = Path(__file__).resolve().parents[2]
SETTLE = 1.0  # seconds to wait for replies that must not come


async def test_fifty_users_at_once_each_get_their_own_answers_in_order(bot, photos):
    users = await asyncio.gather(*(bot.consented_user(1000 + i) for i in range(50)))
    start = {u.id: len(u.sent) for u in users}
    steps = [
        lambda u: u.send_photo(photos["one"] if u.id % 2 else photos["none"]),
        lambda u: u.say("/mood"),  # a command adds no reading of its own: the mood is the first photo's or none
        lambda u: u.send_photo(photos["none"] if u.id % 2 else photos["one"]),
        lambda u: u.say("/privacy"),
    ]
    for step in steps:  # interleaved: every user's first update, then every user's second, ...
        for user in users:
            await step(user)
    for user in users:
        await user.wait_for_messages(start[user.id] + len(steps), timeout=180)
    # A trailing /help per user: one user's updates are handled in order, so an extra reply would come before it.
    await asyncio.gather(*(user.settle() for user in users))
    for user in users:
        replies = user.sent[start[user.id]:-1]
        assert len(replies) == len(steps), f"user {user.id}: {[r.text[:30] for r in replies]}"
        face_first = bool(user.id % 2)
        assert replies[0].text.startswith("You look") == face_first
        assert (replies[0].text == messages.NO_FACE) == (not face_first)
        assert (replies[1].text == messages.NO_MOOD) == (not face_first)  # a mood only after a face
        assert ("What drove it" in replies[1].text) == face_first
        assert replies[2].text.startswith("You look") == (not face_first)
        assert "Privacy, in plain words" in replies[3].text
    sent = bot.api.sent()
    assert all(c.chat_id in {u.id for u in users} for c in sent)


async def test_restart_keeps_consent_prefs_and_history(api, models, tmp_path):
    settings = settings_for(api, tmp_path / "bot.db")
    async with running(build_application(settings, models)) as app:
        harness = Harness(api, app)
        user = await harness.user_feeling(7, "sad")
        await user.ask("/prefs telugu")
    async with running(build_application(settings, models)) as app:
        mood = await user.ask("/mood")
        assert mood.text.startswith("I think you feel 😢 <b>sad</b>") and "✋ you told me" in mood.text
        assert "Languages: telugu" in (await user.ask("/prefs")).text


async def test_webhook_refuses_requests_without_the_secret(api, models, tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = settings_for(api, tmp_path / "bot.db", webhook_url="https://bot.example/hook", webhook_listen="127.0.0.1",
                            webhook_secret="s3cret-Value", port=port)
    update = {"update_id": 1, "message": {"message_id": 1, "date": 0, "chat": {"id": 9, "type": "private"},
                                          "from": {"id": 9, "is_bot": False, "first_name": "W"}, "text": "/help",
                                          "entities": [{"type": "bot_command", "offset": 0, "length": 5}]}}
    async with running(build_application(settings, models)), aiohttp.ClientSession() as http:
        assert api.webhook["url"] == "https://bot.example/hook" and api.webhook["secret_token"] == "s3cret-Value"
        url = f"http://127.0.0.1:{port}/hook"
        async with http.post(url, json=update) as response:
            assert response.status == 403
        async with http.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"}) as response:
            assert response.status == 403
        headers = {"X-Telegram-Bot-Api-Secret-Token": "s3cret-Value"}
        async with http.post(url, json=update, headers=headers) as response:
            assert response.status == 200
        await api.wait_until(lambda: len(api.sent(9)) >= 1)
        # User 9's updates are handled in order: had a refused one been taken, its reply would be here too.
        assert [c.text for c in api.sent(9)] == [messages.HELP]


async def test_a_flood_is_cut_off_with_one_warning(api, models, tmp_path):
    settings = settings_for(api, tmp_path / "bot.db", flood_burst=3, flood_per_second=0.001)
    async with running(build_application(settings, models)) as app:
        user = Harness(api, app).user(8)
        for _ in range(10):
            await user.say("/help")
        await user.wait_for_messages(4)
        await asyncio.sleep(SETTLE)
        assert [c.text for c in user.sent] == [messages.HELP] * 3 + [messages.SLOW_DOWN]
        other = Harness(api, app).user(9)
        assert (await other.ask("/privacy")).text.startswith("<b>Privacy")  # others aren't affected


async def test_a_failing_handler_answers_kindly_and_logs_no_content(bot, caplog, monkeypatch):
    user = await bot.consented_user(5)

    async def broken(user_id, text):
        raise RuntimeError(f"could not read {text!r}")

    monkeypatch.setattr(bot.service, "read_text", broken)
    with caplog.at_level(logging.ERROR):
        reply = await user.ask("my secret diary line")
    assert reply.text == messages.ERROR
    assert "RuntimeError" in caplog.text and "secret diary" not in caplog.text


async def test_old_readings_are_purged_by_the_retention_job(api, models, tmp_path):
    settings = settings_for(api, tmp_path / "bot.db", retention_days=30)
    store = await Store.open(settings.database_url)
    await store.set_consent(6, True)
    long_ago = datetime.now(UTC) - timedelta(days=31)
    await store.add_reading(6, "text", {"sad": 1.0}, 0.9, long_ago)
    await store.add_reading(6, "text", {"happy": 1.0}, 0.9, datetime.now(UTC))
    await store.close()
    async with running(build_application(settings, models)) as app:
        service = app.bot_data.service
        for _ in range(100):
            if len(await service.store.readings(6)) == 1:
                break
            await asyncio.sleep(0.1)
        [kept] = await service.store.readings(6)
        assert kept.probs["happy"] == 1.0


async def test_secrets_never_reach_the_log(api, models, tmp_path):
    settings = settings_for(api, tmp_path / "bot.db")
    handler = logging.Handler()
    lines = []
    handler.emit = lambda record: lines.append(handler.format(record))
    handler.setFormatter(RedactingFormatter(secrets(settings)))
    root = logging.getLogger()
    root.addHandler(handler)
    level = root.level
    root.setLevel(logging.DEBUG)
    try:
        async with running(build_application(settings, models)) as app:
            await Harness(api, app).user(4).ask("/help")
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
    assert any(TOKEN.split(":")[0] in line or "<secret>" in line for line in lines)  # PTB did log its URL
    assert not any(TOKEN in line for line in lines)


def test_without_a_token_bot_py_says_what_to_do(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEBHOOK_"))}
    done = subprocess.run([sys.executable, str(ROOT / "bot.py")], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode != 0
    assert "@BotFather" in done.stderr and "/newbot" in done.stderr
    assert "TELEGRAM_BOT_TOKEN=" in done.stderr and "make run" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


async def test_the_heartbeat_keeps_the_health_check_green(api, models, tmp_path):
    alive = tmp_path / "alive"
    check = [sys.executable, "-m", "bot.health"]
    env = {**os.environ, "HEALTH_FILE": str(alive)}
    assert (await asyncio.to_thread(subprocess.run, check, cwd=ROOT, env=env, timeout=60)).returncode == 1
    async with running(build_application(settings_for(api, tmp_path / "bot.db", health_file=alive), models)):
        for _ in range(100):
            if alive.exists():
                break
            await asyncio.sleep(0.1)
        assert (await asyncio.to_thread(subprocess.run, check, cwd=ROOT, env=env, timeout=60)).returncode == 0
