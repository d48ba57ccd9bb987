"""Real sample photos (scikit-image's bundled ones) for the demo, the benchmark and the tests, in memory."""
from __future__ import annotations

import io
import os
import tempfile

import cv2
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


def mp4(frames: list[np.ndarray], fps: int = 30) -> bytes:
    """RGB frames -> MP4 bytes. OpenCV writes videos only to files: a temporary one, deleted at once."""
    height, width = frames[0].shape[:2]
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "clip.mp4")
        writer = cv2.VideoWriter(path, cv2.VideoWriter.fourcc(*"mp4v"), fps, (width, height))
        for frame in frames:
            writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
        writer.release()
        with open(path, "rb") as f:
            return f.read()


def video_note(pixels: np.ndarray, seconds: float = 1.0, side: int = 384) -> bytes:
    """A round-video-note-like clip (square, 30 fps) of a still picture drifting a few pixels sideways."""
    square = cv2.resize(pixels, (side, side), interpolation=cv2.INTER_AREA)
    return mp4([np.roll(square, i // 3, axis=1) for i in range(round(seconds * 30))])


def sample_videos() -> dict[str, bytes]:
    """A video note with one face (the astronaut), one without any (coffee), and corrupt bytes."""
    one = video_note(images.astronaut())
    return {"one": one, "none": video_note(images.coffee()), "corrupt": one[:200] + bytes(len(one) - 200)}
