"""Peak RSS of the real bot (`python bot.py`, a process of its own) while three users send the worst
image files at once: small files that decode huge (issue #26).

Each user sends one selfie (the warm-up), then twice over: a 16-bit 8900x8900 PNG (~150 KB), an
8900x8900 palette PNG with transparency (~10 KB), an 8000x8000 JPEG (~1 MB), a 4000x4000 RGBA PNG (refused: 64 MB of pixels) and the
largest RGBA PNG the decode budget lets in (2896x2896), all as documents.
Prints the bot's peak RSS (VmHWM) after the warm-up and after the files, and what it answered.

    python -m bench.hostile_images
"""
from __future__ import annotations

import asyncio
import io
import math
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

from playground.samples import sample_photos
from playground.telegram import FakeBotAPI, FakeUser
from storage import Store
from vision.image import DECODE_BUDGET

TOKEN = "123456:BENCH-token"
ROOT = Path(__file__).resolve().parent.parent


def encoded(image: Image.Image, format: str, **save: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format, **save)
    return buffer.getvalue()


def worst_files() -> dict[str, tuple[bytes, str]]:
    side = math.isqrt(DECODE_BUDGET // 4)
    return {
        "16-bit 8900x8900 PNG": (encoded(Image.new("I;16", (8900, 8900)), "PNG"), "image/png"),
        "8900x8900 palette PNG": (encoded(Image.new("P", (8900, 8900)), "PNG", transparency=0), "image/png"),
        "8000x8000 JPEG": (encoded(Image.new("RGB", (8000, 8000), (200, 100, 50)), "JPEG", quality=90), "image/jpeg"),
        "4000x4000 RGBA PNG": (encoded(Image.new("RGBA", (4000, 4000), (200, 100, 50, 128)), "PNG"), "image/png"),
        f"{side}x{side} RGBA PNG": (encoded(Image.new("RGBA", (side, side), (200, 100, 50, 128)), "PNG"), "image/png"),
    }


def peak_rss_mb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) // 1024
    raise RuntimeError("no VmHWM")


def start_bot(api_root: str, database: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": api_root, "DATABASE_URL": database,
           "POLL_TIMEOUT": "1", "WEBHOOK_URL": ""}
    return subprocess.Popen([sys.executable, "bot.py"], cwd=ROOT, env=env, stderr=subprocess.DEVNULL)


async def main() -> None:
    files = worst_files()
    with tempfile.TemporaryDirectory() as tmp:
        database = f"sqlite:///{tmp}/bench.db"
        store = await Store.open(database)
        for user_id in (1, 2, 3):
            await store.set_consent(user_id, True)
        await store.close()
        async with FakeBotAPI() as api:
            bot = start_bot(api.root, database)
            try:
                users = [FakeUser(api, TOKEN, user_id) for user_id in (1, 2, 3)]
                for user in users:
                    await user.send_photo(sample_photos()["one"])
                for user in users:
                    await user.wait_for_messages(1, timeout=300)
                warm = peak_rss_mb(bot.pid)
                for _ in range(2):
                    for name, (data, mime) in files.items():
                        for user in users:
                            await user.send_document(data, mime, name)
                for user in users:
                    await user.wait_for_messages(1 + 2 * len(files), timeout=300)
                print(f"bot peak RSS: {warm} MB after the warm-up, {peak_rss_mb(bot.pid)} MB after 3 users x 2 x "
                      f"({', '.join(files)})")
                for reply in users[0].sent[1:1 + len(files)]:
                    print("  ", reply.text[:90].replace("\n", " "))
            finally:
                bot.kill()
                bot.wait()


if __name__ == "__main__":
    asyncio.run(main())
