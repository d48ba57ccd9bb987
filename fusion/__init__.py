"""fusion: the readings a user has given (selfies, messages, corrections, over time) -> one mood.

    mood = fusion.estimate(readings, now)          # Mood: probs, label, valence/arousal, mixed, ...
    day = fusion.journey(readings, since, until, step)  # [(time, Mood)] for /history

How and why: fusion/mood.py and fusion/README.md.
"""
from fusion.mood import Contribution, FusionSettings, Mood, Reading, estimate, journey
from fusion.reasons import Basis, Reasons

__all__ = ["Basis", "Contribution", "FusionSettings", "Mood", "Reading", "Reasons", "estimate", "journey"]
