"""Stickers, voice, video, locations, unknown commands: a short friendly answer."""
import pytest

from bot import messages

MEDIA = {
    "sticker": {"sticker": {"file_id": "s", "file_unique_id": "s", "type": "regular", "width": 512, "height": 512,
                            "is_animated": False, "is_video": False}},
    "voice": {"voice": {"file_id": "v", "file_unique_id": "v", "duration": 3}},
    "video": {"video": {"file_id": "w", "file_unique_id": "w", "width": 640, "height": 480, "duration": 5}},
    "video note": {"video_note": {"file_id": "n", "file_unique_id": "n", "length": 240, "duration": 5}},
    "location": {"location": {"latitude": 17.38, "longitude": 78.48}},
    "audio": {"audio": {"file_id": "a", "file_unique_id": "a", "duration": 200}},
    "pdf": {"document": {"file_id": "d", "file_unique_id": "d", "file_name": "cv.pdf", "mime_type": "application/pdf"}},
}


@pytest.mark.parametrize("kind", MEDIA)
async def test_unsupported_media_gets_a_friendly_pointer(bot, kind):
    user = await bot.consented_user(80)
    reply = await user.answer(user.send(**MEDIA[kind]))
    assert reply.text == messages.UNSUPPORTED


async def test_unknown_command(bot):
    user = await bot.consented_user(81)
    assert "/help" in (await user.ask("/dance")).text
