"""The one emotion vocabulary shared by every modality (vision, nlp, fusion, music, bot).

Order matters: it is FER2013's label order, so FER2013 label ids index this tuple directly.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

EMOTIONS: tuple[str, ...] = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")
INDEX: dict[str, int] = {name: i for i, name in enumerate(EMOTIONS)}

# Sentiment of each label. This is exactly GoEmotions' sentiment grouping lifted to the Ekman
# groups (its 'ambiguous' labels are precisely the Ekman 'surprise' group), so sentiment and
# valence derived from a 7-way distribution agree with how the data was labelled.
SENTIMENTS: tuple[str, ...] = ("negative", "neutral", "positive")
SENTIMENT_OF: dict[str, str] = {
    "angry": "negative", "disgust": "negative", "fear": "negative", "sad": "negative",
    "happy": "positive", "surprise": "neutral", "neutral": "neutral",
}


def as_probs(values: Mapping[str, float] | Sequence[float]) -> dict[str, float]:
    """Validate a distribution over EMOTIONS (mapping or sequence in EMOTIONS order) and normalise it."""
    if isinstance(values, Mapping):
        unknown = set(values) - set(EMOTIONS)
        if unknown:
            raise ValueError(f"unknown emotion labels: {sorted(unknown)}")
        seq = [float(values.get(name, 0.0)) for name in EMOTIONS]
    else:
        seq = [float(v) for v in values]
        if len(seq) != len(EMOTIONS):
            raise ValueError(f"expected {len(EMOTIONS)} probabilities, got {len(seq)}")
    if any(v < 0 or v != v for v in seq):
        raise ValueError("probabilities must be non-negative numbers")
    total = sum(seq)
    if total <= 0:
        raise ValueError("probabilities sum to zero")
    return {name: v / total for name, v in zip(EMOTIONS, seq)}


def top(probs: Mapping[str, float]) -> str:
    """The most probable label (ties resolved in EMOTIONS order)."""
    return max(EMOTIONS, key=lambda name: probs.get(name, 0.0))


def sentiment_probs(probs: Mapping[str, float]) -> dict[str, float]:
    """Collapse a 7-way distribution into negative / neutral / positive."""
    out = dict.fromkeys(SENTIMENTS, 0.0)
    for name in EMOTIONS:
        out[SENTIMENT_OF[name]] += float(probs.get(name, 0.0))
    return out


def valence(probs: Mapping[str, float]) -> float:
    """P(positive) - P(negative), in [-1, 1]."""
    s = sentiment_probs(probs)
    return s["positive"] - s["negative"]


# -- Where each label sits in valence-arousal space (Russell's circumplex) ------------------------
# Russell, J. A. (1980). A circumplex model of affect. Journal of Personality and Social Psychology,
# 39(6), 1161-1178: 28 affect words placed on a circle, angles measured counter-clockwise from
# "pleasure" (0 deg) with "arousal" at 90 deg. We use his direct-scaling angles for the words nearest
# our labels: happy 7.8, astonished 69.8 (our surprise), angry 99.0, afraid 116.0 (our fear),
# sad 207.5. Disgust is not among his 28 words: we place it at 130 deg, between his "annoyed" (123.0)
# and "distressed" (138.0), unpleasant and moderately aroused: a placement of ours, not a
# measurement. Neutral is the centre of the circle (Russell's adaptation level). Points are on the
# unit circle, so a distribution's expected point lies in [-1, 1]^2 and drifts to the centre as it
# gets less sure. The one definition of these points: fusion places a mood with it.
ANGLE_DEGREES: dict[str, float] = {
    "happy": 7.8, "surprise": 69.8, "angry": 99.0, "fear": 116.0, "disgust": 130.0, "sad": 207.5,
}


def _on_circle(degrees: float) -> tuple[float, float]:
    radians = math.radians(degrees)
    return round(math.cos(radians), 3), round(math.sin(radians), 3)


# (valence, arousal) per label.
CIRCUMPLEX: dict[str, tuple[float, float]] = {
    name: _on_circle(ANGLE_DEGREES[name]) if name in ANGLE_DEGREES else (0.0, 0.0) for name in EMOTIONS
}


def circumplex_point(probs: Mapping[str, float]) -> tuple[float, float]:
    """Expected (valence, arousal) of a distribution over EMOTIONS."""
    valence = sum(p * CIRCUMPLEX[name][0] for name, p in probs.items())
    arousal = sum(p * CIRCUMPLEX[name][1] for name, p in probs.items())
    return valence, arousal
