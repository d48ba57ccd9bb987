"""The scaled-out bot on one machine, for tests and `make bench-scale`: one webhook process and N
workers (`python bot.py` with BOT_ROLE), PostgreSQL and Redis given by URL, the fake Bot API
delivering updates to the webhook as Telegram does."""
from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path
from typing import IO, Any

import aiohttp

from playground.telegram import FakeBotAPI

ROOT = Path(__file__).resolve().parent.parent
SECRET = "cluster-secret"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Cluster:
    def __init__(self, api: FakeBotAPI, token: str, database_url: str, redis_url: str, log: IO[bytes],
                 **settings: str) -> None:
        self.api, self.log = api, log
        self.port = free_port()
        self.hook = f"http://127.0.0.1:{self.port}/hook"
        self.env = {**os.environ, "TELEGRAM_BOT_TOKEN": token, "TELEGRAM_API_BASE_URL": api.root,
                    "DATABASE_URL": database_url, "REDIS_URL": redis_url, "WEBHOOK_URL": self.hook,
                    "WEBHOOK_SECRET": SECRET, "WEBHOOK_LISTEN": "127.0.0.1", "PORT": str(self.port),
                    "INFERENCE_THREADS": "1", "FLOOD_BURST": "1000", **settings}
        self.webhook: subprocess.Popen[bytes] | None = None
        self.workers: list[subprocess.Popen[bytes]] = []

    def _start(self, role: str | None, *args: str) -> subprocess.Popen[bytes]:
        env = {**self.env, **({"BOT_ROLE": role} if role else {})}
        return subprocess.Popen([sys.executable, "bot.py", *args], cwd=ROOT, env=env, stdout=self.log,
                                stderr=subprocess.STDOUT)

    async def step(self, name: str) -> int:
        """A deploy step (migrate, set-webhook), run to its end; its exit code. (Waited for in a thread:
        the fake Bot API it may talk to runs on this event loop.)"""
        return await asyncio.to_thread(self._start(None, name).wait)

    async def start_webhook(self) -> None:
        self.webhook = self._start("webhook")
        async with aiohttp.ClientSession() as http:  # up when it answers (403: no secret given)
            for _ in range(600):
                try:
                    async with http.post(self.hook, data=b"{}") as response:
                        if response.status == 403:
                            return
                except aiohttp.ClientError:
                    pass
                if self.webhook.poll() is not None:
                    raise RuntimeError("the webhook process exited")
                await asyncio.sleep(0.05)
        raise TimeoutError("the webhook process did not start listening")

    def start_workers(self, n: int, health_dir: Path | None = None) -> list[Path]:
        """Start n workers; with `health_dir`, each keeps a heartbeat file there once it is serving."""
        files = []
        for _ in range(n):
            extra = {}
            if health_dir is not None:
                files.append(health_dir / f"worker{len(self.workers)}.alive")
                extra = {"HEALTH_FILE": str(files[-1])}
            self.env, saved = {**self.env, **extra}, self.env
            self.workers.append(self._start("worker"))
            self.env = saved
        return files

    def kill_worker(self, i: int = 0) -> None:
        self.workers[i].send_signal(signal.SIGKILL)
        self.workers[i].wait()

    def running(self) -> list[bool]:
        return [w.poll() is None for w in self.workers]

    def route_users_through_webhook(self) -> None:
        """FakeUser's updates go to the webhook (as Telegram POSTs them), not to getUpdates."""
        async def push(token: str, update: dict[str, Any]) -> int:
            status = await self.api.deliver(self.hook, update, secret=SECRET)
            if status != 200:
                raise RuntimeError(f"the webhook answered {status}")
            return 0

        self.api.push = push  # type: ignore[method-assign]

    def stop(self) -> None:
        for process in [*self.workers, *([self.webhook] if self.webhook else [])]:
            if process.poll() is None:
                process.terminate()
        for process in [*self.workers, *([self.webhook] if self.webhook else [])]:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
