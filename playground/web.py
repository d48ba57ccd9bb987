"""The playground: the real bot in a local web chat page (`make run` without TELEGRAM_BOT_TOKEN).

The page (static/, plain HTML/CSS/JS) talks to this small server, which plays the person through the
Bot API emulator (`playground.telegram`); the real Application polls the emulator exactly as it
polls Telegram, so the bot's code is the same in both. Loopback only.

The page's API (JSON):
    GET  /api/events?chat=C&after=N  long poll: {"chat", "events", "next", "commands", "bot"}; a chat
                                     other than C (after a reset) comes at once, from its start
    POST /api/messages {"chat", "text"}                 -> {"message_id"}
    POST /api/photos   multipart: chat, photo (a file)  -> {"message_id"}
    POST /api/taps     {"chat", "message_id", "data"}   -> {"query_id"}
    POST /api/reset                                     -> {"chat"}: a new, empty conversation
    GET  /api/files/{file_id}                           a picture in the chat (either side's)
"""
from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import os
import signal
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler
from PIL import Image, ImageOps, UnidentifiedImageError
from pydantic import SecretStr

from bot.settings import Settings
from playground.telegram import BOT_USER, TEXT_LIMIT, FakeBotAPI, FakeUser, Json

STATIC = Path(__file__).parent / "static"
TOKEN = "4242:playground-token"
FIRST_CHAT = 1001
DEFAULT_PORT = 8765
LONG_POLL = 20.0  # seconds a /api/events request waits for something to happen
PHOTO_SIDE = 1280  # Telegram recompresses photos to at most this many pixels a side
UPLOAD_LIMIT = 25 * 2**20  # beyond Telegram's 20 MB download limit, so the bot's own answer shows
SECURITY_HEADERS = {
    # Bot messages are rendered from HTML: only our own script runs, pictures come from here only.
    "Content-Security-Policy": "default-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; "
                               "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",  # a music link must not tell Spotify about the local page
}


class Playground:
    """One conversation at a time between the person at the page and the bot, through `api`."""

    def __init__(self, api: FakeBotAPI, token: str = TOKEN, first_name: str = "You"):
        self.api, self.token, self.first_name = api, token, first_name
        self.user = FakeUser(api, token, FIRST_CHAT, first_name)
        self.url = ""
        self.polling = 0  # long polls waiting now
        self._runner: web.AppRunner | None = None

    @property
    def chat(self) -> int:
        return self.user.id

    # -- lifecycle ---------------------------------------------------------------------------
    async def start(self, port: int = 0) -> str:
        """Serve on 127.0.0.1:`port` (0: any free port); returns the page's URL."""
        app = web.Application(client_max_size=UPLOAD_LIMIT, middlewares=[self._guard])
        app.router.add_get("/", self._index)
        app.router.add_static("/static", STATIC, append_version=False)
        app.router.add_get("/api/events", self._events)
        app.router.add_post("/api/messages", self._message)
        app.router.add_post("/api/photos", self._photo)
        app.router.add_post("/api/taps", self._tap)
        app.router.add_post("/api/reset", self._reset)
        app.router.add_get("/api/files/{file_id}", self._file)
        # Open long polls would hold a stop for a minute: give them a second, then cut them.
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        try:
            await web.TCPSite(runner, "127.0.0.1", port).start()
        except OSError:  # the port is taken
            await runner.cleanup()
            raise
        self._runner = runner
        self.url = f"http://127.0.0.1:{runner.addresses[0][1]}"
        return self.url

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    @contextlib.asynccontextmanager
    async def serving(self, port: int = 0) -> AsyncIterator[str]:
        try:
            yield await self.start(port)
        finally:
            await self.stop()

    async def reset(self) -> int:
        """Forget the conversation (its messages and pictures) and start a new chat as a new user."""
        self.api.forget_chat(self.chat)
        self.user = FakeUser(self.api, self.token, self.chat + 1, self.first_name)
        await self.api.notify()  # long polls on the old chat answer at once
        return self.chat

    # -- HTTP ----------------------------------------------------------------------------------
    @web.middleware
    async def _guard(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Only this machine's browser: another site (DNS rebinding, a form posting across origins)
        could otherwise drive the chat or read it."""
        port = self._runner.addresses[0][1] if self._runner else 0
        hosts = {f"127.0.0.1:{port}", f"localhost:{port}"}
        origin = request.headers.get("Origin")
        if request.host not in hosts or (origin is not None and origin.removeprefix("http://") not in hosts):
            raise web.HTTPForbidden(text="The playground only answers its own page on this machine.")
        response = await handler(request)
        response.headers.update(SECURITY_HEADERS)
        return response

    async def _index(self, request: web.Request) -> web.FileResponse:
        return web.FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})

    def _current(self, chat: object) -> None:
        if str(chat) != str(self.chat):
            raise web.HTTPConflict(text="This conversation was reset; reload the page.")

    async def _events(self, request: web.Request) -> web.Response:
        try:
            after = max(0, int(request.query.get("after", "0")))
        except ValueError:
            raise web.HTTPBadRequest(text="after must be a number") from None
        chat = self.chat
        if request.query.get("chat") != str(chat):
            after = 0  # a new page, or the chat was reset: everything from the start, at once
        else:
            self.polling += 1
            await self.api.notify()  # for whoever waits for the page to be listening (tests)
            try:
                with contextlib.suppress(TimeoutError):
                    await self.api.wait_until(lambda: len(self.api.events(chat)) > after or chat != self.chat,
                                              LONG_POLL)
            finally:
                self.polling -= 1
        if chat != self.chat:  # reset while waiting: the new chat, from its start
            chat, after = self.chat, 0
        events = self.api.events(chat, after)
        return web.json_response({"chat": chat, "events": events, "next": after + len(events),
                                  "commands": self.api.commands, "bot": BOT_USER["first_name"]})

    async def _message(self, request: web.Request) -> web.Response:
        body = await _json(request)
        self._current(body.get("chat"))
        text = str(body.get("text", "")).strip()
        if not text or len(text) > TEXT_LIMIT:
            raise web.HTTPBadRequest(text=f"A message is 1 to {TEXT_LIMIT} characters.")
        user = self.user
        await user.say(text)
        return web.json_response({"message_id": user.last_message_id})

    async def _photo(self, request: web.Request) -> web.Response:
        form = await request.post()
        self._current(form.get("chat"))
        user = self.user  # the chat it was sent to, even if a reset comes while it's being converted
        upload = form.get("photo")
        if not isinstance(upload, web.FileField):
            raise web.HTTPBadRequest(text="Attach a picture as 'photo'.")
        data = upload.file.read()
        if not data:
            raise web.HTTPBadRequest(text="That file is empty.")
        # Like Telegram: a picture goes as a photo (recompressed); any other file as a document.
        photo = await asyncio.to_thread(as_telegram_photo, data)
        if photo is None:
            await user.send_document(data, upload.content_type or "application/octet-stream", upload.filename)
        else:
            jpeg, width, height = photo
            await user.send_photo(jpeg, width, height)
        return web.json_response({"message_id": user.last_message_id})

    async def _tap(self, request: web.Request) -> web.Response:
        body = await _json(request)
        self._current(body.get("chat"))
        try:
            query_id = await self.user.tap(int(body["message_id"]), str(body["data"]))
        except (KeyError, ValueError, LookupError):
            raise web.HTTPBadRequest(text="That button is not in this chat (any more).") from None
        return web.json_response({"query_id": query_id})

    async def _reset(self, request: web.Request) -> web.Response:
        return web.json_response({"chat": await self.reset()})

    async def _file(self, request: web.Request) -> web.Response:
        file_id = request.match_info["file_id"]
        in_chat = any(file_id in _pictures(m) for m in self.api.history(self.chat))
        if not in_chat or file_id not in self.api.files:
            raise web.HTTPNotFound()
        data = self.api.files[file_id]
        kind = "image/png" if data.startswith(b"\x89PNG") else "image/jpeg"
        return web.Response(body=data, content_type=kind, headers={"Cache-Control": "private, no-store"})


async def _json(request: web.Request) -> Json:
    try:
        body = await request.json()
    except ValueError:
        raise web.HTTPBadRequest(text="Send JSON.") from None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text="Send a JSON object.")
    return body


def _pictures(message: Json) -> set[str]:
    return {size["file_id"] for size in message.get("photo", [])}


def as_telegram_photo(data: bytes) -> tuple[bytes, int, int] | None:
    """A picture as Telegram stores a photo: upright, JPEG, at most PHOTO_SIDE a side. None: not a picture."""
    try:
        image = ImageOps.exif_transpose(Image.open(io.BytesIO(data)))
        image.thumbnail((PHOTO_SIDE, PHOTO_SIDE))
        buffer = io.BytesIO()
        image.convert("RGB").save(buffer, format="JPEG", quality=87)
    except (UnidentifiedImageError, OSError, ValueError):
        return None
    return buffer.getvalue(), image.width, image.height


# -- `make run` without a token ------------------------------------------------------------------
def playground_settings(settings: Settings, api_root: str, folder: str) -> Settings:
    """The user's settings (Spotify keys, model folders...) with the emulator as Telegram, long polling,
    and, unless DATABASE_URL was set, a database in a temporary folder."""
    update: dict[str, Any] = {"telegram_bot_token": SecretStr(TOKEN), "telegram_api_base_url": api_root,
                              "webhook_url": None, "health_file": None}
    if "database_url" not in settings.model_fields_set:
        update["database_url"] = f"sqlite:///{folder}/playground.db"
    return settings.model_copy(update=update)


def port_from_env() -> int:
    try:
        return int(os.environ.get("PLAYGROUND_PORT", DEFAULT_PORT))
    except ValueError:
        return DEFAULT_PORT


def banner(url: str, temporary_database: bool, how_to_use_telegram: str) -> str:
    kept = "a temporary database" if temporary_database else "your DATABASE_URL"
    return (f"\n  Open {url} in your browser to chat with the bot.\n\n"
            f"  Only this computer can open it. The conversation is kept in memory and in {kept};\n"
            "  \"New chat\" on the page starts over, Ctrl+C here stops the playground"
            f"{' and erases both' if temporary_database else ''}.\n\n"
            f"To use the bot in Telegram instead:\n{how_to_use_telegram}")


async def serve(settings: Settings, port: int, how_to_use_telegram: str) -> None:
    """Run the bot against the emulator and the page on 127.0.0.1:`port` until cancelled (Ctrl+C)."""
    from bot.app import build_application, running  # torch & models: only when running

    # `kill` stops it as cleanly as Ctrl+C: the temporary folder goes too.
    main_task = asyncio.current_task()
    if main_task is not None:
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, main_task.cancel)
    print("moodtune playground: no TELEGRAM_BOT_TOKEN, so the bot runs here in a local chat page.\n"
          "Loading the models...", flush=True)
    with tempfile.TemporaryDirectory(prefix="moodtune-playground-") as folder:
        async with FakeBotAPI() as api:
            local = playground_settings(settings, api.root, folder)
            playground = Playground(api)
            async with running(build_application(local)):
                try:
                    url = await playground.start(port)
                except OSError:  # the port is taken: any free one will do
                    url = await playground.start(0)
                try:
                    temporary = local.database_url != settings.database_url
                    print(banner(url, temporary, how_to_use_telegram), flush=True)
                    await asyncio.Event().wait()
                finally:
                    await playground.stop()


def main(settings: Settings, how_to_use_telegram: str) -> int:
    if "log_level" not in settings.model_fields_set:  # the page is the interface: the console shows problems only
        logging.getLogger().setLevel(logging.WARNING)
    with contextlib.suppress(KeyboardInterrupt, asyncio.CancelledError):
        asyncio.run(serve(settings, port_from_env(), how_to_use_telegram))
    return 0
