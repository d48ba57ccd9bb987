"""fusion's reasons for a mood, in the one or two plain-English sentences /mood shows."""
from __future__ import annotations

from datetime import datetime

from fusion import Basis, Reasons

ADJECTIVE = {"angry": "angry", "disgust": "disgusted", "fear": "afraid", "happy": "happy",
             "sad": "sad", "surprise": "surprised", "neutral": "neutral"}
NOUN = {"face": "selfie", "text": "message", "correction": "correction"}
CHANNEL = {"face": "face looks", "text": "words sound"}
ASK = "Send me a selfie or tell me in a few words how you feel."


def ago(at: datetime, now: datetime) -> str:
    minutes = int((now - at).total_seconds() // 60)
    if minutes < 2:
        return "just now"
    if minutes < 90:
        return f"{minutes} minutes ago"
    return f"{round(minutes / 60)} hours ago"


def explanation(why: Reasons, now: datetime) -> str:
    feeling = ADJECTIVE[why.label]
    if why.basis is Basis.NOTHING:
        return f"I have nothing recent to go on. {ASK}"
    if why.basis is Basis.FAINT:
        latest = why.named[0]
        return f"All I have is faint or old (your last {NOUN[latest.source]} was {ago(latest.at, now)}). {ASK}"
    if why.basis is Basis.MIXED:
        return (f"Your face looks {ADJECTIVE[why.face or 'neutral']} but your words sound "
                f"{ADJECTIVE[why.text or 'neutral']}, so I read your mood as mixed (leaning {feeling}).")
    if why.basis is Basis.TOLD:
        return f"You told me you feel {feeling} ({ago(why.named[0].at, now)})."
    sources = " and ".join(f"your {NOUN[c.source]} {ago(c.at, now)}" for c in why.named)
    text = f"You seem {feeling} ({why.confidence:.0%} sure), going by {sources}."
    if why.left_out:
        other = "words" if why.left_out == "face" else "face"
        text += f" Your {CHANNEL[why.left_out]} neutral, so I went by your {other}."
    return text
