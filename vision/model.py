"""The facial-expression CNN, top to bottom.

A VGG-style network for 48x48 grayscale faces: four stages of two 3x3 conv + BatchNorm + ReLU,
each halving the resolution, then global average pooling and two linear heads over the same
features:

- ``product``:   trained on FER+ vote distributions (10 raters) - the better truth, used by the bot;
- ``benchmark``: trained on the original FER2013 labels - used only to report the FER2013 benchmark.

Both heads predict logits over ``emotions.EMOTIONS``. Calibration temperatures are fitted after
training and stored next to the weights (see ``vision/classifier.py``).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from emotions import EMOTIONS


@dataclass
class FaceNetConfig:
    widths: tuple[int, ...] = (32, 64, 128, 256)
    dropout: float = 0.4
    input_size: int = 48
    n_classes: int = len(EMOTIONS)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def conv_bn(c_in: int, c_out: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, 3, padding=1, bias=False),
        nn.BatchNorm2d(c_out),
        nn.ReLU(inplace=True),
    )


class FaceEmotionNet(nn.Module):
    def __init__(self, config: FaceNetConfig | None = None):
        super().__init__()
        self.config = config or FaceNetConfig()
        stages, c_in = [], 1
        for width in self.config.widths:
            stages += [conv_bn(c_in, width), conv_bn(width, width), nn.MaxPool2d(2)]
            c_in = width
        self.features = nn.Sequential(*stages)
        self.dropout = nn.Dropout(self.config.dropout)
        self.product = nn.Linear(c_in, self.config.n_classes)
        self.benchmark = nn.Linear(c_in, self.config.n_classes)
        # Fixed input normalisation lives in the model so callers feed pixels scaled to [0, 1].
        self.mean: torch.Tensor
        self.std: torch.Tensor
        self.register_buffer("mean", torch.tensor(0.5), persistent=False)
        self.register_buffer("std", torch.tensor(0.25), persistent=False)

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        """x: float [B, 1, H, W] in [0, 1] -> pooled features [B, C]."""
        x = self.features((x - self.mean) / self.std)
        return F.adaptive_avg_pool2d(x, 1).flatten(1)

    def forward(self, x: torch.Tensor, benchmark_grad: float = 1.0) -> tuple[torch.Tensor, torch.Tensor]:
        """Returns (product_logits, benchmark_logits), each [B, n_classes].

        benchmark_grad scales the gradient the benchmark head sends into the shared features (training
        only; the values are unchanged), so the noisier FER2013 labels may pull on them less."""
        h = self.dropout(self.embed(x))
        g = benchmark_grad
        return self.product(h), self.benchmark(h if g == 1.0 else h * g + h.detach() * (1 - g))
