"""`make demo`: a scripted conversation through the real Application and the shipped models, against
the fake Bot API on 127.0.0.1. No token, no network; prints the transcript.
"""
from __future__ import annotations

import asyncio
import html
import re
import tempfile
from collections.abc import Awaitable, Callable

from bot import messages
from bot.app import build_application, running
from bot.settings import Settings
from playground.samples import sample_photos
from playground.telegram import Call, FakeBotAPI, FakeUser

TOKEN = "4242:demo-token"
TAG = re.compile(r"<[^>]+>")


def plain(text: str) -> str:
    return html.unescape(TAG.sub("", text))


def show(call: Call) -> str:
    if call.method == "answerCallbackQuery":
        return f"   (button answer: {call.params['text']})" if call.params.get("text") else ""
    if call.method == "editMessageReplyMarkup":
        ticked = [label for label, _ in call.buttons if label.startswith("✅")]
        return f"🤖 (ticks {', '.join(ticked)})"
    body = plain(call.text)
    if call.method == "sendPhoto":
        body = f"[chart, {len(call.files.get('photo', b'')) // 1024} KB PNG]\n{body}"
    prefix = "🤖 (edits) " if call.method.startswith("edit") else "🤖 "
    lines = [prefix + body.replace("\n", "\n   ")]
    if call.buttons:
        lines.append("   " + " ".join(f"[{label}]" for label, _ in call.buttons))
    return "\n".join(lines)


class Transcript:
    def __init__(self, user: FakeUser):
        self.user, self.seen = user, 0

    async def step(self, said: str, action: Callable[[], Awaitable[object]]) -> list[Call]:
        """Print what the user did, do it, wait until the bot is done, print what the bot did."""
        print(f"\n👤 {self.user.user['first_name']}: {said}")
        await action()
        await self.user.settle()
        new = self.user.activity[self.seen:]
        self.seen = len(self.user.activity)
        # settle's own /help and its answer aren't part of the story
        shown = [c for c in new if c.text != messages.HELP]
        for call in shown:
            if line := show(call):
                print(line)
        if not any(c.method.startswith(("send", "edit")) for c in shown):
            print("🤖 (no reply: noted quietly)")
        return shown

    def last_message(self) -> Call:
        return [c for c in self.user.sent if c.text != messages.HELP][-1]


async def main() -> None:
    photos = sample_photos()
    with tempfile.TemporaryDirectory() as tmp:
        async with FakeBotAPI() as api:
            settings = Settings(_env_file=None, telegram_bot_token=TOKEN, telegram_api_base_url=api.root,
                                database_url=f"sqlite:///{tmp}/demo.db",
                                flood_burst=1000,  # the script is faster than any thumb
                                poll_timeout=1)  # the fake Bot API waits out a pending poll when it stops
            print(f"moodtune demo: the real bot and models, a fake Bot API at {api.root}\n" + "-" * 72)
            async with running(build_application(settings)):
                sam = FakeUser(api, TOKEN, 1001, "Sam")
                t = Transcript(sam)
                await t.step("[sends a selfie before agreeing]", lambda: sam.send_photo(photos["one"]))
                await t.step("/start", lambda: sam.say("/start"))
                await t.step("[taps ✅ I agree]", lambda: sam.press(t.last_message(), "I agree"))
                await t.step("[sends a selfie]", lambda: sam.send_photo(photos["one"]))
                await t.step("ugh, my train got cancelled again", lambda: sam.say("ugh, my train got cancelled again"))
                await t.step("whatever, it's fine", lambda: sam.say("whatever, it's fine"))
                await t.step("how am I feeling?", lambda: sam.say("how am I feeling?"))
                await t.step("/playlist", lambda: sam.say("/playlist"))
                playlist = t.last_message()
                await t.step("[taps 1 👍]", lambda: sam.press(playlist, "1 👍"))
                await t.step("[taps ✋ Not my mood]", lambda: sam.press(playlist, "Not my mood"))
                await t.step("[taps 😊 happy]", lambda: sam.press(t.last_message(), "happy"))
                await t.step("/playlist lift", lambda: sam.say("/playlist lift"))
                await t.step("/prefs telugu, sid sriram", lambda: sam.say("/prefs telugu, sid sriram"))
                await t.step("[sends a sticker]", lambda: sam.send(sticker={
                    "file_id": "s1", "file_unique_id": "s1", "type": "regular", "width": 512, "height": 512,
                    "is_animated": False, "is_video": False}))
                await t.step("/forget", lambda: sam.say("/forget"))
                await t.step("[taps 🗑 Yes, erase everything]", lambda: sam.press(t.last_message(), "Yes, erase"))
                await t.step("/mood", lambda: sam.say("/mood"))
    print("-" * 72 + f"\n{len(api.calls)} Bot API calls, all answered by the fake API on 127.0.0.1.")


if __name__ == "__main__":
    asyncio.run(main())
