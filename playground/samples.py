"""Real sample photos (scikit-image's bundled ones) for the demo, the benchmark and the tests, in memory."""
from __future__ import annotations

import io

import numpy as np
from PIL import Image
from skimage import data as images


def jpeg(pixels: np.ndarray | Image.Image, **save: object) -> bytes:
    image = pixels if isinstance(pixels, Image.Image) else Image.fromarray(pixels)
    buffer = io.BytesIO()
    image.save(buffer, format=save.pop("format", "JPEG"), **save)
    return buffer.getvalue()


def many_faces() -> Image.Image:
    """Three real faces of different sizes side by side (the astronaut at 512, 384 and 288 px)."""
    astronaut = Image.fromarray(images.astronaut())
    canvas = Image.new("RGB", (512 + 384 + 288, 512), "white")
    x = 0
    for side in (288, 512, 384):
        canvas.paste(astronaut.resize((side, side)), (x, 0))
        x += side
    return canvas


def sample_photos() -> dict[str, bytes]:
    """A selfie with one face, a photo without any (coffee), and three faces of different sizes."""
    return {"one": jpeg(images.astronaut()), "none": jpeg(images.coffee()), "many": jpeg(many_faces())}
