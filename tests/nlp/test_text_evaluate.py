"""The card's numbers hold on a fixed sample of every split, scored through the shipped path."""
from __future__ import annotations

import json

import numpy as np
import pytest

import nlp.analyzer
from training.calibration import expected_calibration_error
from training.text import data
from training.text.evaluate import SAMPLE_EVERY, SPLITS, is_question, label_scores, nrc_labels, probs_matrix


@pytest.fixture(scope="module")
def metrics() -> dict:
    return json.loads((nlp.analyzer.DEFAULT_MODEL_DIR / "metrics.json").read_text())


@pytest.mark.parametrize("split", list(SPLITS))
def test_fixed_sample_of_each_split_matches_the_card(analyzer, metrics, split):
    if not data.SHARED_DATA.exists():
        pytest.skip(f"{data.SHARED_DATA} is absent: nothing to score")
    examples = SPLITS[split]()
    sample = examples.subset(np.arange(0, len(examples), SAMPLE_EVERY))
    scores = label_scores(probs_matrix(analyzer.analyze_many(sample.texts)).argmax(1), sample)
    card = metrics["splits"][split]["sample"]
    for key in ("macro_f1", "accuracy"):
        assert scores[key] == pytest.approx(card[key], abs=0.02), key  # same model, same path, same lines


def test_questions_and_the_lexicon_baseline():
    assert is_question("what time is it?") and not is_question("it is late.")
    assert list(nrc_labels(["I am so angry and furious", "the meeting is on tuesday"])) == [0, 6]


def test_ece_is_zero_when_confidence_matches_accuracy_and_grows_with_overconfidence():
    probs = np.tile([0.9, 0.1], (100, 1))
    labels = np.array([0] * 90 + [1] * 10)
    assert expected_calibration_error(probs, labels) == pytest.approx(0.0, abs=1e-9)
    assert expected_calibration_error(probs, np.array([0] * 50 + [1] * 50)) == pytest.approx(0.4)
