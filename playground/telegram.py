"""A fake Telegram Bot API on 127.0.0.1 for tests, `make demo` and `make bench`.

The real Application talks to it over HTTP exactly as it would to api.telegram.org
(`TELEGRAM_API_BASE_URL`). It holds an update queue per bot token, records every call the bot
makes, stores the files users "upload" and serves them for download. `FakeUser` plays a person.
"""
from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from bot import messages

BOT_USER = {"id": 4242, "is_bot": True, "first_name": "moodtune", "username": "moodtune_bot",
            "can_join_groups": False, "can_read_all_group_messages": False, "supports_inline_queries": False}
JSON_FIELDS = {"reply_markup", "entities", "caption_entities", "media", "link_preview_options",
               "reply_parameters", "commands", "allowed_updates", "reaction"}
SENDS = {"sendMessage", "sendPhoto", "sendDocument"}
EDITS = {"editMessageText", "editMessageCaption", "editMessageReplyMarkup"}


@dataclass
class Call:
    """One request the bot made."""
    method: str
    params: dict[str, Any]
    files: dict[str, bytes]
    at: float = field(default_factory=time.perf_counter)
    result: Any = None

    @property
    def chat_id(self) -> int | None:
        chat = self.params.get("chat_id")
        return int(chat) if chat is not None else None

    @property
    def text(self) -> str:
        return self.params.get("text") or self.params.get("caption") or ""

    @property
    def buttons(self) -> list[tuple[str, str]]:
        """(label, callback_data or url) of every inline button, row by row."""
        rows = (self.params.get("reply_markup") or {}).get("inline_keyboard", [])
        return [(b["text"], b.get("callback_data") or b.get("url", "")) for row in rows for b in row]


class FakeBotAPI:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.files: dict[str, bytes] = {}
        self._updates: dict[str, list[dict]] = {}
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._changed = asyncio.Condition()
        self._messages: dict[tuple[int, int], dict] = {}  # (chat, message_id) -> message the bot sent
        self._runner: web.AppRunner | None = None
        self.root = ""
        self.webhook: dict[str, Any] | None = None

    # -- lifecycle ---------------------------------------------------------------------------
    async def start(self) -> FakeBotAPI:
        app = web.Application(client_max_size=64 * 2**20)
        app.router.add_post("/bot{token}/{method}", self._method)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        self.root = f"http://127.0.0.1:{port}"
        return self

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    async def __aenter__(self) -> FakeBotAPI:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # -- what users do -----------------------------------------------------------------------
    async def push(self, token: str, update: dict) -> int:
        update_id = next(self._update_ids)
        self._updates.setdefault(token, []).append({"update_id": update_id, **update})
        await self._notify()
        return update_id

    def upload(self, data: bytes) -> str:
        file_id = f"file{next(self._file_ids)}"
        self.files[file_id] = bytes(data)
        return file_id

    def message(self, chat_id: int, message_id: int) -> dict:
        return self._messages[(chat_id, message_id)]

    # -- what the bot did --------------------------------------------------------------------
    def sent(self, chat_id: int | None = None) -> list[Call]:
        """Messages the bot sent (sendMessage/sendPhoto/...), optionally to one chat."""
        return [c for c in self.calls if c.method in SENDS and (chat_id is None or c.chat_id == chat_id)]

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    async def wait_until(self, condition: Callable[[], bool], timeout: float = 30.0) -> None:
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(condition), timeout)

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    # -- the Bot API -------------------------------------------------------------------------
    async def _method(self, request: web.Request) -> web.Response:
        token, method = request.match_info["token"], request.match_info["method"]
        params, files = {}, {}
        for key, value in (await request.post()).items():
            if isinstance(value, web.FileField):
                files[key] = value.file.read()
            elif key in JSON_FIELDS:
                params[key] = json.loads(value)
            else:
                params[key] = value
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            return web.json_response({"ok": False, "error_code": 404, "description": f"Not Found: {method}"})
        call = Call(method, params, files)
        if method != "getUpdates":
            self.calls.append(call)
        result = await handler(token, call)
        if isinstance(result, web.Response):
            return result
        call.result = result
        await self._notify()
        return web.json_response({"ok": True, "result": result})

    async def _api_getUpdates(self, token: str, call: Call) -> list[dict]:
        offset = int(call.params.get("offset") or 0)
        timeout = float(call.params.get("timeout") or 0)
        queue = self._updates.setdefault(token, [])
        queue[:] = [u for u in queue if u["update_id"] >= offset]
        if not queue and timeout:
            with contextlib.suppress(TimeoutError):
                await self.wait_until(lambda: bool(queue), timeout)
        limit = int(call.params.get("limit") or 100)
        return queue[:limit]

    async def _api_getMe(self, token: str, call: Call) -> dict:
        return BOT_USER

    async def _ok(self, token: str, call: Call) -> bool:
        return True

    _api_deleteWebhook = _api_setMyCommands = _api_sendChatAction = _api_answerCallbackQuery = _ok
    _api_deleteMessage = _api_close = _api_logOut = _ok

    async def _api_setWebhook(self, token: str, call: Call) -> bool:
        self.webhook = call.params
        return True

    async def _api_getFile(self, token: str, call: Call) -> dict | web.Response:
        file_id = call.params["file_id"]
        if file_id not in self.files:
            return web.json_response({"ok": False, "error_code": 400, "description": "Bad Request: invalid file_id"})
        return {"file_id": file_id, "file_unique_id": file_id, "file_size": len(self.files[file_id]),
                "file_path": f"uploads/{file_id}"}

    async def _download(self, request: web.Request) -> web.Response:
        file_id = request.match_info["path"].rsplit("/", 1)[-1]
        if file_id not in self.files:
            raise web.HTTPNotFound()
        return web.Response(body=self.files[file_id])

    def _new_message(self, call: Call, **content: Any) -> dict:
        chat_id = call.chat_id
        message = {"message_id": next(self._message_ids), "date": int(time.time()), "from": BOT_USER,
                   "chat": {"id": chat_id, "type": "private"}, **content}
        if "reply_markup" in call.params:
            message["reply_markup"] = call.params["reply_markup"]
        self._messages[(chat_id, message["message_id"])] = message
        return message

    async def _api_sendMessage(self, token: str, call: Call) -> dict:
        return self._new_message(call, text=call.params["text"])

    async def _api_sendPhoto(self, token: str, call: Call) -> dict:
        file_id = self.upload(call.files.get("photo", b""))
        size = {"file_id": file_id, "file_unique_id": file_id, "width": 1, "height": 1}
        return self._new_message(call, photo=[size], caption=call.params.get("caption", ""))

    async def _api_sendDocument(self, token: str, call: Call) -> dict:
        file_id = self.upload(call.files.get("document", b""))
        return self._new_message(call, document={"file_id": file_id, "file_unique_id": file_id},
                                 caption=call.params.get("caption", ""))

    async def _edit(self, token: str, call: Call) -> dict:
        message = self._messages[(call.chat_id, int(call.params["message_id"]))]
        for key in ("text", "caption"):
            if key in call.params:
                message[key] = call.params[key]
        # Like Telegram: an edit without reply_markup removes the inline keyboard.
        message.pop("reply_markup", None)
        if "reply_markup" in call.params:
            message["reply_markup"] = call.params["reply_markup"]
        return message

    _api_editMessageText = _api_editMessageCaption = _api_editMessageReplyMarkup = _edit


class FakeUser:
    """A person in a private chat with the bot."""

    def __init__(self, api: FakeBotAPI, token: str, user_id: int, first_name: str = "Alex"):
        self.api, self.token, self.id = api, token, user_id
        self.user = {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "en"}
        self._message_ids = itertools.count(1)

    @property
    def sent(self) -> list[Call]:
        """What the bot sent to this user's chat, oldest first."""
        return self.api.sent(self.id)

    def _message(self, **content: Any) -> dict:
        return {"message_id": next(self._message_ids), "date": int(time.time()), "from": self.user,
                "chat": {"id": self.id, "type": "private", "first_name": self.user["first_name"]}, **content}

    async def send(self, **content: Any) -> int:
        """Any message content (text, photo, sticker, ...); returns the update id."""
        return await self.api.push(self.token, {"message": self._message(**content)})

    async def say(self, text: str) -> int:
        entities = []
        if text.startswith("/"):
            entities = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return await self.send(text=text, entities=entities) if entities else await self.send(text=text)

    async def send_photo(self, jpeg: bytes, width: int = 512, height: int = 512) -> int:
        file_id = self.api.upload(jpeg)
        sizes = [{"file_id": file_id, "file_unique_id": file_id, "width": width, "height": height,
                  "file_size": len(jpeg)}]
        return await self.send(photo=sizes)

    async def send_video_note(self, mp4: bytes, length: int = 384, duration: int = 1) -> int:
        file_id = self.api.upload(mp4)
        note = {"file_id": file_id, "file_unique_id": file_id, "length": length, "duration": duration,
                "file_size": len(mp4)}
        return await self.send(video_note=note)

    async def send_document(self, data: bytes, mime_type: str, file_name: str, file_size: int | None = None) -> int:
        file_id = self.api.upload(data)
        document = {"file_id": file_id, "file_unique_id": file_id, "file_name": file_name,
                    "mime_type": mime_type, "file_size": len(data) if file_size is None else file_size}
        return await self.send(document=document)

    async def press(self, call: Call, label: str) -> int:
        """Tap the inline button whose label contains `label` on a message the bot sent."""
        message = self.api.message(self.id, call.result["message_id"])
        rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
        buttons = [b for row in rows for b in row if label in b["text"] and "callback_data" in b]
        if not buttons:
            raise LookupError(f"no button {label!r} on {[b['text'] for row in rows for b in row]}")
        query = {"id": f"q{self.id}-{next(self._message_ids)}", "from": self.user, "chat_instance": str(self.id),
                 "data": buttons[0]["callback_data"], "message": message}
        return await self.api.push(self.token, {"callback_query": query})

    @property
    def activity(self) -> list[Call]:
        """Everything the bot did in this chat: messages, edits, and answers to this user's button taps."""
        return [c for c in self.api.calls
                if c.chat_id == self.id or c.params.get("callback_query_id", "").startswith(f"q{self.id}-")]

    async def wait_for(self, condition: Callable[[list[Call]], bool], timeout: float = 30.0) -> list[Call]:
        await self.api.wait_until(lambda: condition(self.activity), timeout)
        return self.activity

    async def wait_for_messages(self, count: int, timeout: float = 30.0) -> list[Call]:
        """Wait until the bot has sent this chat `count` messages in all; return them."""
        await self.api.wait_until(lambda: len(self.sent) >= count, timeout)
        return self.sent

    async def settle(self) -> None:
        """Wait until the bot has handled everything this user sent. One user's updates are handled
        in order, so the answer to a trailing /help marks the end."""
        before = len(self.sent)
        await self.say("/help")
        await self.api.wait_until(lambda: any(c.text == messages.HELP for c in self.sent[before:]))

    async def answer(self, action: Awaitable[int]) -> Call:
        """Do `action` (send something) once earlier updates are done; return the bot's first reply."""
        await self.settle()
        before = len(self.sent)
        await action
        return (await self.wait_for_messages(before + 1))[before]

    async def ask(self, text: str) -> Call:
        return await self.answer(self.say(text))
