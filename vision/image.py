"""Photo bytes -> upright RGB pixels, refusing bad input with a short, user-facing reason.

Handles what phones and chat apps send: EXIF rotation, alpha, palettes, CMYK, 16-bit, grayscale,
animations (first frame) and huge photos (JPEGs are downscaled while decoding, which is cheap).
"""
from __future__ import annotations

import io
import math
import warnings
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PIXELS = 80_000_000  # larger than any phone photo; anything above is refused as a likely decompression bomb

# Pillow only warns between its own limit and twice that; a warning must never let a bomb through.
warnings.simplefilter("error", Image.DecompressionBombWarning)


class ImageError(ValueError):
    """The bytes are not a usable photo; str(error) is a short reason fit to show a user."""


@dataclass(frozen=True)
class Photo:
    rgb: np.ndarray               # uint8 [H, W, 3], upright, longer side <= the max_side asked for
    size: tuple[int, int]         # (width, height) of the upright original
    scale: float                  # original pixels per pixel of `rgb`


def decode(data: bytes, max_side: int | None = None) -> Photo:
    """Decode an image file's bytes; downscale so the longer side is at most `max_side`."""
    if not data:
        raise ImageError("the file is empty")
    try:
        img = Image.open(io.BytesIO(data))
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
    try:
        img.load()
        decoded = img.size
        img = ImageOps.exif_transpose(img)
    except (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError):
        raise ImageError("truncated or corrupt image") from None
    original = (height, width) if img.size != decoded else (width, height)  # EXIF turned it by 90 degrees
    img = to_rgb(img)
    if max_side and max(img.size) > max_side:
        k = max_side / max(img.size)
        img = img.resize((max(1, round(img.width * k)), max(1, round(img.height * k))), Image.Resampling.BILINEAR,
                         reducing_gap=2.0)
    return Photo(np.asarray(img), original, original[0] / img.width)


def to_rgb(img: Image.Image) -> Image.Image:
    """Any Pillow mode -> 8-bit RGB. Transparency is flattened onto white, 16-bit scaled down."""
    if img.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        pixels = np.asarray(img, dtype=np.float32)
        if img.mode.startswith("I;16") or pixels.max(initial=0) > 255:
            pixels = pixels / 257  # 16-bit range -> 8-bit range
        img = Image.fromarray(pixels.clip(0, 255).astype(np.uint8))
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
