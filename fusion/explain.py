"""The one or two plain-English sentences /mood shows under the estimate."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

import emotions

if TYPE_CHECKING:
    from fusion.mood import Contribution

ADJECTIVE = {"angry": "angry", "disgust": "disgusted", "fear": "afraid", "happy": "happy",
             "sad": "sad", "surprise": "surprised", "neutral": "neutral"}
NOUN = {"face": "selfie", "text": "message", "correction": "correction"}
CHANNEL = {"face": "face looks", "text": "words sound"}
ASK = "Send me a selfie or tell me in a few words how you feel."
SUPPORTING_SHARE = 0.25  # a second source with at least this share is named too


def ago(at: datetime, now: datetime) -> str:
    minutes = int((now - at).total_seconds() // 60)
    if minutes < 2:
        return "just now"
    if minutes < 90:
        return f"{minutes} minutes ago"
    return f"{round(minutes / 60)} hours ago"


def explain(label: str, confidence: float, mixed: bool, enough_evidence: bool,
            sides: Mapping[str, Mapping[str, float]], contributions: Sequence[Contribution],
            now: datetime, left_out: Sequence[str] = ()) -> str:
    if not contributions:
        return f"I have nothing recent to go on. {ASK}"
    if not enough_evidence:
        latest = max(contributions, key=lambda c: c.at)
        return f"All I have is faint or old (your last {NOUN[latest.source]} was {ago(latest.at, now)}). {ASK}"
    if mixed:
        face, text = (ADJECTIVE[emotions.top(sides[c])] for c in ("face", "text"))
        return (f"Your face looks {face} but your words sound {text}, so I read your mood as mixed "
                f"(leaning {ADJECTIVE[label]}).")
    main = contributions[0]
    if main.source == "correction" and main.label == label:
        return f"You told me you feel {ADJECTIVE[label]} ({ago(main.at, now)})."
    # Name the strongest reading of each source that carries a real part of the evidence.
    source_share: dict[str, float] = {}
    for c in contributions:
        source_share[c.source] = source_share.get(c.source, 0.0) + c.share
    named = [main]
    for c in contributions:  # biggest share first
        if c.source not in {n.source for n in named} and source_share[c.source] >= SUPPORTING_SHARE:
            named.append(c)
    reasons = " and ".join(f"your {NOUN[c.source]} {ago(c.at, now)}" for c in named)
    text = f"You seem {ADJECTIVE[label]} ({confidence:.0%} sure), going by {reasons}."
    if left_out:
        quiet, = left_out  # of two channels, at most one can be left out
        text += f" Your {CHANNEL[quiet]} neutral, so I went by your {'words' if quiet == 'face' else 'face'}."
    return text
