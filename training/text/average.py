"""Average the weights of two text models fine-tuned from one another (a "model soup"), then choose the
neutral offset and the temperature on validation exactly as ``train.py`` does after training.

    python -m training.text.average --first /tmp/stage4 --second /tmp/stage5 --weight 0.25 --out /tmp/average

Why: consecutive stages of fine-tuning trade Reddit comments against conversation (MODEL_CARD.md,
"Why this model"); a point between two of them can read both. The weight is chosen, like everything
else, on the validation splits only.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
from transformers import AutoModelForSequenceClassification, AutoTokenizer

from training.common import parse_settings
from training.text.train import (
    TrainConfig,
    calibrate_and_save,
    single_label_macro_f1,
    validation_logits,
    validation_sets,
)


@dataclass
class AverageConfig:
    first: str = ""            # a text model directory, weighted 1 - weight
    second: str = ""           # one fine-tuned from it (or it from this), weighted `weight`
    weight: float = 0.5
    out: str = "models/text_emotion"
    threads: int = 0


def average(first: torch.nn.Module, second: torch.nn.Module, weight: float) -> None:
    """first <- (1 - weight) * first + weight * second, tensor by tensor."""
    other = second.state_dict()
    first.load_state_dict({name: (1 - weight) * value + weight * other[name] if value.is_floating_point() else value
                           for name, value in first.state_dict().items()})


def main(cfg: AverageConfig) -> dict:
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    model = AutoModelForSequenceClassification.from_pretrained(cfg.first, dtype=torch.float32)
    average(model, AutoModelForSequenceClassification.from_pretrained(cfg.second, dtype=torch.float32), cfg.weight)
    sets = validation_sets(TrainConfig())
    logits = validation_logits(model, cfg.first, sets)
    scores = {f"{name}/none": round(single_label_macro_f1(logits[name], sets[name])[0], 4) for name in sets}
    print(json.dumps(scores), flush=True)
    parents = {key: json.loads((Path(path) / "training.json").read_text()) for key, path in (("first", cfg.first), ("second", cfg.second))}
    meta = {"average_config": asdict(cfg), "averaged": parents, "macro_f1": scores,
            "mean_macro_f1": round(float(np.mean(list(scores.values()))), 4)}
    return calibrate_and_save(model, AutoTokenizer.from_pretrained(cfg.first), logits, sets, Path(cfg.out), TrainConfig.max_length, meta)


if __name__ == "__main__":
    main(parse_settings(AverageConfig, __doc__))
