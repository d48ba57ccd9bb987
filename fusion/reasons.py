"""Why fusion settled on a mood, as data: the bot turns it into words (bot/explain.py)."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

import emotions

if TYPE_CHECKING:
    from fusion.mood import Contribution

SUPPORTING_SHARE = 0.25  # a second source with at least this share is named too


class Basis(Enum):
    NOTHING = "nothing"  # no recent readings at all
    FAINT = "faint"      # readings, but too faint or old to say anything
    MIXED = "mixed"      # face and words disagree strongly
    TOLD = "told"        # the user said how they feel, and that decides
    READ = "read"        # the strongest readings decide


@dataclass(frozen=True)
class Reasons:
    basis: Basis
    label: str
    confidence: float
    named: tuple[Contribution, ...] = ()  # READ: the readings to name (main first); TOLD/FAINT: the one that counts
    face: str | None = None               # MIXED: each channel's own top label
    text: str | None = None
    left_out: str | None = None           # READ: a channel that looked neutral and was set aside


def reasons(label: str, confidence: float, mixed: bool, enough_evidence: bool,
            sides: Mapping[str, Mapping[str, float]], contributions: Sequence[Contribution],
            left_out: Sequence[str] = ()) -> Reasons:
    if not contributions:
        return Reasons(Basis.NOTHING, label, confidence)
    if not enough_evidence:
        return Reasons(Basis.FAINT, label, confidence, named=(max(contributions, key=lambda c: c.at),))
    if mixed:
        return Reasons(Basis.MIXED, label, confidence, face=emotions.top(sides["face"]),
                       text=emotions.top(sides["text"]))
    main = contributions[0]
    if main.source == "correction" and main.label == label:
        return Reasons(Basis.TOLD, label, confidence, named=(main,))
    # Name the strongest reading of each source that carries a real part of the evidence.
    source_share: dict[str, float] = {}
    for c in contributions:
        source_share[c.source] = source_share.get(c.source, 0.0) + c.share
    named = [main]
    for c in contributions:  # biggest share first
        if c.source not in {n.source for n in named} and source_share[c.source] >= SUPPORTING_SHARE:
            named.append(c)
    quiet = left_out[0] if left_out else None  # of two channels, at most one can be left out
    return Reasons(Basis.READ, label, confidence, named=tuple(named), left_out=quiet)
