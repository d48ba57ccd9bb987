"""A local Telegram Bot API on 127.0.0.1: for tests, `make demo`, `make bench` and the web playground.

The real Application talks to it over HTTP exactly as it would to api.telegram.org
(`TELEGRAM_API_BASE_URL`). It holds an update queue per bot token, records every call the bot
makes, stores the files users "upload" and serves them for download. Like Telegram it keeps each
chat's messages from both sides (message ids shared per chat), rejects HTML that Telegram would
reject, and keeps a per-chat event log (new, edited and deleted messages, button answers) that a
client such as `playground.web` follows. `FakeUser` plays a person.

Where it differs from Telegram: a message keeps its text as the bot sent it (HTML is checked, not
turned into entities), photos keep one size, and there are only private chats.
"""
from __future__ import annotations

import asyncio
import contextlib
import copy
import io
import itertools
import json
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import aiohttp
from aiohttp import web
from PIL import Image

from bot import messages

Json = dict[str, Any]  # a Bot API object (Message, Update, ...) as JSON

BOT_USER = {"id": 4242, "is_bot": True, "first_name": "moodtune", "username": "moodtune_bot",
            "can_join_groups": False, "can_read_all_group_messages": False, "supports_inline_queries": False}
JSON_FIELDS = {"reply_markup", "entities", "caption_entities", "media", "link_preview_options",
               "reply_parameters", "commands", "allowed_updates", "reaction"}
SENDS = {"sendMessage", "sendPhoto", "sendDocument"}
EDITS = {"editMessageText", "editMessageCaption", "editMessageReplyMarkup"}
# Telegram's own limits, in UTF-16 code units after entity parsing.
TEXT_LIMIT, CAPTION_LIMIT = 4096, 1024
DOWNLOAD_LIMIT = 20 * 10**6  # getFile refuses bigger files (the Bot API's documented limit)
# The HTML Telegram understands (https://core.telegram.org/bots/api#html-style); anything else is a 400.
HTML_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a", "tg-emoji",
             "code", "pre", "blockquote"}
HTML_NAMED_ENTITIES = {"lt", "gt", "amp", "quot"}


class EntityError(ValueError):
    """Text Telegram would refuse with "Bad Request: can't parse entities"."""


class _TelegramHTML(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.open: list[str] = []
        self.length = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in HTML_TAGS or (tag == "span" and dict(attrs).get("class") != "tg-spoiler"):
            raise EntityError(f'Unsupported start tag "{tag}"')
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            raise EntityError(f'Unmatched end tag "{tag}"')
        self.open.pop()

    def handle_data(self, data: str) -> None:
        self.length += len(data.encode("utf-16-le")) // 2

    def handle_entityref(self, name: str) -> None:
        if name not in HTML_NAMED_ENTITIES:
            raise EntityError(f'Unsupported HTML entity "&{name};"')
        self.length += 1

    def handle_charref(self, name: str) -> None:
        self.length += 1


def html_length(text: str) -> int:
    """The length Telegram counts for an HTML text (tags and entities parsed), or EntityError."""
    parser = _TelegramHTML()
    parser.feed(text)
    parser.close()
    if parser.open:
        raise EntityError(f"Can't find end tag corresponding to start tag \"{parser.open[-1]}\"")
    return parser.length


def check_text(params: Json) -> None:
    """Raise EntityError for a text or caption Telegram would refuse (bad HTML, too long)."""
    for key, limit in (("text", TEXT_LIMIT), ("caption", CAPTION_LIMIT)):
        if key not in params:
            continue
        text = str(params[key])
        length = html_length(text) if params.get("parse_mode") == "HTML" else len(text.encode("utf-16-le")) // 2
        if length > limit or (key == "text" and length == 0):
            raise EntityError(f"{key} must be 1-{limit} characters long, not {length}" if length else
                              "message text is empty")


def _error(code: int, description: str) -> web.Response:
    return web.json_response({"ok": False, "error_code": code, "description": description}, status=code)


@dataclass
class Call:
    """One request the bot made."""
    method: str
    params: Json
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
        self.rejected: list[tuple[Call, str]] = []  # calls Telegram would refuse, with its description
        self.files: dict[str, bytes] = {}
        self.commands: list[Json] = []  # the bot's menu, as it last set it (setMyCommands)
        self._updates: dict[str, list[Json]] = {}
        self._update_ids = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._message_ids: defaultdict[int, itertools.count[int]] = defaultdict(lambda: itertools.count(1))
        self._changed = asyncio.Condition()
        self._messages: dict[tuple[int, int], Json] = {}  # (chat, message_id) -> message, from either side
        self._events: defaultdict[int, list[Json]] = defaultdict(list)  # chat -> what happened there, in order
        self._query_chats: dict[str, int] = {}  # callback query id -> the chat its button is in
        self._read: set[tuple[int, int]] = set()
        self._runner: web.AppRunner | None = None
        self.root = ""
        self.webhook: Json | None = None
        self._stopping = False  # wakes pending long polls, so stopping never waits out their timeout
        self.answer_deadline: float | None = None  # seconds a callback query can be answered; None: forever
        self._failures: list[tuple[str, Json]] = []  # injected by `fail`
        self._query_times: dict[str, float] = {}

    # -- lifecycle ---------------------------------------------------------------------------
    async def start(self) -> FakeBotAPI:
        app = web.Application(client_max_size=64 * 2**20)
        app.router.add_post("/bot{token}/{method}", self._method)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.root = f"http://127.0.0.1:{self._runner.addresses[0][1]}"
        return self

    async def stop(self) -> None:
        self._stopping = True
        await self.notify()
        if self._runner:
            await self._runner.cleanup()

    async def __aenter__(self) -> FakeBotAPI:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # -- what users do -----------------------------------------------------------------------
    async def push(self, token: str, update: Json) -> int:
        """Queue an update for the bot. A message joins its chat; a button tap remembers its chat."""
        update_id = next(self._update_ids)
        if message := update.get("message"):
            self._add(message)
        if query := update.get("callback_query"):
            self._query_chats[query["id"]] = query["message"]["chat"]["id"]
            self._query_times[query["id"]] = time.monotonic()
        self._updates.setdefault(token, []).append({"update_id": update_id, **update})
        await self.notify()
        return update_id

    def new_message_id(self, chat_id: int) -> int:
        """The next message id in a chat: one sequence for both sides, as in Telegram."""
        return next(self._message_ids[chat_id])

    def upload(self, data: bytes) -> str:
        file_id = f"file{next(self._file_ids)}"
        self.files[file_id] = bytes(data)
        return file_id

    def message(self, chat_id: int, message_id: int) -> Json:
        return self._messages[(chat_id, message_id)]

    def history(self, chat_id: int) -> list[Json]:
        """Every message in the chat as it is now, oldest first."""
        return sorted((m for (chat, _), m in self._messages.items() if chat == chat_id), key=lambda m: m["message_id"])

    def forget_chat(self, chat_id: int) -> None:
        """Drop a chat's messages, events and the files in them (the playground's reset)."""
        for message in self.history(chat_id):
            for file_id in _file_ids(message):
                self.files.pop(file_id, None)
            del self._messages[(chat_id, message["message_id"])]
        self._events.pop(chat_id, None)
        self._read = {key for key in self._read if key[0] != chat_id}

    # -- what happened in a chat -------------------------------------------------------------
    def events(self, chat_id: int, after: int = 0) -> list[Json]:
        """What happened in a chat since the first `after` events: {"type": "message", "message"} for a new
        or edited message (as it is then), "deleted" (message_id), "read" (message_id: the bot fetched it),
        "answer" (query_id, text, show_alert: the bot answered a button tap)."""
        return self._events.get(chat_id, [])[after:]

    def _log(self, chat_id: int, **event: Any) -> None:
        self._events[chat_id].append(event)

    def _add(self, message: Json) -> None:
        self._messages[(message["chat"]["id"], message["message_id"])] = message
        self._log(message["chat"]["id"], type="message", message=copy.deepcopy(message))

    # -- what the bot did --------------------------------------------------------------------
    def sent(self, chat_id: int | None = None) -> list[Call]:
        """Messages the bot sent (sendMessage/sendPhoto/...), optionally to one chat."""
        return [c for c in self.calls if c.method in SENDS and (chat_id is None or c.chat_id == chat_id)]

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    async def wait_until(self, condition: Callable[[], bool], timeout: float = 30.0) -> None:
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(condition), timeout)

    async def notify(self) -> None:
        """Wake everything waiting in wait_until to look again."""
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
            return _error(404, f"Not Found: method {method} not found")
        call = Call(method, params, files)
        if injected := self._injected_failure(method):
            self.rejected.append((call, injected["description"]))
            await self.notify()
            return web.json_response(injected, status=injected["error_code"])
        try:
            if method in SENDS or method in EDITS:
                check_text(params)
            result = await handler(token, call)
        except EntityError as error:
            return self._reject(call, f"Bad Request: can't parse entities: {error}")
        except BadRequest as error:
            return self._reject(call, f"Bad Request: {error}")
        if method != "getUpdates":
            self.calls.append(call)
        call.result = result
        await self.notify()
        return web.json_response({"ok": True, "result": result})

    def _reject(self, call: Call, description: str) -> web.Response:
        self.rejected.append((call, description))
        return _error(400, description)

    @property
    def refused(self) -> list[Call]:
        """The calls Telegram would have refused (each with its reason in `rejected`)."""
        return [call for call, _ in self.rejected]

    # -- behaving like Telegram when it refuses ------------------------------------------------
    def fail(self, method: str, error_code: int = 429, description: str = "Too Many Requests: retry after 1",
             retry_after: int | None = 1, times: int = 1) -> None:
        """The next `times` calls of `method` fail like that (by default a 429 with retry_after 1 s)."""
        error: Json = {"ok": False, "error_code": error_code, "description": description}
        if retry_after is not None:
            error["parameters"] = {"retry_after": retry_after}
        self._failures += [(method, error)] * times

    def _injected_failure(self, method: str) -> Json | None:
        for i, (failing, error) in enumerate(self._failures):
            if failing == method:
                del self._failures[i]
                return error
        return None

    async def deliver(self, url: str, update: Json | bytes, secret: str | None = None,
                      headers: dict[str, str] | None = None) -> int:
        """POST an update to a webhook as Telegram does (with the secret given to setWebhook); the status."""
        secret = secret if secret is not None else (self.webhook or {}).get("secret_token", "")
        body = update if isinstance(update, bytes) else json.dumps({"update_id": next(self._update_ids), **update}).encode()
        sent = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": secret, **(headers or {})}
        async with aiohttp.ClientSession() as http, http.post(url, data=body, headers=sent) as response:
            return response.status

    async def _api_getUpdates(self, token: str, call: Call) -> list[Json]:
        offset = int(call.params.get("offset") or 0)
        timeout = float(call.params.get("timeout") or 0)
        queue = self._updates.setdefault(token, [])
        queue[:] = [u for u in queue if u["update_id"] >= offset]
        if not queue and timeout:
            with contextlib.suppress(TimeoutError):
                await self.wait_until(lambda: bool(queue) or self._stopping, timeout)
        limit = int(call.params.get("limit") or 100)
        updates = queue[:limit]
        for update in updates:  # the user's side shows ✓✓ once the bot has fetched a message
            if (message := update.get("message")) and (key := (message["chat"]["id"], message["message_id"])) \
                    not in self._read:
                self._read.add(key)
                self._log(key[0], type="read", message_id=key[1])
        return updates

    async def _api_getMe(self, token: str, call: Call) -> Json:
        return BOT_USER

    async def _ok(self, token: str, call: Call) -> bool:
        return True

    _api_deleteWebhook = _api_sendChatAction = _api_close = _api_logOut = _ok

    async def _api_setMyCommands(self, token: str, call: Call) -> bool:
        self.commands = call.params.get("commands", [])
        return True

    async def _api_setWebhook(self, token: str, call: Call) -> bool:
        self.webhook = call.params
        return True

    async def _api_answerCallbackQuery(self, token: str, call: Call) -> bool:
        query_id = call.params["callback_query_id"]
        asked = self._query_times.get(query_id)
        if self.answer_deadline is not None and (asked is None or time.monotonic() - asked > self.answer_deadline):
            raise BadRequest("query is too old and response timeout expired or query ID is invalid")
        if query_id not in self._query_chats:
            raise BadRequest("query is too old and response timeout expired or query id is invalid")
        self._log(self._query_chats.pop(query_id), type="answer", query_id=query_id,
                  text=call.params.get("text", ""), show_alert=call.params.get("show_alert") in (True, "true", "True"))
        return True

    async def _api_getFile(self, token: str, call: Call) -> Json:
        file_id = call.params["file_id"]
        if file_id not in self.files:
            raise BadRequest("invalid file_id")
        if len(self.files[file_id]) > DOWNLOAD_LIMIT:
            raise BadRequest("file is too big")
        return {"file_id": file_id, "file_unique_id": file_id, "file_size": len(self.files[file_id]),
                "file_path": f"uploads/{file_id}"}

    async def _download(self, request: web.Request) -> web.Response:
        file_id = request.match_info["path"].rsplit("/", 1)[-1]
        if file_id not in self.files:
            raise web.HTTPNotFound()
        return web.Response(body=self.files[file_id])

    def _new_message(self, call: Call, **content: Any) -> Json:
        chat_id = call.chat_id
        if chat_id is None:
            raise BadRequest("chat_id is empty")
        message = {"message_id": self.new_message_id(chat_id), "date": int(time.time()), "from": BOT_USER,
                   "chat": {"id": chat_id, "type": "private"}, **content}
        if "reply_markup" in call.params:
            message["reply_markup"] = call.params["reply_markup"]
        self._add(message)
        return message

    def _file(self, call: Call, field: str) -> bytes:
        """An attached file, or one sent before by file_id."""
        if field in call.files:
            return call.files[field]
        if (file_id := call.params.get(field)) in self.files:
            return self.files[file_id]
        raise BadRequest("wrong file identifier/HTTP URL specified")

    async def _api_sendMessage(self, token: str, call: Call) -> Json:
        return self._new_message(call, text=call.params["text"])

    async def _api_sendPhoto(self, token: str, call: Call) -> Json:
        data = self._file(call, "photo")
        try:
            width, height = Image.open(io.BytesIO(data)).size
        except Exception as error:  # Telegram refuses what isn't an image
            raise BadRequest("IMAGE_PROCESS_FAILED") from error
        file_id = self.upload(data)
        size = {"file_id": file_id, "file_unique_id": file_id, "width": width, "height": height,
                "file_size": len(data)}
        return self._new_message(call, photo=[size], caption=call.params.get("caption", ""))

    async def _api_sendDocument(self, token: str, call: Call) -> Json:
        file_id = self.upload(self._file(call, "document"))
        return self._new_message(call, document={"file_id": file_id, "file_unique_id": file_id},
                                 caption=call.params.get("caption", ""))

    def _bots_message(self, call: Call) -> Json:
        message = self._messages.get((call.chat_id or 0, int(call.params.get("message_id") or 0)))
        if message is None:
            raise BadRequest(f"message to {'delete' if call.method == 'deleteMessage' else 'edit'} not found")
        if message["from"]["id"] != BOT_USER["id"]:
            raise BadRequest("message can't be edited" if call.method in EDITS else "message can't be deleted")
        return message

    async def _edit(self, token: str, call: Call) -> Json:
        message = self._bots_message(call)
        before = copy.deepcopy(message)
        changed = False
        for key in ("text", "caption"):
            if key in call.params:
                changed |= message.get(key) != call.params[key]
                message[key] = call.params[key]
        # Like Telegram: an edit without reply_markup removes the inline keyboard.
        message.pop("reply_markup", None)
        if "reply_markup" in call.params:
            message["reply_markup"] = call.params["reply_markup"]
        if message == before:
            raise BadRequest("message is not modified: specified new message content and reply markup are "
                             "exactly the same as a current content and reply markup of the message")
        if changed:
            message["edit_date"] = int(time.time())
        self._log(message["chat"]["id"], type="message", message=copy.deepcopy(message))
        return message

    _api_editMessageText = _api_editMessageCaption = _api_editMessageReplyMarkup = _edit

    async def _api_deleteMessage(self, token: str, call: Call) -> bool:
        message = self._bots_message(call)
        del self._messages[(message["chat"]["id"], message["message_id"])]
        self._log(message["chat"]["id"], type="deleted", message_id=message["message_id"])
        return True


class BadRequest(Exception):
    """A call Telegram answers with 400 Bad Request; the message is its description."""


def _file_ids(message: Json) -> list[str]:
    files = [size["file_id"] for size in message.get("photo", [])]
    return files + ([message["document"]["file_id"]] if "document" in message else [])


class FakeUser:
    """A person in a private chat with the bot."""

    def __init__(self, api: FakeBotAPI, token: str, user_id: int, first_name: str = "Alex"):
        self.api, self.token, self.id = api, token, user_id
        self.user = {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "en"}
        self._query_ids = itertools.count(1)
        self.last_message_id = 0  # of the last message this user sent

    @property
    def sent(self) -> list[Call]:
        """What the bot sent to this user's chat, oldest first."""
        return self.api.sent(self.id)

    def _message(self, **content: Any) -> Json:
        self.last_message_id = self.api.new_message_id(self.id)
        return {"message_id": self.last_message_id, "date": int(time.time()), "from": self.user,
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
        update_id, _ = await self._tap(message, buttons[0]["callback_data"])
        return update_id

    async def tap(self, message_id: int, data: str) -> str:
        """Tap the button with callback `data` on one of the bot's messages; returns the query id.
        LookupError when the message has no such button (any more)."""
        message = self.api.message(self.id, message_id)
        rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
        if not any(b.get("callback_data") == data for row in rows for b in row):
            raise LookupError(f"no button with data {data!r} on message {message_id}")
        _, query_id = await self._tap(message, data)
        return query_id

    async def tap_any(self, message_id: int, data: str) -> str:
        """A tap with any callback data on one of the bot's messages (a forged or long-gone button)."""
        _, query_id = await self._tap(self.api.message(self.id, message_id), data)
        return query_id

    async def _tap(self, message: Json, data: str) -> tuple[int, str]:
        query_id = f"q{self.id}-{next(self._query_ids)}"
        query = {"id": query_id, "from": self.user, "chat_instance": str(self.id), "data": data,
                 "message": copy.deepcopy(message)}
        return await self.api.push(self.token, {"callback_query": query}), query_id

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
