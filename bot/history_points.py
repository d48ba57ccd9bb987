"""The /history chart's past points, per user. A point's mood is settled once its time is past (readings
are stored at the time they are read), so a /history after a new reading works out only its newest points.

The points sit on a grid fixed to the clock (every `step` since the epoch), not to the moment asked, so the
next /history finds them again. They are kept under a key made of the user's `ReadingSpan` without its
newest reading: /forget (a new user row) and the retention purge (a new oldest reading), done by any copy
of the bot, make every kept point miss. In memory and bounded; a copy that has none works them out again.
"""
from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
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


class PastPoints:
    """Per user, the settled points of their last /history, under the key they were worked out with."""

    def __init__(self, users: int = 128):
        self._users = users
        self._points: OrderedDict[int, tuple[Hashable, dict[datetime, Shown]]] = OrderedDict()

    def get(self, user_id: int, key: Hashable) -> dict[datetime, Shown]:
        kept = self._points.get(user_id)
        return kept[1] if kept is not None and kept[0] == key else {}

    def remember(self, user_id: int, key: Hashable, points: dict[datetime, Shown]) -> None:
        self._points.pop(user_id, None)
        self._points[user_id] = (key, points)
        while len(self._points) > self._users:
            self._points.popitem(last=False)

    def forget(self, user_id: int) -> None:
        self._points.pop(user_id, None)
