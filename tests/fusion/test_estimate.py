"""Fusion rules on synthetic readings: agreement, conflict, neutral sides, recency, evidence, corrections."""
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from emotions import EMOTIONS
from fusion import Basis, FusionSettings, Reading, estimate, journey

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def reading(source: str, label: str, p: float = 0.8, confidence: float = 0.8, minutes_ago: float = 0) -> Reading:
    """`p` on `label`, the rest spread evenly."""
    probs = {name: (p if name == label else (1 - p) / (len(EMOTIONS) - 1)) for name in EMOTIONS}
    return Reading(source, probs, confidence, NOW - timedelta(minutes=minutes_ago))


def test_agreeing_face_and_words_are_surer_than_either_alone():
    face, text = reading("face", "happy", 0.6), reading("text", "happy", 0.6)
    both = estimate([face, text], NOW)
    assert both.label == "happy" and not both.mixed and both.enough_evidence
    assert both.confidence > max(estimate([face], NOW).confidence, estimate([text], NOW).confidence)
    assert both.valence > 0


def test_strong_disagreement_is_mixed_and_explained():
    mood = estimate([reading("face", "happy", 0.85), reading("text", "sad", 0.85)], NOW)
    assert mood.mixed
    assert mood.reasons.basis is Basis.MIXED and (mood.reasons.face, mood.reasons.text) == ("happy", "sad")
    assert mood.confidence < 0.6


def test_weak_disagreement_is_not_mixed():
    mood = estimate([reading("face", "happy", 0.3), reading("text", "sad", 0.3)], NOW)
    assert not mood.mixed


@pytest.mark.parametrize("neutral_side", ["face", "text"])
def test_a_neutral_side_does_not_drag_down_an_emotional_one(neutral_side):
    emotional_side = "text" if neutral_side == "face" else "face"
    mood = estimate([reading(emotional_side, "angry", 0.6), reading(neutral_side, "neutral", 0.7)], NOW)
    assert mood.label == "angry" and not mood.mixed


@pytest.mark.parametrize("neutral_side", ["face", "text"])
def test_a_neutral_side_abstains_even_when_the_emotional_side_is_half_neutral(neutral_side):
    emotional_side = "text" if neutral_side == "face" else "face"
    emotional = Reading(emotional_side, {"angry": 0.45, "neutral": 0.35, "sad": 0.1, "fear": 0.1}, 0.45, NOW)
    readings = [emotional, reading(neutral_side, "neutral", 0.9, confidence=0.9)]
    mood = estimate(readings, NOW)
    assert mood.label == "angry"
    assert mood.probs == pytest.approx(estimate([emotional], NOW).probs)
    assert [c.source for c in mood.contributions if c.share > 0] == [emotional_side]
    assert mood.left_out == (neutral_side,)
    assert mood.reasons.basis is Basis.READ and mood.reasons.left_out == neutral_side
    # Masking alone would let the confident neutral side tip it.
    assert estimate(readings, NOW, FusionSettings(neutral_abstains=False)).label == "neutral"


def test_neutral_everywhere_is_neutral():
    mood = estimate([reading("face", "neutral", 0.7), reading("text", "neutral", 0.6)], NOW)
    assert mood.label == "neutral" and mood.enough_evidence


def test_a_single_reading_keeps_its_own_top_label():
    rng = np.random.default_rng(0)
    for probs in rng.dirichlet(np.ones(len(EMOTIONS)), size=200):
        for source in ("face", "text"):
            for confidence in (1.0, FusionSettings().min_evidence):
                mood = estimate([Reading(source, dict(zip(EMOTIONS, probs)), confidence, NOW)], NOW)
                assert mood.label == EMOTIONS[int(np.argmax(probs))]


@pytest.mark.parametrize("neutral_side", ["face", "text"])
def test_a_near_tie_with_neutral_keeps_its_label_beside_a_neutral_side(neutral_side):
    # A half-neutral sad face (weight 0.52) beside neutral words: the words abstain and the weak prior,
    # which leans neutral, must not tip the near-tie once there is enough evidence.
    emotional_side = "text" if neutral_side == "face" else "face"
    emotional = Reading(emotional_side, {"sad": 0.52, "neutral": 0.48}, 0.52, NOW)
    mood = estimate([emotional, reading(neutral_side, "neutral", 0.6, confidence=0.6)], NOW)
    assert mood.label == "sad" and mood.left_out == (neutral_side,)


def test_a_fresh_selfie_outweighs_a_message_from_this_morning():
    mood = estimate([reading("text", "sad", minutes_ago=5 * 60), reading("face", "happy", minutes_ago=2)], NOW)
    assert mood.label == "happy"
    assert mood.contributions[0].source == "face"


def test_faces_fade_faster_than_words():
    old = 5 * 60
    mood = estimate([reading("face", "happy", minutes_ago=old), reading("text", "sad", minutes_ago=old)], NOW)
    assert mood.label == "sad"
    weights = {c.source: c.weight for c in mood.contributions}
    assert weights["face"] < weights["text"]


def test_half_lives_are_settings():
    readings = [reading("face", "happy", minutes_ago=5 * 60), reading("text", "sad", minutes_ago=5 * 60)]
    slow_faces = FusionSettings(face_half_life=timedelta(hours=24), text_half_life=timedelta(hours=1))
    assert estimate(readings, NOW, slow_faces).label == "happy"


def test_a_burst_of_messages_counts_as_one_voice():
    one = estimate([reading("text", "happy", confidence=1.0)], NOW)
    burst = estimate([reading("text", "happy", confidence=1.0, minutes_ago=0)] * 10, NOW)
    assert burst.probs == pytest.approx(one.probs)


def test_no_readings_is_not_enough_evidence_and_asks():
    mood = estimate([], NOW)
    assert not mood.enough_evidence and mood.contributions == ()
    assert mood.reasons.basis is Basis.NOTHING
    assert sum(mood.probs.values()) == pytest.approx(1)


def test_old_or_unsure_readings_are_not_enough_evidence():
    assert not estimate([reading("face", "happy", minutes_ago=10 * 60)], NOW).enough_evidence
    assert not estimate([reading("text", "sad", confidence=0.1)], NOW).enough_evidence
    assert estimate([reading("text", "sad", confidence=0.5)], NOW).enough_evidence


def test_readings_after_now_and_beyond_the_horizon_are_ignored():
    later = Reading("face", reading("face", "happy").probs, 0.9, NOW + timedelta(minutes=5))
    ancient = reading("text", "sad", minutes_ago=3 * 24 * 60)
    assert estimate([later, ancient], NOW).contributions == ()


def test_a_correction_overrides_what_came_before():
    mood = estimate([reading("face", "happy", 0.9, minutes_ago=30), reading("correction", "sad", 1.0, 1.0, 10)], NOW)
    assert mood.label == "sad" and mood.confidence > 0.6
    assert [c.source for c in mood.contributions] == ["correction"]
    assert mood.reasons.basis is Basis.TOLD


def test_clear_newer_evidence_moves_a_correction_but_one_faint_reading_does_not():
    correction = reading("correction", "sad", 1.0, 1.0, minutes_ago=60)
    faint = estimate([correction, reading("text", "happy", 0.5, 0.5, minutes_ago=5)], NOW)
    assert faint.label == "sad"
    clear = estimate([correction, reading("face", "happy", 0.95, 0.95, 5), reading("text", "happy", 0.9, 0.9, 5)], NOW)
    assert clear.label == "happy"


def test_contributions_share_the_evidence_and_the_flat_reading_moved_least():
    flat = Reading("text", dict.fromkeys(EMOTIONS, 1.0), 0.9, NOW)
    mood = estimate([reading("face", "fear", 0.7), flat], NOW)
    assert sum(c.share for c in mood.contributions) == pytest.approx(1)
    assert [c.source for c in mood.contributions] == ["face", "text"]
    assert mood.contributions[1].share < 0.01
    assert mood.contributions[0].label == "fear" and mood.contributions[0].weight == pytest.approx(0.8)


def test_journey_follows_the_day():
    readings = [reading("face", "sad", minutes_ago=6 * 60), reading("text", "happy", minutes_ago=60)]
    points = journey(readings, NOW - timedelta(hours=8), NOW, timedelta(hours=1))
    assert [t for t, _ in points] == [NOW - timedelta(hours=h) for h in range(8, -1, -1)]
    moods = [m for _, m in points]
    assert not moods[0].enough_evidence             # before anything was said
    assert moods[3].label == "sad"                  # just after the selfie
    assert moods[-1] == estimate(readings, NOW)
    assert moods[-1].label == "happy"
    with pytest.raises(ValueError):
        journey(readings, NOW, NOW, timedelta(0))


def test_journey_is_estimate_at_every_point():
    """journey works out what each reading says once for all its points: the moods must be exactly estimate's."""
    rng = np.random.default_rng(27)
    readings = [Reading(str(rng.choice(["face", "text", "text", "correction"] if i % 25 == 0 else ["face", "text"])),
                        dict(zip(EMOTIONS, rng.dirichlet(np.ones(len(EMOTIONS))).tolist())), float(rng.uniform(0.2, 1)),
                        NOW - timedelta(minutes=float(rng.uniform(0, 3 * 24 * 60)))) for i in range(300)]
    points = journey(readings, NOW - timedelta(days=2), NOW, timedelta(hours=3))
    assert len(points) == 17 and len({m.label for _, m in points}) > 1
    assert points == [(at, estimate(readings, at)) for at, _ in points]


def test_readings_are_checked():
    with pytest.raises(ValueError):
        Reading("voice", reading("face", "sad").probs, 0.5, NOW)
    with pytest.raises(ValueError):
        Reading("face", reading("face", "sad").probs, 0.5, datetime(2026, 1, 1))
    with pytest.raises(ValueError):
        Reading("face", reading("face", "sad").probs, 1.5, NOW)
    with pytest.raises(ValueError):
        estimate([], datetime(2026, 1, 1))
    assert Reading("face", {"sad": 2.0, "happy": 2.0}, 0.5, NOW).probs["sad"] == 0.5


def test_the_reasons_name_what_drove_the_mood():
    mood = estimate([reading("face", "happy", 0.7, minutes_ago=5), reading("text", "happy", 0.7, minutes_ago=30)], NOW)
    assert mood.reasons.basis is Basis.READ and mood.reasons.label == "happy"
    assert [(c.source, c.at) for c in mood.reasons.named] == [("face", NOW - timedelta(minutes=5)),
                                                              ("text", NOW - timedelta(minutes=30))]
    overruled = estimate([reading("correction", "sad", 1.0, 1.0, minutes_ago=120),
                          reading("face", "happy", 0.95, 0.95, 5), reading("text", "happy", 0.9, 0.9, 5)], NOW)
    assert overruled.label == "happy" and overruled.reasons.basis is Basis.READ
