"""Shared fixtures: one FaceAnalyzer for the session, real photos encoded in memory."""
from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image
from skimage import data as images

from vision import DEFAULT_MODEL_DIR, FaceAnalyzer


def encode(image: Image.Image | np.ndarray, format: str = "PNG", **save: object) -> bytes:
    image = image if isinstance(image, Image.Image) else Image.fromarray(image)
    buffer = io.BytesIO()
    image.save(buffer, format=format, **save)
    return buffer.getvalue()


def astronaut() -> Image.Image:
    return Image.fromarray(images.astronaut())


def lfw_faces(n: int, side: int) -> list[Image.Image]:
    """The first n real faces of scikit-image's LFW subset (25x25 grayscale), upscaled to side x side."""
    faces = images.lfw_subset()[:n]
    return [Image.fromarray((f * 255).astype(np.uint8)).resize((side, side), Image.Resampling.BICUBIC) for f in faces]


@pytest.fixture(scope="session")
def model_dir() -> str:
    return str(DEFAULT_MODEL_DIR)


@pytest.fixture(scope="session")
def analyzer(model_dir) -> FaceAnalyzer:
    return FaceAnalyzer(model_dir)
