"""Selfies with one, no and many faces, as photos and as files, and every kind of bad image."""
import io

import numpy as np
import pytest
from PIL import Image

from bot import messages
from playground.samples import jpeg


async def test_one_face_gives_expression_mood_and_a_playlist_button(bot, photos):
    user = await bot.consented_user(10)
    reply = await user.answer(user.send_photo(photos["one"]))
    assert reply.text.startswith("You look ") and "Mood now:" in reply.text
    assert reply.buttons == [("🎵 Playlist for this", "v2:playlist:10:")]
    [reading] = await bot.service.store.readings(10)
    assert reading.source == "face" and reading.meta == {"faces": 1}


async def test_no_face_gets_a_kind_hint_and_stores_nothing(bot, photos):
    user = await bot.consented_user(11)
    reply = await user.answer(user.send_photo(photos["none"]))
    assert reply.text == messages.NO_FACE
    assert await bot.service.store.readings(11) == []


async def test_many_faces_reads_the_largest_and_says_so(bot, photos):
    user = await bot.consented_user(12)
    reply = await user.answer(user.send_photo(photos["many"], width=1184, height=512))
    assert reply.text.startswith("I see 3 faces; I read the largest one.")
    [reading] = await bot.service.store.readings(12)
    assert reading.meta == {"faces": 3}


async def test_an_image_sent_as_a_file_is_a_selfie_too(bot, photos):
    user = await bot.consented_user(13)
    reply = await user.answer(user.send_document(photos["one"], "image/jpeg", "me.jpg"))
    assert reply.text.startswith("You look ")


async def test_an_oversize_file_is_refused_before_download(bot, photos):
    user = await bot.consented_user(14)
    reply = await user.answer(user.send_document(photos["one"], "image/jpeg", "huge.jpg", file_size=25_000_000))
    assert "too big" in reply.text and "20 MB" in reply.text
    assert bot.api.calls_to("getFile") == []


def _png(mode: str, size=(64, 64), **save) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size).save(buffer, format="PNG", **save)
    return buffer.getvalue()


def _gif_animation(astronaut: bytes) -> bytes:
    frame = Image.open(io.BytesIO(astronaut)).convert("P")
    buffer = io.BytesIO()
    frame.save(buffer, format="GIF", save_all=True, append_images=[frame.rotate(90)], duration=100)
    return buffer.getvalue()


BAD = {
    "empty": lambda p: b"",
    "not an image": lambda p: b"%PDF-1.4 definitely not a photo",
    "truncated": lambda p: p["one"][: len(p["one"]) // 3],
    "corrupt header": lambda p: b"\xff\xd8\xff\xe0" + bytes(200),
    "decompression bomb": lambda p: _png("1", size=(20_000, 20_000)),
}
NO_FACE = {  # a valid image with nothing to read
    "one pixel": lambda p: jpeg(np.zeros((1, 1, 3), np.uint8)),
}
ODD_BUT_FINE = {
    "grayscale": lambda p: jpeg(Image.open(io.BytesIO(p["one"])).convert("L")),
    "cmyk": lambda p: jpeg(Image.open(io.BytesIO(p["one"])).convert("CMYK")),
    "alpha png": lambda p: jpeg(Image.open(io.BytesIO(p["one"])).convert("RGBA"), format="PNG"),
    "animated gif": lambda p: _gif_animation(p["one"]),
    "exif rotated": lambda p: jpeg(Image.open(io.BytesIO(p["one"])).rotate(90, expand=True),
                                   exif=_exif_orientation(6)),
}


def _exif_orientation(value: int) -> Image.Exif:
    exif = Image.Exif()
    exif[0x0112] = value
    return exif


@pytest.mark.parametrize("kind", BAD)
async def test_bad_images_get_a_clear_reply(bot, photos, kind):
    user = await bot.consented_user(20)
    reply = await user.answer(user.send_document(BAD[kind](photos), "image/png", "x.png"))
    assert reply.text.startswith("I couldn't read that image: ")
    assert await bot.service.store.readings(20) == []


@pytest.mark.parametrize("kind", NO_FACE)
async def test_an_image_without_a_face_says_so(bot, photos, kind):
    user = await bot.consented_user(21)
    reply = await user.answer(user.send_document(NO_FACE[kind](photos), "image/png", "x.png"))
    assert reply.text == messages.NO_FACE
    assert await bot.service.store.readings(21) == []


@pytest.mark.parametrize("kind", ODD_BUT_FINE)
async def test_odd_but_valid_images_are_read(bot, photos, kind):
    user = await bot.consented_user(21)
    reply = await user.answer(user.send_document(ODD_BUT_FINE[kind](photos), "image/jpeg", "x.jpg"))
    assert reply.text.startswith("You look "), reply.text


async def test_bad_bytes_sent_as_a_photo_too(bot):
    user = await bot.consented_user(22)
    reply = await user.answer(user.send_photo(b"\x00" * 100))
    assert reply.text.startswith("I couldn't read that image: ")
