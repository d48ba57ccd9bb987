"""Real photos through the whole face pipeline: photo bytes -> MTCNN -> alignment -> classifier.

    python -m training.face.real_photos [--model-dir DIR] [--head product|benchmark]

Prints one candidate's score on JAFFE next to its PublicTest accuracy against both label sets
(FER+ majority and original FER2013 label), so that model selection looks at real photos too.

JAFFE (``../shared/data/faces_real/jaffe``, 213 posed photos of 10 women) is for validation and
selection only: never trained on, never committed, never bundled (see its README for the terms).
A photo in which no face is found counts as a wrong answer.
"""
from __future__ import annotations

import argparse
import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from sklearn.metrics import confusion_matrix, f1_score, recall_score

from emotions import EMOTIONS
from training import SHARED_DATA
from training.face import data
from vision import FaceAnalyzer
from vision.classifier import DEFAULT_MODEL_DIR, HEADS, FaceEmotionClassifier

JAFFE = SHARED_DATA / "faces_real" / "jaffe"
LABELS = list(range(len(EMOTIONS)))
NEUTRAL = EMOTIONS.index("neutral")


@dataclass(frozen=True)
class RealPhotos:
    paths: list[Path]
    labels: np.ndarray  # int64 [N], index into EMOTIONS (the posed expression)
    posers: np.ndarray  # str [N]

    def __len__(self) -> int:
        return len(self.paths)


def load_jaffe(root: Path = JAFFE) -> RealPhotos:
    with open(root / "labels.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    return RealPhotos([root / r["path"] for r in rows], np.array([EMOTIONS.index(r["label"]) for r in rows]),
                      np.array([r["poser"] for r in rows]))


def guard_subset(photos: RealPhotos) -> np.ndarray:
    """The fixed subset tests/vision re-reads: every second photo in labels.csv order (107 of 213)."""
    return np.arange(0, len(photos), 2)


def read(analyzer: FaceAnalyzer, photos: RealPhotos, rows: np.ndarray | None = None) -> np.ndarray:
    """Probabilities [N, 7] of the largest face in each photo; a row of NaN where no face was found."""
    rows = np.arange(len(photos)) if rows is None else rows
    probs = np.full((len(rows), len(EMOTIONS)), np.nan)
    for out, i in enumerate(rows):
        faces = analyzer.analyze(photos.paths[i].read_bytes())
        if faces:
            probs[out] = [faces[0].probs[e] for e in EMOTIONS]
    return probs


def predictions(probs: np.ndarray) -> np.ndarray:
    """Top label per row; -1 where no face was found."""
    found = ~np.isnan(probs).any(1)
    return np.where(found, np.nan_to_num(probs, nan=0).argmax(1), -1)


def score(probs: np.ndarray, labels: np.ndarray) -> tuple[dict[str, Any], np.ndarray]:
    """Accuracy, macro-F1, per-class recall and the neutral rate; the confusion matrix over found faces."""
    predicted = predictions(probs)
    metrics = {
        "photos": len(labels),
        "faces_found": int((predicted >= 0).sum()),
        "accuracy": round(float((predicted == labels).mean()), 4),
        "macro_f1": round(float(f1_score(labels, predicted, labels=LABELS, average="macro", zero_division=0)), 4),
        "recall": dict(zip(EMOTIONS, np.round(recall_score(labels, predicted, labels=LABELS, average=None,
                                                           zero_division=0), 4).tolist())),
        "neutral_rate": round(float((predicted == NEUTRAL).mean()), 4),
    }
    found = predicted >= 0
    return metrics, confusion_matrix(labels[found], predicted[found], labels=LABELS)


def public_test_accuracy(classifier: FaceEmotionClassifier, split: data.Split) -> dict[str, float]:
    """One head's PublicTest accuracy against both label sets."""
    logits = torch.cat([classifier.logits(split.pixels[i:i + 512]) for i in range(0, len(split), 512)])
    predicted = logits.argmax(1).numpy()
    plus = split.plus_label >= 0
    return {"ferplus_majority": round(float((predicted[plus] == split.plus_label[plus]).mean()), 4),
            "fer2013_label": round(float((predicted == split.fer_label).mean()), 4)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model-dir", default=str(DEFAULT_MODEL_DIR))
    parser.add_argument("--head", choices=HEADS, default="product")
    parser.add_argument("--data", default=str(data.DEFAULT_DATA))
    args = parser.parse_args()
    analyzer = FaceAnalyzer(args.model_dir, head=args.head)
    photos = load_jaffe()
    metrics, matrix = score(read(analyzer, photos), photos.labels)
    public = public_test_accuracy(analyzer.classifier, data.split(data.load_arrays(args.data), data.PUBLIC_TEST))
    print(f"{args.model_dir} [{args.head}] PublicTest FER+ {public['ferplus_majority']:.3f} "
          f"FER2013 {public['fer2013_label']:.3f} | JAFFE accuracy {metrics['accuracy']:.3f} "
          f"macro-F1 {metrics['macro_f1']:.3f} neutral rate {metrics['neutral_rate']:.2f} "
          f"faces {metrics['faces_found']}/{metrics['photos']}")
    print("recall: " + ", ".join(f"{e} {r:.2f}" for e, r in metrics["recall"].items()))
    print(matrix)


if __name__ == "__main__":
    main()
