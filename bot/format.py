"""Readings, moods and recommendations as short HTML replies."""
from __future__ import annotations

from datetime import datetime
from html import escape

from bot.explain import ago, explanation
from fusion import Contribution, Mood
from music import Recommendation
from vision import Face

EMOJI = {"angry": "😠", "disgust": "🤢", "fear": "😨", "happy": "😊", "sad": "😢", "surprise": "😮",
         "neutral": "😐"}
SOURCE = {"face": "📷 selfie", "text": "💬 words", "correction": "✋ you told me"}
STRATEGY = {"match": "matches your mood", "lift": "lifts your mood", "calm": "calms things down"}


def label(name: str) -> str:
    return f"{EMOJI.get(name, '')} <b>{escape(name)}</b>"


def sureness(confidence: float) -> str:
    if confidence >= 0.75:
        return "quite sure"
    return "fairly sure" if confidence >= 0.5 else "not very sure"


def mood_line(mood: Mood) -> str:
    line = f"Mood now: {label(mood.label)} ({sureness(mood.confidence)})"
    return line + ", but <i>mixed</i>" if mood.mixed else line


def faces_reply(faces: list[Face], mood: Mood, video: bool = False) -> str:
    face = faces[0]
    text = f"You look {label(face.emotion)} ({face.confidence:.0%})."
    if len(faces) > 1:
        text = f"I see {len(faces)} faces; I read the {'one in most frames' if video else 'largest one'}. " + text
    if video:
        text = f"🎥 From your video ({face.frames} frames): " + text[0].lower() + text[1:]
    return f"{text}\n{mood_line(mood)}"


def mood_reply(mood: Mood, now: datetime) -> str:
    """Label and confidence, why (fusion's reasons in words), then each source's part (face vs words, how recent)."""
    lines = [f"I think you feel {label(mood.label)}, {sureness(mood.confidence)} ({mood.confidence:.0%}).",
             escape(explanation(mood.reasons, now)), "<b>What drove it</b>"]
    by_source: dict[str, list[Contribution]] = {}
    for c in mood.contributions:  # biggest share first, so each source's first is its strongest
        by_source.setdefault(c.source, []).append(c)
    for source, parts in sorted(by_source.items(), key=lambda kv: -sum(c.share for c in kv[1])):
        count = f" ×{len(parts)}" if len(parts) > 1 else ""
        latest = max(c.at for c in parts)
        part = (f"{label('neutral')}, left out" if source in mood.left_out
                else f"{label(parts[0].label)} ({sum(c.share for c in parts):.0%})")
        lines.append(f"{SOURCE.get(source, source)}{count}, {ago(latest, now)}: {part}")
    return "\n".join(lines)


def playlist_reply(mood: Mood, rec: Recommendation) -> str:
    lines = [f"🎵 For {label(mood.label)}, a playlist that {STRATEGY.get(rec.strategy, rec.strategy)}:"]
    if rec.note:  # too little in the user's language for this mood, and what was done instead
        lines.append(f"ℹ️ {escape(rec.note)}")
    for i, pick in enumerate(rec.picks, 1):
        track = pick.track
        # Spotify's track page, plus a one-tap search on the service chosen in /prefs.
        elsewhere = f" · <a href=\"{escape(rec.link(track))}\">{escape(rec.service_name)}</a>" \
            if rec.service != "spotify" else ""
        lines.append(f"{i}. <a href=\"{escape(track.url)}\">{escape(track.name)}</a> · "
                     f"{escape(', '.join(track.artists))}{elsewhere}\n    <i>{escape(pick.reason)}</i>")
    if rec.playlist is not None:
        lines.append(f"▶️ <a href=\"{escape(rec.playlist.url)}\">{escape(rec.playlist.name)}</a>")
    lines.append(f"🔎 <a href=\"{escape(rec.search_url)}\">More on {escape(rec.service_name)}</a>")
    return "\n".join(lines)
