"""The /history chart's points. A point's mood is settled once its time is past (readings are stored at
the time they are read), so the service keeps a user's settled points (a `RecentCharts`) and a /history
after a new reading works out only its newest points.

The points sit on a grid fixed to the clock (every `step` since the epoch), not to the moment asked, so the
next /history finds them again. They are kept under a key made of the user's `ReadingSpan` without its
newest reading: /forget (a new user row) and the retention purge (a new oldest reading), done by any copy
of the bot, make every kept point miss.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from fusion import Mood

EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


class Shown(NamedTuple):
    """What the chart draws of a mood at one point."""

    probs: dict[str, float]
    valence: float
    enough_evidence: bool

    @classmethod
    def of(cls, mood: Mood) -> Shown:
        return cls(mood.probs, mood.valence, mood.enough_evidence)


def grid(since: datetime, until: datetime, step: timedelta) -> list[datetime]:
    """The points every `step` since the epoch from `since` to `until`, both included."""
    first = EPOCH + -((EPOCH - since) // step) * step  # the first grid point at or after `since`
    return [first + i * step for i in range((until - first) // step + 1)]
