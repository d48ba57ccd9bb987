"""Guard: the shipped weights are the trained ones the model card describes.

Re-scores the fixed PrivateTest sample that `make eval` also scored (seed and size in metrics.json)
through the shipped inference path, and compares with the card's numbers. No training here.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from training.face import data
from vision.classifier import HEADS, FaceEmotionClassifier

pytestmark = pytest.mark.skipif(not data.DEFAULT_DATA.exists(),
                                reason=f"{data.DEFAULT_DATA} is absent: the PrivateTest guard needs FER2013")


@pytest.fixture(scope="module")
def private_test() -> data.Split:
    return data.split(data.load_arrays(), data.PRIVATE_TEST)


@pytest.mark.parametrize("head", HEADS)
def test_accuracy_on_a_fixed_privatetest_sample_matches_the_card(model_dir, private_test, head):
    card = json.loads((Path(model_dir) / "metrics.json").read_text())
    expected = card["heads"][head]
    sample = np.random.default_rng(card["guard_sample"]["seed"]).choice(
        len(private_test), card["guard_sample"]["size"], replace=False)
    gold = (private_test.plus_label if head == "product" else private_test.fer_label)[sample]
    sample, gold = sample[gold >= 0], gold[gold >= 0]
    assert len(sample) >= 500
    probs = FaceEmotionClassifier(model_dir, head).predict_proba(private_test.pixels[sample])
    accuracy = float((probs.argmax(1) == gold).mean())
    assert accuracy == pytest.approx(expected["guard_sample_accuracy"], abs=0.01)
    assert accuracy == pytest.approx(expected["accuracy"], abs=0.05)  # the sample is representative of the card
