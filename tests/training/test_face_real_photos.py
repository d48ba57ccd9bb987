"""Scoring real photos: a photo without a found face counts as wrong, and the neutral rate is over all photos."""
import numpy as np
import pytest

from emotions import EMOTIONS
from training.face import real_photos


def one_hot(label: str) -> list[float]:
    return [1.0 if e == label else 0.0 for e in EMOTIONS]


def test_a_photo_without_a_face_is_a_wrong_answer_not_a_skipped_one():
    labels = np.array([EMOTIONS.index(e) for e in ("angry", "happy", "neutral", "sad")])
    probs = np.array([one_hot("neutral"), one_hot("happy"), one_hot("neutral"), [np.nan] * len(EMOTIONS)])
    metrics, matrix = real_photos.score(probs, labels)
    assert metrics["faces_found"] == 3 and metrics["photos"] == 4
    assert metrics["accuracy"] == 0.5
    assert metrics["neutral_rate"] == 0.5
    assert metrics["recall"]["angry"] == 0 and metrics["recall"]["happy"] == 1 and metrics["recall"]["sad"] == 0
    assert matrix.sum() == 3 and matrix[EMOTIONS.index("angry"), EMOTIONS.index("neutral")] == 1
    assert list(real_photos.predictions(probs)) == [EMOTIONS.index("neutral"), EMOTIONS.index("happy"),
                                                    EMOTIONS.index("neutral"), -1]


@pytest.mark.skipif(not (real_photos.JAFFE / "labels.csv").exists(), reason="JAFFE is absent")
def test_jaffe_loads_as_its_readme_says():
    photos = real_photos.load_jaffe()
    assert len(photos) == 213 and len(set(photos.posers)) == 10
    assert np.bincount(photos.labels, minlength=len(EMOTIONS)).tolist() == [30, 29, 32, 31, 31, 30, 30]
    assert len(real_photos.guard_subset(photos)) == 107
