"""Stickers, voice, locations, audio, other files, unknown commands: a short friendly answer.
(Videos and video notes are selfies: tests/bot/test_video_note.py.)"""
import pytest

from bot import messages

MEDIA = {
    "sticker": {"sticker": {"file_id": "s", "file_unique_id": "s", "type": "regular", "width": 512, "height": 512,
                            "is_animated": False, "is_video": False}},
    "voice": {"voice": {"file_id": "v", "file_unique_id": "v", "duration": 3}},
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
