"""The playground's HTTP side: the page's API, what it sends the bot, resets, and who may talk to it.
The bot here is python-telegram-bot's Bot driven by hand; the browser test runs the real Application."""
from __future__ import annotations

import asyncio
import io
import os
import re
import signal
import subprocess
import sys
import urllib.request
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from PIL import Image
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup

from bot.settings import Settings
from playground.samples import jpeg, sample_photos
from playground.telegram import FakeBotAPI
from playground.web import FIRST_CHAT, PHOTO_SIDE, TOKEN, Playground, as_telegram_photo, playground_settings

ROOT = Path(__file__).resolve().parents[2]


class Page:
    """What the page's script does, over HTTP."""

    def __init__(self, http: aiohttp.ClientSession, url: str):
        self.http, self.url, self.chat, self.next = http, url, None, 0

    async def events(self) -> list[dict]:
        async with self.http.get(f"{self.url}/api/events", params={"chat": str(self.chat or ""),
                                                                    "after": self.next}) as response:
            assert response.status == 200
            body = await response.json()
        if body["chat"] != self.chat:
            self.chat, self.next = body["chat"], 0
        self.next = body["next"]
        return body["events"]

    async def post(self, path: str, status: int = 200, **body: object) -> dict:
        async with self.http.post(f"{self.url}{path}", json={"chat": self.chat, **body}) as response:
            assert response.status == status, await response.text()
            return await response.json() if status == 200 else {}


@pytest.fixture
async def setup() -> AsyncIterator[tuple[FakeBotAPI, Playground, Page, Bot]]:
    async with FakeBotAPI() as api:
        playground = Playground(api)
        bot = Bot(TOKEN, base_url=f"{api.root}/bot", base_file_url=f"{api.root}/file/bot")
        async with playground.serving() as url, aiohttp.ClientSession() as http, bot:
            page = Page(http, url)
            assert await page.events() == []  # learns the chat
            yield api, playground, page, bot


async def test_the_page_is_served_with_a_strict_policy(setup) -> None:
    _, playground, page, _ = setup
    async with page.http.get(playground.url) as response:
        assert response.status == 200
        assert '<ol id="messages"' in await response.text()
        assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
    for asset in ("chat.js", "chat.css"):
        async with page.http.get(f"{playground.url}/static/{asset}") as response:
            assert response.status == 200 and response.headers["X-Content-Type-Options"] == "nosniff"


async def test_a_text_goes_to_the_bot_and_its_reply_comes_back(setup) -> None:
    api, playground, page, bot = setup
    sent = await page.post("/api/messages", text="/start now")
    [mine] = await page.events()
    assert mine["message"]["text"] == "/start now" and mine["message"]["message_id"] == sent["message_id"]
    [update] = await bot.get_updates()
    assert update.message.text == "/start now" and update.message.entities[0].type == "bot_command"
    assert await page.events() == [{"type": "read", "message_id": sent["message_id"]}]  # ✓✓
    waiting = asyncio.create_task(page.events())  # a long poll: nothing new yet
    await api.wait_until(lambda: playground.polling == 1)
    await bot.send_message(FIRST_CHAT, "<b>Hi!</b>", parse_mode="HTML")
    [reply] = await waiting
    assert reply["message"]["text"] == "<b>Hi!</b>" and reply["message"]["from"]["is_bot"]


async def test_a_photo_arrives_like_a_telegram_photo(setup) -> None:
    _, _, page, bot = setup
    big = io.BytesIO()
    Image.new("RGB", (2000, 1000), "red").save(big, format="PNG")
    form = aiohttp.FormData({"chat": str(page.chat)})
    form.add_field("photo", big.getvalue(), filename="big.png", content_type="image/png")
    async with page.http.post(f"{page.url}/api/photos", data=form) as response:
        assert response.status == 200
    [update] = await bot.get_updates()
    photo = update.message.photo[-1]
    assert (photo.width, photo.height) == (PHOTO_SIDE, PHOTO_SIDE // 2)
    data = bytes(await (await photo.get_file()).download_as_bytearray())
    assert data[:2] == b"\xff\xd8"  # recompressed to JPEG, like Telegram
    async with page.http.get(f"{page.url}/api/files/{photo.file_id}") as response:
        assert response.status == 200 and response.content_type == "image/jpeg"


async def test_any_other_file_arrives_as_a_document(setup) -> None:
    _, _, page, bot = setup
    form = aiohttp.FormData({"chat": str(page.chat)})
    form.add_field("photo", b"%PDF-1.4 not a picture", filename="cv.pdf", content_type="application/pdf")
    async with page.http.post(f"{page.url}/api/photos", data=form) as response:
        assert response.status == 200
    [update] = await bot.get_updates()
    assert update.message.document.file_name == "cv.pdf" and update.message.document.mime_type == "application/pdf"


def test_photos_are_turned_upright_and_bounded() -> None:
    assert as_telegram_photo(b"nope") is None
    small = as_telegram_photo(sample_photos()["one"])
    assert small is not None and small[1:] == (512, 512)
    sideways = Image.new("RGB", (40, 20))
    exif = sideways.getexif()
    exif[0x0112] = 6  # Orientation: rotate 90° to show
    upright = as_telegram_photo(jpeg(sideways, exif=exif.tobytes()))
    assert upright is not None and upright[1:] == (20, 40)


async def test_a_tap_becomes_a_callback_query_and_its_answer_reaches_the_page(setup) -> None:
    _, _, page, bot = setup
    await page.post("/api/messages", text="hi")
    await bot.get_updates()
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("👍", callback_data="fb:1:t1")]])
    sent = await bot.send_message(FIRST_CHAT, "like it?", reply_markup=markup)
    await page.post("/api/taps", message_id=sent.message_id, data="nope", status=400)
    tapped = await page.post("/api/taps", message_id=sent.message_id, data="fb:1:t1")
    [update] = await bot.get_updates(offset=2)
    assert update.callback_query.data == "fb:1:t1" and update.callback_query.id == tapped["query_id"]
    assert update.callback_query.message.message_id == sent.message_id
    await update.callback_query.answer("Noted, thanks!")
    events = await page.events()
    assert events[-1] == {"type": "answer", "query_id": tapped["query_id"], "text": "Noted, thanks!",
                          "show_alert": False}


async def test_reset_starts_a_new_chat_and_forgets_the_old_one(setup) -> None:
    api, playground, page, bot = setup
    form = aiohttp.FormData({"chat": str(page.chat)})
    form.add_field("photo", sample_photos()["one"], filename="me.jpg", content_type="image/jpeg")
    async with page.http.post(f"{page.url}/api/photos", data=form) as response:
        assert response.status == 200
    [update] = await bot.get_updates()
    selfie = update.message.photo[-1].file_id
    await page.events()
    old = page.chat
    waiting = asyncio.create_task(page.events())  # a long poll on the old chat...
    await api.wait_until(lambda: playground.polling == 1)
    assert (await page.post("/api/reset"))["chat"] == old + 1
    assert await waiting == [] and page.chat == old + 1  # ...answers at once, with the new, empty chat
    async with page.http.post(f"{page.url}/api/messages", json={"chat": old, "text": "hello?"}) as response:
        assert response.status == 409  # a stale tab is told to reload
    assert selfie not in api.files and api.history(old) == []
    async with page.http.get(f"{page.url}/api/files/{selfie}") as response:
        assert response.status == 404


async def test_only_this_machines_page_may_talk_to_it(setup) -> None:
    _, playground, page, _ = setup
    port = playground.url.rsplit(":", 1)[1]
    async with page.http.get(f"{playground.url}/api/events", headers={"Host": "evil.example"}) as response:
        assert response.status == 403  # DNS rebinding: a foreign name pointing at 127.0.0.1
    async with page.http.post(f"{playground.url}/api/reset", headers={"Origin": "https://evil.example"}) as response:
        assert response.status == 403  # another site's script posting across origins
    async with page.http.post(f"{playground.url}/api/reset", headers={"Origin": f"http://localhost:{port}"}) as response:
        assert response.status == 200
    assert playground.url.startswith("http://127.0.0.1:")


async def test_bad_requests_are_refused(setup) -> None:
    _, _, page, _ = setup
    await page.post("/api/messages", text="   ", status=400)
    await page.post("/api/messages", text="x" * 4097, status=400)
    async with page.http.post(f"{page.url}/api/messages", data=b"not json",
                              headers={"Content-Type": "application/json"}) as response:
        assert response.status == 400
    async with page.http.get(f"{page.url}/api/events", params={"after": "soon"}) as response:
        assert response.status == 400


def test_playground_settings_keep_the_users_but_never_reach_telegram(tmp_path: Path) -> None:
    mine = Settings(_env_file=None, spotify_client_id="id", webhook_url="https://x.org/hook", webhook_secret="s")
    local = playground_settings(mine, "http://127.0.0.1:9", str(tmp_path))
    assert local.telegram_bot_token is not None and local.telegram_bot_token.get_secret_value() == TOKEN
    assert local.telegram_api_base_url == "http://127.0.0.1:9" and local.webhook_url is None
    assert local.database_url == f"sqlite:///{tmp_path}/playground.db" and local.spotify_client_id == "id"
    chosen = Settings(_env_file=None, database_url="sqlite:////tmp/mine.db")
    assert playground_settings(chosen, "http://127.0.0.1:9", str(tmp_path)).database_url == "sqlite:////tmp/mine.db"


async def test_a_taken_port_is_refused_cleanly() -> None:
    async with FakeBotAPI() as api, Playground(api).serving() as url:
        taken = int(url.rsplit(":", 1)[1])
        with pytest.raises(OSError):
            await Playground(api).start(taken)


def test_make_run_without_a_token_serves_the_page_until_stopped(tmp_path: Path) -> None:
    """`python bot.py` as `make run` starts it: the URL, a working page, a clean stop on SIGTERM."""
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    env.update(PLAYGROUND_PORT="0", TMPDIR=str(tmp_path))  # any free port; its temporary folder where we see it
    with subprocess.Popen([sys.executable, str(ROOT / "bot.py")], cwd=tmp_path, env=env, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT) as bot:
        try:
            assert bot.stdout is not None
            printed = ""
            while (line := bot.stdout.readline()) and "Open http" not in line:  # pytest-timeout guards this
                printed += line
            url = re.search(r"http://127\.0\.0\.1:\d+", line)
            assert url, printed + line
            with urllib.request.urlopen(url.group()) as page:
                assert page.status == 200 and b'role="log"' in page.read()
            assert len(list(tmp_path.glob("moodtune-playground-*/playground.db"))) == 1
            bot.send_signal(signal.SIGTERM)
            assert bot.wait(timeout=60) == 0
            assert list(tmp_path.glob("moodtune-playground-*")) == []  # the conversation's database is gone
        finally:
            if bot.poll() is None:
                bot.kill()
