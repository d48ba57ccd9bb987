"""The playground page in a real headless browser (Debian's chromium, driven by Playwright): the real
Application and models behind the Bot API emulator, as `make run` starts them without a token.

`PLAYGROUND_SCREENSHOT=docs/playground.png pytest tests/playground/test_browser.py` also saves the page
mid-conversation: the README's picture.
"""
from __future__ import annotations

import io
import os
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from PIL import Image
from playwright.async_api import Browser, Page, async_playwright, expect

from bot.app import build_application, running
from bot.models import load_models
from bot.settings import Settings
from playground.samples import sample_photos
from playground.telegram import FakeBotAPI
from playground.web import TOKEN, Playground, playground_settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-dev-shm-usage"]  # containers often have a tiny /dev/shm
PHONE = {"width": 412, "height": 860}
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)")


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        await browser.close()


async def open_page(browser: Browser, url: str) -> tuple[Page, list[str]]:
    """The page on a phone-sized screen; the second value collects alert()s and script errors."""
    page = await browser.new_page(viewport=PHONE)
    problems: list[str] = []
    page.on("dialog", lambda dialog: problems.append(f"dialog: {dialog.message}"))
    page.on("pageerror", lambda error: problems.append(f"error: {error}"))
    await page.goto(url)
    return page, problems


def bot_message(page: Page, text: str):
    return page.locator(".msg.bot").filter(has_text=text)


async def test_a_conversation_in_the_browser(browser: Browser, tmp_path: Path) -> None:
    models = load_models(Settings(_env_file=None))
    async with FakeBotAPI() as api:
        settings = playground_settings(Settings(_env_file=None), api.root, str(tmp_path))
        async with running(build_application(settings, models)), Playground(api).serving() as url:
            page, problems = await open_page(browser, url)
            message_box = page.get_by_label("Message")

            await expect(page.get_by_role("heading", name="What can this bot do?")).to_be_visible()
            await page.get_by_role("button", name="Start", exact=True).click()
            await expect(message_box).to_be_focused()  # the keyboard goes on where the writing is
            intro = bot_message(page, "I guess how you feel")
            await expect(intro.locator("b", has_text="emotion recognition")).to_be_visible()  # HTML, rendered
            await intro.get_by_role("button", name="✅ I agree").focus()
            await page.keyboard.press("Enter")  # keyboard only
            await expect(intro).to_contain_text("Thanks! Send me a selfie")
            await expect(intro.locator(".keyboard")).to_have_count(0)  # the edit took the buttons away

            await page.locator("#photo").set_input_files(
                files=[{"name": "selfie.jpg", "mimeType": "image/jpeg", "buffer": sample_photos()["one"]}])
            await expect(page.locator(".msg.me img.photo")).to_be_visible()
            await expect(bot_message(page, "You look")).to_contain_text("Mood now")

            await message_box.fill("how am I feeling?")
            await message_box.press("Enter")
            chart = bot_message(page, "What drove it").locator("img.photo")
            await expect(chart).to_be_visible()
            assert await chart.evaluate("img => img.complete && img.naturalWidth >= 400")  # the PNG, loaded
            if target := os.environ.get("PLAYGROUND_SCREENSHOT"):
                await page.set_viewport_size({"width": 440, "height": 980})
                await page.locator("#chat").evaluate("chat => { chat.scrollTop = chat.scrollHeight; }")
                shot = Image.open(io.BytesIO(await page.screenshot())).convert("RGB")
                shot.quantize(256, dither=Image.Dither.FLOYDSTEINBERG).save(target, optimize=True)  # a third the bytes
                await page.set_viewport_size(PHONE)

            await page.get_by_role("button", name="Menu").click()
            await page.locator("#menu").get_by_role("button", name="/playlist").click()
            playlist = bot_message(page, "a playlist that")
            first_track = playlist.locator("a[href^='https://open.spotify.com/']").first
            await expect(first_track).to_have_attribute("target", "_blank")
            await expect(first_track).to_have_attribute("rel", "noopener noreferrer")
            await playlist.get_by_role("button", name="1 👍", exact=True).click()
            await expect(page.get_by_role("status")).to_have_text("Noted, thanks!")
            await expect(playlist.get_by_role("button", name="✅1 👍", exact=True)).to_be_focused()  # re-drawn, kept

            await playlist.get_by_role("button", name="✋ Not my mood").click()
            asked = bot_message(page, "How do you feel, then?")
            await expect(asked).to_be_visible()
            await expect(playlist.get_by_role("button", name="✋ Not my mood")).not_to_have_attribute("aria-busy", "true")
            picker = page.locator(f"#{await asked.get_attribute('id')}")  # the same message once edited
            await picker.get_by_role("button", name="😢 sad").click()
            await expect(picker).to_contain_text("Got it: you feel 😢 sad")
            await expect(picker.locator(".meta")).to_contain_text("edited")

            await page.get_by_role("button", name="/help").last.click()  # a command inside a bot message
            await expect(bot_message(page, "What I understand")).to_have_count(1)
            await expect(page.locator(".msg.me .ticks").last).to_have_text("✓✓")  # the bot fetched it

            await page.get_by_role("button", name="New chat").click()
            await expect(page.locator(".msg")).to_have_count(0)
            await expect(page.get_by_role("button", name="Start", exact=True)).to_be_focused()
            assert api.history(1001) == []  # the old chat and its selfie are gone from memory
            assert problems == []
            assert api.rejected == []  # every message the bot sent would have passed Telegram...
            assert {c.params.get("parse_mode") for c in api.sent()} == {"HTML"}  # ...its HTML checks included


async def test_bot_html_is_rendered_safely(browser: Browser) -> None:
    async with FakeBotAPI() as api, Playground(api).serving() as url:
        page, problems = await open_page(browser, url)
        await page.get_by_role("button", name="Start", exact=True).click()
        await expect(page.locator(".msg.me .text")).to_have_text("/start")
        hostile = ('<b>bold</b> <a href="javascript:alert(1)">js</a> <a href="https://example.org/x">ok</a> '
                   '&lt;img src=x onerror=alert(2)&gt; <tg-spoiler>secret</tg-spoiler>')
        async with aiohttp.ClientSession() as http:  # the bot's side, by hand
            reply = await http.post(f"{api.root}/bot{TOKEN}/sendMessage",
                                    data={"chat_id": "1001", "text": hostile, "parse_mode": "HTML"})
            assert (await reply.json())["ok"]
        shown = page.locator(".msg.bot")
        await expect(shown.locator("b")).to_have_text("bold")
        await expect(shown).to_contain_text("<img src=x onerror=alert(2)>")  # text, not an element
        assert await shown.locator("img").count() == 0
        assert await shown.locator("a").count() == 1
        await expect(shown.locator("a")).to_have_attribute("href", "https://example.org/x")
        spoiler = shown.get_by_role("button", name="Hidden text: press to show")
        await spoiler.press("Enter")
        await expect(shown.locator(".spoiler.shown")).to_have_text("secret")
        assert problems == []


async def test_the_camera_sends_a_selfie() -> None:
    """Chromium's fake camera (a test pattern) stands in for a webcam the user allowed."""
    fake_camera = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]
    async with FakeBotAPI() as api, Playground(api).serving() as url, async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS + fake_camera)
        page, problems = await open_page(browser, url)
        await page.get_by_role("button", name="Start", exact=True).click()
        await page.get_by_role("button", name="Take a selfie with the camera").click()
        camera = page.get_by_role("dialog", name="Take a selfie")
        await expect(camera).to_be_visible()
        await expect(camera.locator("video")).to_have_js_property("readyState", 4)  # frames are coming
        await camera.get_by_role("button", name="Send photo").click()
        await expect(camera).to_be_hidden()
        await expect(page.locator(".msg.me img.photo")).to_be_visible()
        await api.wait_until(lambda: len(api.history(1001)) == 2)
        photo = api.history(1001)[1]["photo"][-1]
        assert (photo["width"], photo["height"]) == (640, 480)  # the fake camera's frame
        assert api.files[photo["file_id"]][:2] == b"\xff\xd8"
        assert await page.evaluate("() => document.querySelector('video').srcObject") is None  # camera off
        assert problems == []
        await browser.close()
