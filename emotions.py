"""The one emotion vocabulary shared by every modality (vision, nlp, fusion, music, bot).

Order matters: it is FER2013's label order, so FER2013 label ids index this tuple directly.
"""
from __future__ import annotations

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
