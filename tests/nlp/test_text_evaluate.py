"""The card's numbers hold on a fixed GoEmotions test sample, scored through the shipped path."""
from __future__ import annotations

import json

import numpy as np
import pytest

import nlp.analyzer
from training.calibration import expected_calibration_error
from training.text import data
from training.text.evaluate import SAMPLE_EVERY, emotion_scores, probs_matrix, subset


@pytest.fixture(scope="module")
def metrics() -> dict:
    return json.loads((nlp.analyzer.DEFAULT_MODEL_DIR / "metrics.json").read_text())


def test_fixed_test_sample_matches_the_card(analyzer, metrics):
    if not (data.DEFAULT_DATA / "test.tsv").exists():
        pytest.skip(f"{data.DEFAULT_DATA} is absent: no GoEmotions test to score")
    test = data.load("test")
    sample = subset(test, list(range(0, len(test), SAMPLE_EVERY)))
    scores = emotion_scores(probs_matrix(analyzer.analyze_many(sample.texts)), sample)
    for key in ("macro_f1", "accuracy", "accuracy_any_gold"):
        assert scores[key] == pytest.approx(metrics["sample"][key], abs=0.01), key  # same model, same path
        assert scores[key] == pytest.approx(metrics["emotion"][key], abs=0.05), key  # sample vs full test


def test_ece_is_zero_when_confidence_matches_accuracy_and_grows_with_overconfidence():
    probs = np.tile([0.9, 0.1], (100, 1))
    labels = np.array([0] * 90 + [1] * 10)
    assert expected_calibration_error(probs, labels) == pytest.approx(0.0, abs=1e-9)
    assert expected_calibration_error(probs, np.array([0] * 50 + [1] * 50)) == pytest.approx(0.4)
