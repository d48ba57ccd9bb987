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
NOUN = {"face": "selfie", "text": "message", "correction": "own words"}
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
            now: datetime) -> str:
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
    if main.source == "correction":
        return f"You told me you feel {ADJECTIVE[main.label]} ({ago(main.at, now)})."
    reason = f"your {NOUN[main.source]} {ago(main.at, now)}"
    other = next((c for c in contributions if c.source not in (main.source, "correction")), None)
    if other is not None and sum(c.share for c in contributions if c.source == other.source) >= SUPPORTING_SHARE:
        reason = f"your selfie and your words, mostly {reason}"
    return f"You seem {ADJECTIVE[label]} ({confidence:.0%} sure), going by {reason}."
