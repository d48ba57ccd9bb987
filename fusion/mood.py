"""Readings (faces, messages, corrections over time) -> one mood: a weighted product of experts.

The latent mood m is one of EMOTIONS. Each reading is an expert whose vote is a likelihood over m,
and the fused log-probability is the weighted sum of the experts' log-likelihoods plus a weak prior:

    log q(m) = sharpness * [prior_weight * log prior(m) + sum_source 1/max(1, W_source) * sum_i w_i log L_i(m)] + c
    w_i      = confidence_i * strength_source * 0.5 ** (age_i / half_life_source)

The prior term counts only while the total weight is below min_evidence.

`sharpness` (one number, fitted on validation pairs by training.fusion.evaluate) makes the fused
probabilities calibrated; it never changes the label.

* Recency and confidence: w_i. A selfie says more about "now" than a message from this morning,
  so faces have the shorter half-life.
* Sources are independent channels, readings of one source are not: a burst of messages is one
  voice, so within a source the weights are averaged once they add up to more than 1 (a weighted
  geometric mean) instead of multiplying twenty near-copies into false certainty.
* Masking: a face or a message often shows nothing of how someone feels (a straight face over an
  angry message). A channel shows the mood with probability 1 - masking and looks neutral
  otherwise, so L_i(m) = (1 - masking) p_i(m) + masking p_i(neutral) for m != neutral and
  L_i(neutral) = p_i(neutral). A neutral reading then barely moves an emotional one, while a
  single reading keeps its own top label. Corrections ("I'm actually sad") are not masked.
* Abstaining: when one channel's own view is neutral and the other's shows an emotion, the neutral
  channel is taken to be masking and left out, so the emotional side is not dragged toward neutral
  by the neutral probability it also carries. Both neutral stays neutral.
* A correction supersedes everything before it and counts as one fully confident reading that
  leaves some doubt; newer face and text readings add to it as usual, so clear new evidence moves
  the mood again.
"""
from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

import numpy as np

import emotions
from emotions import EMOTIONS
from fusion.reasons import Reasons, reasons

SOURCES = ("face", "text", "correction")
CHANNELS = ("face", "text")  # the sources that observe a person (and can disagree)
NEUTRAL = emotions.INDEX["neutral"]


@dataclass(frozen=True)
class Reading:
    source: str              # "face" | "text" | "correction" (a user's explicit "I'm actually sad")
    probs: dict[str, float]  # calibrated, over emotions.EMOTIONS
    confidence: float        # [0, 1] as given by the analyzer
    at: datetime             # timezone-aware UTC

    def __post_init__(self) -> None:
        if self.source not in SOURCES:
            raise ValueError(f"source must be one of {SOURCES}, not {self.source!r}")
        if not 0.0 <= self.confidence <= 1.0:
            raise ValueError(f"confidence must be in [0, 1], not {self.confidence}")
        _require_aware(self.at)
        object.__setattr__(self, "probs", emotions.as_probs(self.probs))


@dataclass(frozen=True)
class Contribution:
    source: str
    at: datetime
    label: str    # the reading's top label
    weight: float  # effective weight after confidence and recency
    share: float   # fraction of the total evidence (shares sum to 1)


@dataclass(frozen=True)
class Mood:
    probs: dict[str, float]   # fused distribution over EMOTIONS
    label: str                # top label of probs
    confidence: float         # probability of the label, in [0, 1]
    valence: float            # circumplex point in [-1, 1]^2
    arousal: float
    mixed: bool               # face and words disagree strongly
    enough_evidence: bool     # False -> the bot asks for a selfie or a few words
    contributions: tuple[Contribution, ...]  # biggest share first
    left_out: tuple[str, ...]  # channels that looked neutral next to an emotional one (share 0)
    reasons: Reasons          # why: what the bot puts into words for /mood


@dataclass(frozen=True)
class FusionSettings:
    face_half_life: timedelta = timedelta(hours=2)   # an expression is about this moment
    text_half_life: timedelta = timedelta(hours=6)   # words describe a longer stretch of the day
    # What the user told us: weight 2 * 0.5^(age / 6 h) stays at full strength (1, the most one source
    # can have) for 6 h, then fades; readings before it are dropped.
    correction_half_life: timedelta = timedelta(hours=6)
    correction_strength: float = 2.0
    correction_doubt: float = 0.2     # mixed into a correction, so clear newer readings can still move it
    masking: float = 0.7              # P(a face or message looks neutral whatever the mood); chosen on validation
    floor: float = 0.01               # mixed into every reading: no label is ever impossible
    prior_weight: float = 0.01        # weak, and only while the evidence is below min_evidence
    prior_neutral: float = 0.4        # the prior's neutral share; the rest is spread evenly
    horizon: timedelta = timedelta(days=1)  # older readings are ignored (face 2^-12, text 2^-4)
    min_evidence: float = 0.25        # total weight below this -> not enough evidence
    mixed_divergence: float = 0.3     # Jensen-Shannon divergence (bits) of face vs text that is "mixed"
    sharpness: float = 2.45           # log q is scaled by this (fitted on validation pairs): confidence ~ accuracy
    neutral_abstains: bool = True     # a channel that looks neutral while the other shows emotion is left out

    def half_life(self, source: str) -> timedelta:
        return {"face": self.face_half_life, "text": self.text_half_life,
                "correction": self.correction_half_life}[source]

    def log_prior(self) -> np.ndarray:
        rest = (1 - self.prior_neutral) / (len(EMOTIONS) - 1)
        return np.log([self.prior_neutral if i == NEUTRAL else rest for i in range(len(EMOTIONS))])


def estimate(readings: Iterable[Reading], now: datetime, settings: FusionSettings = FusionSettings()) -> Mood:
    """The mood at `now` from the readings taken up to then."""
    return _estimate(readings, now, settings, _Votes(settings))


def _estimate(readings: Iterable[Reading], now: datetime, settings: FusionSettings, votes: _Votes) -> Mood:
    _require_aware(now)
    weighted = [(r, w) for r in _current(readings, now, settings) if (w := _weight(r, now, settings)) > 0]
    said = [votes(r) for r, _ in weighted]
    # One row per reading: the sums below are matrix products, not a Python loop per reading.
    weights = np.array([w for _, w in weighted])
    log_probs, log_likelihoods = (np.array([getattr(v, name) for v in said]).reshape(-1, len(EMOTIONS))
                                  for name in ("log_probs", "log_likelihood"))
    of = {s: np.array([r.source == s for r, _ in weighted], dtype=bool) for s in SOURCES}
    totals = {s: float(weights[of[s]].sum()) for s in SOURCES}
    # Each channel's own view, where it has enough weight to be heard: for abstaining, "mixed" and the explanation.
    sides = {c: _side(weights[of[c]], log_probs[of[c]]) for c in CHANNELS if totals[c] >= settings.min_evidence}
    left_out = _abstaining(sides) if settings.neutral_abstains else ()
    # Readings of one source together count at most once (see the module doc); a left-out channel not at all.
    scales = {s: 0.0 if s in left_out else 1 / max(1.0, total) for s, total in totals.items()}
    scaled = weights * np.array([scales[r.source] for r, _ in weighted])
    enough = sum(totals.values()) >= settings.min_evidence
    # The prior speaks only while the evidence is too thin; with enough, the readings alone decide,
    # so a lone reading (or the channel left when the other abstains) keeps its top label, near-ties too.
    log_q = (0.0 if enough else settings.prior_weight) * settings.log_prior() + scaled @ log_likelihoods
    information = (scaled * np.array([v.divergence for v in said])).tolist()
    probs = dict(zip(EMOTIONS, _softmax(settings.sharpness * log_q).tolist()))
    label = emotions.top(probs)
    mixed = _mixed(sides, settings)
    contributions = _contributions(weighted, information, said)
    valence, arousal = emotions.circumplex_point(probs)
    return Mood(probs=probs, label=label, confidence=probs[label], valence=valence, arousal=arousal,
                mixed=mixed, enough_evidence=enough, contributions=contributions, left_out=left_out,
                reasons=reasons(label, probs[label], mixed, enough, sides, contributions, left_out))


def journey(readings: Iterable[Reading], since: datetime, until: datetime, step: timedelta,
            settings: FusionSettings = FusionSettings()) -> list[tuple[datetime, Mood]]:
    """The mood at since, since + step, ... up to until, each from the readings taken by then."""
    if step <= timedelta(0):
        raise ValueError("step must be positive")
    readings = list(readings)
    steps = (until - since) // step  # negative when until is before since: no points
    votes = _Votes(settings)  # a reading counts at ~8 points: what it says is worked out once
    return [(at, _estimate(readings, at, settings, votes)) for at in (since + i * step for i in range(steps + 1))]


class _Said(NamedTuple):
    """What one reading says, whatever the time."""

    reading: Reading  # kept, so its id() is not reused while this is cached
    log_probs: np.ndarray
    log_likelihood: np.ndarray
    divergence: float  # how far the log-likelihood is from "no opinion"
    label: str


class _Votes:
    """What each reading says, worked out once per reading: the same numbers at every point of a journey."""

    def __init__(self, settings: FusionSettings) -> None:
        self.settings = settings
        self._said: dict[int, _Said] = {}

    def __call__(self, r: Reading) -> _Said:
        said = self._said.get(id(r))
        if said is None:
            ll = _log_likelihood(r, self.settings)
            said = self._said[id(r)] = _Said(r, np.log(_floored(r, self.settings)), ll, _divergence_from_uniform(ll),
                                             emotions.top(r.probs))
        return said


def _require_aware(at: datetime) -> None:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"naive datetime {at!r}: pass a timezone-aware one")


def _current(readings: Iterable[Reading], now: datetime, settings: FusionSettings) -> list[Reading]:
    """Readings taken by `now`, within the horizon, and not superseded by a later correction."""
    seen = [r for r in readings if now - settings.horizon <= r.at <= now]
    corrected_at = max((r.at for r in seen if r.source == "correction"), default=None)
    return [r for r in seen if corrected_at is None or r.at >= corrected_at]


def _weight(r: Reading, now: datetime, settings: FusionSettings) -> float:
    strength = settings.correction_strength if r.source == "correction" else 1.0
    return float(r.confidence * strength * 0.5 ** ((now - r.at) / settings.half_life(r.source)))


def _floored(r: Reading, settings: FusionSettings) -> np.ndarray:
    p = np.array([r.probs[name] for name in EMOTIONS])
    floor = settings.correction_doubt if r.source == "correction" else settings.floor
    return (1 - floor) * p + floor / len(EMOTIONS)


def _log_likelihood(r: Reading, settings: FusionSettings) -> np.ndarray:
    p = _floored(r, settings)
    if r.source == "correction":
        return np.asarray(np.log(p))
    likelihood = (1 - settings.masking) * p + settings.masking * p[NEUTRAL]
    likelihood[NEUTRAL] = p[NEUTRAL]
    return np.asarray(np.log(likelihood))


def _softmax(log_p: np.ndarray) -> np.ndarray:
    p = np.exp(log_p - log_p.max())
    return np.asarray(p / p.sum())


def _divergence_from_uniform(log_likelihood: np.ndarray) -> float:
    """How far a vote is from "no opinion": KL(normalised likelihood || uniform), in nats."""
    p = _softmax(log_likelihood)
    return float(math.log(len(p)) + (p * np.log(p)).sum())


def _side(weights: np.ndarray, log_probs: np.ndarray) -> dict[str, float]:
    """What one channel says on its own (unmasked): the weighted geometric mean of its readings."""
    return dict(zip(EMOTIONS, _softmax(weights @ log_probs / weights.sum()).tolist()))


def _abstaining(sides: dict[str, dict[str, float]]) -> tuple[str, ...]:
    """The channels that look neutral while another shows an emotion: they are masking, so they abstain."""
    neutral = tuple(c for c, side in sides.items() if emotions.top(side) == "neutral")
    return neutral if len(neutral) < len(sides) else ()


def _jensen_shannon_bits(p: dict[str, float], q: dict[str, float]) -> float:
    a, b = np.array([p[n] for n in EMOTIONS]), np.array([q[n] for n in EMOTIONS])
    m = (a + b) / 2
    return float((a * np.log2(a / m)).sum() + (b * np.log2(b / m)).sum()) / 2


def _mixed(sides: dict[str, dict[str, float]], settings: FusionSettings) -> bool:
    """Face and words each show a different emotion (not just one of them looking neutral), clearly."""
    if len(sides) < 2:
        return False
    face, text = sides["face"], sides["text"]
    tops = {emotions.top(face), emotions.top(text)}
    return (len(tops) == 2 and "neutral" not in tops
            and _jensen_shannon_bits(face, text) >= settings.mixed_divergence)


def _contributions(weighted: list[tuple[Reading, float]], information: list[float],
                   said: list[_Said]) -> tuple[Contribution, ...]:
    # A reading's share of the evidence is its weight times how far its vote is from "no opinion";
    # if every vote is flat, fall back to the weights.
    evidence = information if sum(information) > 0 else [w for _, w in weighted]
    total = sum(evidence)
    contributions = [Contribution(r.source, r.at, v.label, w, e / total)
                     for (r, w), v, e in zip(weighted, said, evidence)]
    return tuple(sorted(contributions, key=lambda c: c.share, reverse=True))
