"""Guard: real photos through the whole pipeline read as the model card says.

Re-reads the fixed JAFFE subset that `make eval` also scored (every second photo) with the shipped
product path (photo bytes -> MTCNN -> alignment -> classifier) and compares with metrics.json.
JAFFE is validation data beside the repository, never committed: without it this guard skips.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from training.face import real_photos

pytestmark = pytest.mark.skipif(not (real_photos.JAFFE / "labels.csv").exists(),
                                reason=f"{real_photos.JAFFE} is absent: the real-photo guard needs JAFFE")


def test_the_shipped_path_reads_a_fixed_jaffe_subset_as_the_card_says(analyzer, model_dir):
    card = json.loads((Path(model_dir) / "metrics.json").read_text())["real_photos"]["product"]
    photos = real_photos.load_jaffe()
    subset = real_photos.guard_subset(photos)
    probs = real_photos.read(analyzer, photos, subset)
    metrics, _ = real_photos.score(probs, photos.labels[subset])
    assert metrics["faces_found"] == len(subset)
    assert metrics["accuracy"] == pytest.approx(card["guard_subset_accuracy"], abs=0.02)
    assert metrics["accuracy"] == pytest.approx(card["accuracy"], abs=0.06)  # the subset stands for the whole set
    assert metrics["neutral_rate"] == pytest.approx(card["neutral_rate"], abs=0.08)
