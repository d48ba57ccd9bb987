import pytest

from emotions import CIRCUMPLEX, EMOTIONS, SENTIMENT_OF
from emotions import circumplex_point as point
from fusion import Reading, estimate


def test_every_label_has_a_point_inside_the_square():
    assert set(CIRCUMPLEX) == set(EMOTIONS)
    assert all(-1 <= v <= 1 and -1 <= a <= 1 for v, a in CIRCUMPLEX.values())
    assert CIRCUMPLEX["neutral"] == (0.0, 0.0)


def test_placements_agree_with_the_sentiment_of_each_label():
    for name, (valence, _) in CIRCUMPLEX.items():
        if SENTIMENT_OF[name] == "positive":
            assert valence > 0.5
        if SENTIMENT_OF[name] == "negative":
            assert valence < 0
    assert CIRCUMPLEX["sad"][1] < 0 < CIRCUMPLEX["angry"][1]
    assert CIRCUMPLEX["fear"][1] > 0 and CIRCUMPLEX["surprise"][1] > 0


def test_a_mood_sits_at_the_expected_point_of_its_distribution():
    from datetime import UTC, datetime
    now = datetime(2026, 11, 21, tzinfo=UTC)
    mood = estimate([Reading("face", {"happy": 0.6, "surprise": 0.3, "neutral": 0.1}, 0.9, now)], now)
    assert (mood.valence, mood.arousal) == pytest.approx(point(mood.probs))
    assert point({"sad": 1.0}) == CIRCUMPLEX["sad"]
