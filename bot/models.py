"""The two analyzers, loaded once per process and warmed up."""
from __future__ import annotations

import io
from dataclasses import dataclass

import torch
from PIL import Image

from bot.settings import Settings
from nlp import TextAnalyzer
from vision import FaceAnalyzer


@dataclass(frozen=True)
class Models:
    face: FaceAnalyzer
    text: TextAnalyzer


def _blank_jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (256, 256), (128, 128, 128)).save(buffer, format="JPEG")
    return buffer.getvalue()


def load_models(settings: Settings) -> Models:
    """Load both analyzers once and run each once, so the first user doesn't pay the warm-up."""
    torch.set_num_threads(settings.torch_threads)
    text = TextAnalyzer(model_dir=settings.text_model_dir, multilingual_dir=settings.text_multilingual_dir)
    models = Models(FaceAnalyzer(model_dir=settings.face_model_dir), text)
    models.face.analyze(_blank_jpeg())
    models.text.analyze("warming up, feeling fine")
    return models
