"""Load the shipped facial-expression model and classify 48x48 face crops.

The weights live in ``models/face_emotion/`` as ``model.safetensors`` + ``config.json``
(architecture, per-head calibration temperatures, training metadata).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.torch import load_file, save_file

from emotions import EMOTIONS
from vision.model import FaceEmotionNet, FaceNetConfig

DEFAULT_MODEL_DIR = Path(__file__).resolve().parent.parent / "models" / "face_emotion"
HEADS = ("product", "benchmark")


def save_model(model: FaceEmotionNet, temperatures: dict[str, float], out: Path | str, meta: dict[str, Any]) -> None:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    state = {k: v.contiguous() for k, v in model.state_dict().items()}
    save_file(state, str(out / "model.safetensors"))
    config = {"labels": list(EMOTIONS), "model": model.config.to_dict(), "temperatures": temperatures, **meta}
    (out / "config.json").write_text(json.dumps(config, indent=1) + "\n")


class FaceEmotionClassifier:
    """Calibrated expression probabilities for aligned grayscale face crops."""

    def __init__(self, model_dir: Path | str = DEFAULT_MODEL_DIR, head: str = "product"):
        if head not in HEADS:
            raise ValueError(f"head must be one of {HEADS}")
        model_dir = Path(model_dir)
        config = json.loads((model_dir / "config.json").read_text())
        model_cfg = config["model"]
        model_cfg["widths"] = tuple(model_cfg["widths"])
        self.model = FaceEmotionNet(FaceNetConfig(**model_cfg))
        self.model.load_state_dict(load_file(str(model_dir / "model.safetensors")))
        self.model.eval()
        self.head = head
        self.temperature = float(config["temperatures"][head])
        self.input_size = self.model.config.input_size

    @torch.inference_mode()
    def logits(self, crops: np.ndarray) -> torch.Tensor:
        """crops: uint8 [N, S, S] -> flip-averaged, uncalibrated logits [N, 7] of the chosen head."""
        if len(crops) == 0:
            return torch.zeros(0, len(EMOTIONS))
        x = torch.from_numpy(np.ascontiguousarray(crops)).unsqueeze(1).float().div_(255)
        x = torch.cat([x, torch.flip(x, dims=[3])])  # one pass for the image and its mirror
        index = HEADS.index(self.head)
        out: torch.Tensor = self.model(x)[index]
        n = len(crops)
        return (out[:n] + out[n:]) / 2

    def predict_proba(self, crops: np.ndarray) -> np.ndarray:
        """Calibrated probabilities [N, 7] in EMOTIONS order."""
        return F.softmax(self.logits(crops) / self.temperature, dim=1).numpy()
