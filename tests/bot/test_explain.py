"""fusion's reasons in words: what /mood says under the estimate."""
from datetime import UTC, datetime, timedelta

from bot.explain import explanation
from emotions import EMOTIONS
from fusion import Reading, estimate

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def reading(source: str, label: str, p: float = 0.8, minutes_ago: float = 0) -> Reading:
    probs = {name: (p if name == label else (1 - p) / (len(EMOTIONS) - 1)) for name in EMOTIONS}
    return Reading(source, probs, p, NOW - timedelta(minutes=minutes_ago))


def words(*readings: Reading) -> str:
    return explanation(estimate(readings, NOW).reasons, NOW)


def test_it_names_each_source_that_drove_the_mood_and_when():
    said = words(reading("face", "happy", 0.7, minutes_ago=5), reading("text", "happy", 0.7, minutes_ago=30))
    assert said.startswith("You seem happy")
    assert "selfie 5 minutes ago" in said and "message 30 minutes ago" in said


def test_disagreement_names_both_sides():
    said = words(reading("face", "happy", 0.85), reading("text", "sad", 0.85))
    assert "face looks happy" in said and "words sound sad" in said and "mixed" in said


def test_a_neutral_side_is_said_to_be_set_aside():
    assert "Your words sound neutral, so I went by your face." in words(reading("face", "angry", 0.9),
                                                                        reading("text", "neutral", 0.9))


def test_nothing_or_a_correction():
    assert "selfie" in words() and "nothing recent" in words()
    assert words(reading("correction", "sad", 1.0, minutes_ago=10)).startswith("You told me you feel sad")
