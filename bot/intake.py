"""Where updates come in: long polling or the webhook. Each only stores raw updates in the inbox.

* `Polling` fetches with getUpdates and stores the batch *before* the next getUpdates confirms it
  (Telegram forgets updates below the offset it is sent). A crash in between means Telegram sends
  the batch again, and the inbox ignores update ids it already has.
* `Webhook` answers Telegram 200 only after the update is stored. It refuses a request without the
  secret header, or without a Content-Length, or one bigger than any update, before reading a byte
  of the body.

Neither parses updates with python-telegram-bot (the dispatcher does, and skips what it can't
parse), so an update of a newer or odd format never stalls the fetching. The raw JSON is never
logged.
"""
from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
from collections.abc import Callable
from typing import Any

import httpx
import tornado.httpserver
import tornado.web

from storage import Inbox

log = logging.getLogger(__name__)
MAX_UPDATE_BYTES = 1 << 20  # a 4096-character message quoting another is tens of KB; Telegram sends no more
MAX_BACKOFF = 30.0
Row = tuple[int, int | None, str]


def user_of(update: dict[str, Any]) -> int | None:
    """Whose update it is (the sender, else the chat), read from the raw JSON: the per-user order key."""
    for value in update.values():
        if isinstance(value, dict):
            for holder in (value.get("from"), value.get("user"), value.get("chat")):
                if isinstance(holder, dict) and isinstance(holder.get("id"), int):
                    return int(holder["id"])
    return None


def as_row(update: object) -> Row | None:
    """An update as an inbox row, or None when it has no update id (nothing to store or confirm)."""
    if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
        return None
    return update["update_id"], user_of(update), json.dumps(update, ensure_ascii=False)


class Polling:
    def __init__(self, bot_url: str, inbox: Inbox, wake: Callable[[], None], allowed_updates: list[str],
                 timeout: int) -> None:
        self._url = bot_url  # https://api.telegram.org/bot<token>
        self.inbox, self.wake, self.allowed_updates, self.timeout = inbox, wake, allowed_updates, timeout
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._client = httpx.AsyncClient(timeout=httpx.Timeout(10.0, read=self.timeout + 10.0))
        await self._call("deleteWebhook")  # polling and a webhook exclude each other
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._client.aclose()

    async def _call(self, method: str, **params: Any) -> Any:
        form = {key: json.dumps(value) if isinstance(value, list) else str(value) for key, value in params.items()}
        response = await self._client.post(f"{self._url}/{method}", data=form)  # form fields, as PTB sends them
        body = response.json()
        if not body.get("ok"):
            retry_after = (body.get("parameters") or {}).get("retry_after")
            raise TelegramRefused(body.get("error_code"), retry_after)
        return body["result"]

    async def _run(self) -> None:
        offset: int | None = None
        backoff = 1.0
        while True:
            try:
                params: dict[str, Any] = {"timeout": self.timeout, "allowed_updates": self.allowed_updates}
                if offset is not None:
                    params["offset"] = offset  # confirms everything below it: it's stored by now
                updates = await self._call("getUpdates", **params)
                rows = [row for row in map(as_row, updates) if row is not None]
                if rows:
                    self.wake()  # first: the dispatcher's claim may store them and claim them in one transaction
                await self.inbox.put(rows)
            except (httpx.HTTPError, TelegramRefused, ValueError, OSError) as error:
                # ValueError: a body that isn't JSON; the database may fail too (OSError, its own errors below).
                wait = getattr(error, "retry_after", None) or backoff
                log.warning("getUpdates failed (%s); again in %.0f s", type(error).__name__, wait)
                await asyncio.sleep(min(float(wait), MAX_BACKOFF))
                backoff = min(backoff * 2, MAX_BACKOFF)
                continue
            except Exception as error:  # e.g. the database is down: keep the offset, try again
                log.error("storing updates failed (%s); again in %.0f s", type(error).__name__, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)
                continue
            backoff = 1.0
            ids = [u["update_id"] for u in updates if isinstance(u, dict) and isinstance(u.get("update_id"), int)]
            if ids:
                offset = max(ids) + 1


class TelegramRefused(Exception):
    def __init__(self, code: object, retry_after: object) -> None:
        super().__init__(f"Bot API error {code}")
        self.retry_after = retry_after if isinstance(retry_after, (int, float)) else None


class Webhook:
    def __init__(self, inbox: Inbox, wake: Callable[[], None], secret: str, path: str,
                 listen: str, port: int) -> None:
        self.inbox, self.wake, self.secret = inbox, wake, secret
        app = tornado.web.Application([(f"/{path.lstrip('/')}", _Receiver, {"intake": self})], log_function=_no_log)
        # Tornado itself refuses a Content-Length above max_body_size before reading the body.
        self._server = tornado.httpserver.HTTPServer(app, max_body_size=MAX_UPDATE_BYTES,
                                                     max_buffer_size=MAX_UPDATE_BYTES)
        self.listen, self.port = listen, port

    async def start(self) -> None:
        self._server.listen(self.port, self.listen)

    async def stop(self) -> None:
        self._server.stop()
        await self._server.close_all_connections()

    async def store(self, body: bytes) -> bool:
        try:
            row = as_row(json.loads(body))
        except ValueError:
            row = None
        if row is None:
            log.warning("webhook: a request body that is not an update (%d bytes) was refused", len(body))
            return False
        self.wake()  # first: the dispatcher's claim may store it and claim it in one transaction
        await self.inbox.put([row])
        return True


def _no_log(handler: tornado.web.RequestHandler) -> None:
    """Tornado's access log names the path, which holds nothing secret, but say nothing per request."""


@tornado.web.stream_request_body
class _Receiver(tornado.web.RequestHandler):
    intake: Webhook

    def initialize(self, intake: Webhook) -> None:
        self.intake = intake
        self.body_so_far = bytearray()

    def prepare(self) -> None:
        """Runs once the headers are in, before any of the body is read."""
        if self.request.method != "POST":
            raise tornado.web.HTTPError(405)
        given = self.request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
        if not hmac.compare_digest(given.encode(), self.intake.secret.encode()):
            raise tornado.web.HTTPError(403)
        length = self.request.headers.get("Content-Length", "")
        if not length.isdigit():
            raise tornado.web.HTTPError(411)
        if int(length) > MAX_UPDATE_BYTES:
            raise tornado.web.HTTPError(413)

    def data_received(self, chunk: bytes) -> None:
        self.body_so_far += chunk
        if len(self.body_so_far) > MAX_UPDATE_BYTES:
            raise tornado.web.HTTPError(413)

    async def post(self) -> None:
        stored = await self.intake.store(bytes(self.body_so_far))
        self.set_status(200 if stored else 400)
        self.finish()

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        # The body was not read, so this connection can't carry another request: say so, or a client
        # reusing it would write into a closed socket.
        self.set_header("Connection", "close")
        self.finish()

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        # Tornado's default logs the request (and may quote it); the status code says enough.
        if not isinstance(value, tornado.web.HTTPError):
            log.error("webhook request failed with %s", typ.__name__)
