"""Every awkward or broken input gets a face list or a clear ImageError, never a crash or a hang."""
from __future__ import annotations

import struct
import zlib

import numpy as np
import pytest
from PIL import Image
from skimage import data as images

from tests.vision.conftest import astronaut, encode
from vision import ImageError


def png_claiming_size(width: int, height: int) -> bytes:
    """A real small PNG whose header claims another size: a decompression bomb refused before decoding."""
    data = bytearray(encode(Image.new("L", (8, 8))))
    ihdr = data[12:29]  # chunk type + 13 bytes of IHDR data
    ihdr[4:12] = struct.pack(">II", width, height)
    data[12:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(ihdr)))
    return bytes(data)


@pytest.mark.parametrize("data, reason", [
    (b"", "empty"),
    (b"hello, this is text and not a photo\n" * 20, "not an image"),
    (np.random.default_rng(0).integers(0, 256, 5000, dtype=np.uint8).tobytes(), "not an image"),
    (encode(astronaut(), "JPEG")[:6000], "truncated"),
    (encode(astronaut())[:20000], "truncated"),
    (png_claiming_size(30_000, 30_000), "too large"),
], ids=["zero-bytes", "text", "random-bytes", "truncated-jpeg", "truncated-png", "decompression-bomb"])
def test_bad_input_raises_a_short_reason(analyzer, data, reason):
    with pytest.raises(ImageError, match=reason) as error:
        analyzer.analyze(data)
    assert len(str(error.value)) < 80
    with pytest.raises(ImageError):
        analyzer.analyze_crop(data)


def with_alpha() -> Image.Image:
    rgba = astronaut().convert("RGBA")
    rgba.putalpha(Image.linear_gradient("L").resize(rgba.size).transpose(Image.Transpose.ROTATE_90))
    return rgba


def palette_with_transparency() -> Image.Image:
    palette = astronaut().convert("P", palette=Image.Palette.ADAPTIVE, colors=256)
    palette.info["transparency"] = 0
    return palette


def sixteen_bit() -> Image.Image:
    gray = np.asarray(astronaut().convert("L"), dtype=np.uint16) * 257
    image = Image.fromarray(gray)
    assert image.mode == "I;16"
    return image


@pytest.mark.parametrize("data", [
    encode(with_alpha()),
    encode(astronaut().convert("P", palette=Image.Palette.ADAPTIVE)),
    encode(palette_with_transparency()),
    encode(astronaut().convert("CMYK"), "JPEG"),
    encode(sixteen_bit()),
    encode(astronaut().convert("L"), "JPEG"),
    encode(astronaut().convert("LA")),
    encode(astronaut(), "WEBP"),
    encode(astronaut(), "BMP"),
], ids=["png-alpha", "png-palette", "png-palette-transparency", "cmyk-jpeg", "16-bit-png", "grayscale-jpeg",
        "grayscale-alpha", "webp", "bmp"])
def test_unusual_formats_still_find_the_face(analyzer, data):
    (face,) = analyzer.analyze(data)
    assert 150 < face.box[0] < face.box[2] < 300


@pytest.mark.parametrize("format", ["GIF", "WEBP"])
def test_animations_use_the_first_frame(analyzer, format):
    face, landscape = astronaut(), Image.fromarray(images.coffee()).resize((512, 512))
    first_face = encode(face, format, save_all=True, append_images=[landscape], duration=100, loop=0)
    first_landscape = encode(landscape, format, save_all=True, append_images=[face], duration=100, loop=0)
    assert len(analyzer.analyze(first_face)) == 1
    assert analyzer.analyze(first_landscape) == []


@pytest.mark.parametrize("size", [(1, 1), (5000, 8), (8, 5000), (30, 30)])
def test_images_too_small_for_any_face_give_no_face(analyzer, size):
    assert analyzer.analyze(encode(Image.new("RGB", size, "white"))) == []
