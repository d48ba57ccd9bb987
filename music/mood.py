"""Mood -> where to aim in Spotify's (valence, energy) plane, and how a strategy moves from there.

These are not a second circumplex (that is `emotions.CIRCUMPLEX`, where a feeling sits): they are
where music for each feeling sits in Spotify's own 0..1 features, so fear aims at moderate energy
(0.55) although afraid is a highly aroused feeling. Set from the circumplex's quadrants and checked
against the mood-labelled tracks in shared/data/music (mean valence/energy: Sad 0.28/0.37, Calm
0.15-0.37/0.16-0.43, Angry 0.49/0.72, Happy 0.61/0.69, Energetic 0.44-0.60/0.75-0.88); mappings
fitted on one labelled set and scored on the other did not beat them (music/README.md). A mixed
mood aims at the expected point: sum over labels of P(label) * point(label).
"""
from __future__ import annotations

from collections.abc import Mapping

from emotions import EMOTIONS, as_probs

Point = tuple[float, float]  # (valence, energy)

POINTS: dict[str, Point] = {
    "angry": (0.35, 0.85),
    "disgust": (0.30, 0.62),
    "fear": (0.25, 0.55),
    "happy": (0.75, 0.72),
    "sad": (0.22, 0.32),
    "surprise": (0.62, 0.80),
    "neutral": (0.50, 0.50),
}
assert set(POINTS) == set(EMOTIONS)
CALM: Point = (0.40, 0.22)    # where `calm` leads: low energy, mildly pleasant
BRIGHT: Point = (0.72, 0.62)  # where `lift` leads: pleasant, moderately energetic
LIFT_STEP = 0.12              # `lift` from an already bright mood still nudges valence up

STRATEGIES: tuple[str, ...] = ("match", "lift", "calm")


def mood_point(probs: Mapping[str, float]) -> Point:
    """Expected (valence, energy) of a distribution over EMOTIONS."""
    p = as_probs(probs)
    return (sum(p[e] * POINTS[e][0] for e in EMOTIONS), sum(p[e] * POINTS[e][1] for e in EMOTIONS))


def goal(start: Point, strategy: str) -> Point:
    """Where a strategy leads from `start`: match stays, lift brightens, calm lowers energy."""
    v, e = start
    if strategy == "match":
        return start
    if strategy == "lift":
        if v < BRIGHT[0]:
            return (BRIGHT[0], (e + BRIGHT[1]) / 2)  # energy only halfway: no jump from sad to party
        return (min(1.0, v + LIFT_STEP), e)
    if strategy == "calm":
        return (max(v, CALM[0]), min(e, CALM[1]))
    raise ValueError(f"unknown strategy {strategy!r}; expected one of {STRATEGIES}")


def path(start: Point, end: Point, steps: int) -> list[Point]:
    """Iso principle: begin where the listener is and move evenly toward the goal."""
    if steps == 1:
        return [end]
    return [(start[0] + (end[0] - start[0]) * i / (steps - 1), start[1] + (end[1] - start[1]) * i / (steps - 1))
            for i in range(steps)]


def clamp(point: Point) -> Point:
    return (min(1.0, max(0.0, point[0])), min(1.0, max(0.0, point[1])))
