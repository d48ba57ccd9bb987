"""Photo bytes -> upright RGB pixels, refusing bad input with a short, user-facing reason.

Handles what phones and chat apps send: EXIF rotation, alpha, palettes, CMYK, 16-bit, grayscale,
animations (first frame) and huge photos.

Memory is bounded, not just pixels: a 150 KB PNG can hold 8900x8900 16-bit pixels (160 MB decoded).
So the decoded size is worked out from the header before decoding and must fit `DECODE_BUDGET`,
which all concurrent decodes share (a decode waits for room until its pixels are shrunk to the size
asked for); JPEGs are decoded at 1/2..1/8 scale when that is enough (cheap); and an image larger than
asked for is converted and shrunk a strip of rows at a time, so besides the decoded pixels themselves
there is never a full-size copy (no float arrays, no RGBA or rotated twin).
"""
from __future__ import annotations

import io
import math
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
from PIL import Image, UnidentifiedImageError

MAX_PIXELS = 80_000_000  # larger than any phone photo; anything above is refused as a likely decompression bomb
# Bytes of decoded pixels, all concurrent decodes together: an 8 MP RGB(A) PNG, a 4K screenshot (Pillow keeps
# 4 bytes a pixel). Photos (JPEG) of any size fit: they are decoded at 1/2..1/8 scale. With 64 MB the bot
# went over its 700 MB budget (bench.hostile_images).
DECODE_BUDGET = 32 * 2**20
STRIP_BYTES = 2**20  # decoded bytes converted at a time when shrinking
# EXIF orientation -> the transpose that makes the image upright (what ImageOps.exif_transpose does).
UPRIGHT = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180, 4: Image.Transpose.FLIP_TOP_BOTTOM,
           5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
           8: Image.Transpose.ROTATE_90}
SIXTEEN_BIT = ("I;16", "I;16B", "I;16L", "I;16N")

# Pillow only warns between its own limit and twice that; a warning must never let a bomb through.
warnings.simplefilter("error", Image.DecompressionBombWarning)


class ImageError(ValueError):
    """The bytes are not a usable photo; str(error) is a short reason fit to show a user."""


@dataclass(frozen=True)
class Photo:
    rgb: np.ndarray               # uint8 [H, W, 3], upright, longer side <= the max_side asked for
    size: tuple[int, int]         # (width, height) of the upright original
    scale: float                  # original pixels per pixel of `rgb`


class MemoryBudget:
    """Bytes shared by threads: `hold(n)` waits until n are free, and gives them back after."""

    def __init__(self, total: int) -> None:
        self.total, self.free = total, total
        self._changed = threading.Condition()

    @contextmanager
    def hold(self, amount: int) -> Iterator[None]:
        amount = min(amount, self.total)
        with self._changed:
            self._changed.wait_for(lambda: self.free >= amount)
            self.free -= amount
        try:
            yield
        finally:
            with self._changed:
                self.free += amount
                self._changed.notify_all()


BUDGET = MemoryBudget(DECODE_BUDGET)


def decoded_bytes(img: Image.Image) -> int:
    """What Pillow allocates for the decoded pixels (it keeps RGB, LA and the like in 4 bytes a pixel)."""
    per_pixel = 1 if img.mode in ("1", "L", "P") else 2 if img.mode in SIXTEEN_BIT else 4
    return img.width * img.height * per_pixel


def decode(data: bytes, max_side: int | None = None) -> Photo:
    """Decode an image file's bytes; downscale so the longer side is at most `max_side`."""
    if not data:
        raise ImageError("the file is empty")
    try:
        img: Image.Image = Image.open(io.BytesIO(data))
    except UnidentifiedImageError:
        raise ImageError("not an image (unrecognised format)") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageError(f"image too large (the limit is {MAX_PIXELS // 1_000_000} megapixels)") from None
    except (OSError, SyntaxError, ValueError, EOFError):
        raise ImageError("truncated or corrupt image") from None
    width, height = img.size
    if width * height > MAX_PIXELS:
        raise ImageError(f"image too large ({width}x{height}; the limit is {MAX_PIXELS // 1_000_000} megapixels)")
    if max_side and max(width, height) > max_side:
        k = max_side / max(width, height)
        img.draft("RGB", (math.ceil(width * k), math.ceil(height * k)))  # JPEG: decode at 1/2, 1/4, 1/8
    needed = decoded_bytes(img)
    if needed > DECODE_BUDGET:
        raise ImageError(f"image too large to decode ({width}x{height} {img.mode}); a normal photo works best")
    # Held until only the small result is left: the decoded pixels, and the RGB copy they are shrunk into.
    with BUDGET.hold(needed + rgb_bytes(img.size, max_side)):
        try:
            orientation = img.getexif().get(0x0112, 1)
            img.load()
        except (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError):
            raise ImageError("truncated or corrupt image") from None
        img = shrunk_rgb(img, max_side) if max_side and max(img.size) > max_side else to_rgb(img)
        if orientation in UPRIGHT:
            img = img.transpose(UPRIGHT[orientation])
        if max_side and max(img.size) > max_side:
            k = max_side / max(img.size)
            img = img.resize((max(1, round(img.width * k)), max(1, round(img.height * k))),
                             Image.Resampling.BILINEAR, reducing_gap=2.0)
    original = (height, width) if orientation in (5, 6, 7, 8) else (width, height)
    return Photo(np.asarray(img), original, original[0] / img.width)


def shrink_factor(size: tuple[int, int], max_side: int | None) -> int:
    """The largest whole factor that keeps the longer side >= max_side (1: no shrinking)."""
    return max(1, max(size) // max_side) if max_side else 1


def rgb_bytes(size: tuple[int, int], max_side: int | None) -> int:
    """What Pillow allocates for the RGB image `shrunk_rgb` makes (4 bytes a pixel)."""
    factor = shrink_factor(size, max_side)
    return 4 * math.ceil(size[0] / factor) * math.ceil(size[1] / factor)


def shrunk_rgb(img: Image.Image, max_side: int) -> Image.Image:
    """RGB at 1/factor of the size (`shrink_factor`), converted and box-averaged a strip of rows at a
    time, so no full-size converted copy is made. Strips are whole multiples of the factor, so they join
    without seams."""
    factor = shrink_factor(img.size, max_side)
    if factor == 1 and img.mode == "RGB":
        return img
    width, height = img.size
    out = Image.new("RGB", (math.ceil(width / factor), math.ceil(height / factor)))
    rows = max(1, STRIP_BYTES // (4 * width * factor)) * factor
    scale_16 = _is_sixteen_bit(img)
    for top in range(0, height, rows):
        strip = to_rgb(img.crop((0, top, width, min(height, top + rows))), scale_16)
        out.paste(strip.reduce(factor) if factor > 1 else strip, (0, top // factor))
    return out


def _is_sixteen_bit(img: Image.Image) -> bool:
    if img.mode in SIXTEEN_BIT:
        return True
    if img.mode in ("I", "F"):
        return float(img.getextrema()[1]) > 255  # type: ignore[arg-type]
    return False


def to_rgb(img: Image.Image, sixteen_bit: bool | None = None) -> Image.Image:
    """Any Pillow mode -> 8-bit RGB. Transparency is flattened onto white, 16-bit scaled down.
    `sixteen_bit` says how to scale an I or F strip of a larger image (else judged from `img`)."""
    if img.mode in (*SIXTEEN_BIT, "I", "F"):
        if sixteen_bit is None:
            sixteen_bit = _is_sixteen_bit(img)
        pixels = np.asarray(img)
        if sixteen_bit:  # integer maths on a strip: no full-size float copy
            pixels = np.clip(pixels, 0, None) // 257
        img = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    if img.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in img.info:
        rgba = img.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    try:
        return img.convert("RGB")
    except ValueError:
        raise ImageError(f"unsupported colour mode {img.mode}") from None


def from_rgb(rgb: np.ndarray, max_side: int) -> Photo:
    """Already-decoded pixels (e.g. a video frame), downscaled like `decode` does photos."""
    height, width = rgb.shape[:2]
    if max(width, height) <= max_side:
        return Photo(rgb, (width, height), 1.0)
    k = max_side / max(width, height)
    small = Image.fromarray(rgb).resize((max(1, round(width * k)), max(1, round(height * k))),
                                        Image.Resampling.BILINEAR, reducing_gap=2.0)
    return Photo(np.asarray(small), (width, height), width / small.width)
