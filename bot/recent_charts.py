"""What each user's last /history was drawn from or as, kept a while: the same question asked again with
nothing new to show costs a lookup, however long the user's past. The service keeps two: the chart itself
(a minute), and its settled points (bot/history_points.py)."""
from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from datetime import datetime, timedelta
from typing import Generic, TypeVar

V = TypeVar("V")


class RecentCharts(Generic[V]):
    """Per user: a chart or its points (`V`), what they were worked out from (`key`) and when.

    In memory and bounded (a chart is ~75 KB), in the order they were made; one over `kept` old goes at
    the next look. A copy of the bot that has none works it out again.
    """

    def __init__(self, kept: timedelta, users: int = 128):
        self._kept, self._users = kept, users
        self._charts: OrderedDict[int, tuple[Hashable, datetime, V]] = OrderedDict()

    def get(self, user_id: int, key: Hashable, at: datetime) -> V | None:
        """The chart drawn from the same `key` less than `kept` before `at`, if any."""
        self._drop_older(at)
        kept = self._charts.get(user_id)
        if kept is None or kept[0] != key or not at - self._kept < kept[1] <= at:
            return None
        return kept[2]

    def remember(self, user_id: int, key: Hashable, at: datetime, chart: V) -> None:
        if self._kept <= timedelta(0):
            return
        self._drop_older(at)
        self._charts.pop(user_id, None)
        self._charts[user_id] = (key, at, chart)
        while len(self._charts) > self._users:
            self._charts.popitem(last=False)

    def forget(self, user_id: int) -> None:
        self._charts.pop(user_id, None)

    def _drop_older(self, at: datetime) -> None:
        while self._charts and next(iter(self._charts.values()))[1] <= at - self._kept:
            self._charts.popitem(last=False)
