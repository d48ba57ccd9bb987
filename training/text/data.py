"""GoEmotions loading: the 27 fine labels grouped into our 7-label vocabulary."""
from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from emotions import EMOTIONS, INDEX
from training import SHARED_DATA

DEFAULT_DATA = SHARED_DATA / "goemotions"
# GoEmotions' Ekman group names -> ours.
GROUP_TO_LABEL = {"anger": "angry", "disgust": "disgust", "fear": "fear", "joy": "happy",
                  "sadness": "sad", "surprise": "surprise", "neutral": "neutral"}


@dataclass
class Examples:
    texts: list[str]
    targets: np.ndarray   # float32 [N, 7]: uniform over the example's distinct groups
    groups: list[set[int]]  # the gold label ids of each example

    def __len__(self) -> int:
        return len(self.texts)


def fine_to_label(data_dir: Path) -> list[int]:
    """Index of our label for each GoEmotions fine label id (0..27)."""
    names = (data_dir / "emotions.txt").read_text().split()
    ekman = json.loads((data_dir / "ekman_mapping.json").read_text())
    group_of = {fine: group for group, fines in ekman.items() for fine in fines} | {"neutral": "neutral"}
    return [INDEX[GROUP_TO_LABEL[group_of[name]]] for name in names]


def load(split: str, data_dir: Path | str = DEFAULT_DATA) -> Examples:
    data_dir = Path(data_dir)
    mapping = fine_to_label(data_dir)
    texts, groups = [], []
    with open(data_dir / f"{split}.tsv", newline="", encoding="utf-8") as f:
        for text, ids, _ in csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            texts.append(text)
            groups.append({mapping[int(i)] for i in ids.split(",")})
    targets = np.zeros((len(texts), len(EMOTIONS)), dtype=np.float32)
    for row, g in enumerate(groups):
        targets[row, list(g)] = 1.0 / len(g)
    return Examples(texts, targets, groups)
