"""Video notes are selfies too: a face is read over a few frames, and the reply says it was a video."""
import pytest

from bot import messages
from playground.samples import sample_videos


@pytest.fixture(scope="module")
def videos() -> dict[str, bytes]:
    return sample_videos()


async def test_a_video_note_with_a_face_gives_a_reading_that_says_it_was_a_video(bot, videos):
    user = await bot.consented_user(30)
    reply = await user.answer(user.send_video_note(videos["one"]))
    assert reply.text.startswith("🎥 From your video (5 frames): you look ") and "Mood now:" in reply.text
    assert reply.buttons == [("🎵 Playlist for this", "v2:playlist:30:")]
    [reading] = await bot.service.store.readings(30)
    assert reading.source == "face" and reading.meta == {"faces": 1, "video_frames": 5}


async def test_a_video_note_without_a_face_stores_nothing(bot, videos):
    user = await bot.consented_user(31)
    reply = await user.answer(user.send_video_note(videos["none"]))
    assert reply.text == messages.NO_FACE_VIDEO
    assert await bot.service.store.readings(31) == []


async def test_a_corrupt_video_note_gets_a_clear_reply(bot, videos):
    user = await bot.consented_user(32)
    reply = await user.answer(user.send_video_note(videos["corrupt"]))
    assert reply.text.startswith("I couldn't read that video: ")
    assert await bot.service.store.readings(32) == []
