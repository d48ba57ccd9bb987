"""Where each label sits in valence-arousal space (Russell's circumplex).

Russell, J. A. (1980). A circumplex model of affect. Journal of Personality and Social Psychology,
39(6), 1161-1178: 28 affect words placed on a circle, angles measured counter-clockwise from
"pleasure" (0 deg) with "arousal" at 90 deg. We use his direct-scaling angles for the words nearest
our labels: happy 7.8, astonished 69.8 (our surprise), angry 99.0, afraid 116.0 (our fear),
sad 207.5. Disgust is not among his 28 words: we place it at 130 deg, between his "annoyed" (123.0)
and "distressed" (138.0), unpleasant and moderately aroused: a placement of ours, not a
measurement. Neutral is the centre of the circle (Russell's adaptation level). Points are on the
unit circle, so a fused mood's expected point lies in [-1, 1]^2 and drifts to the centre as the
estimate gets less sure.
"""
from __future__ import annotations

import math
from collections.abc import Mapping

from emotions import EMOTIONS

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


def point(probs: Mapping[str, float]) -> tuple[float, float]:
    """Expected (valence, arousal) of a distribution over EMOTIONS."""
    valence = sum(p * CIRCUMPLEX[name][0] for name, p in probs.items())
    arousal = sum(p * CIRCUMPLEX[name][1] for name, p in probs.items())
    return valence, arousal
