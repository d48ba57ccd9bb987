"""The last /history chart per user: the same one only while nothing new came in, for a short while."""
from datetime import UTC, datetime, timedelta

from bot.recent_charts import RecentCharts

T0 = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def test_a_chart_is_kept_for_its_key_for_a_while():
    charts = RecentCharts(timedelta(minutes=1), users=2)
    charts.remember(1, (7, 10), T0, b"one")
    assert charts.get(1, (7, 10), T0 + timedelta(seconds=59)) == b"one"
    assert charts.get(1, (7, 10), T0 + timedelta(minutes=1)) is None  # too old
    assert charts.get(1, (7, 11), T0) is None  # a reading came in since
    assert charts.get(2, (7, 10), T0) is None  # someone else's
    charts.remember(2, (7, 3), T0, b"two")
    charts.remember(3, (7, 4), T0, b"three")
    assert charts.get(1, (7, 10), T0) is None and charts.get(3, (7, 4), T0) == b"three"  # bounded: oldest out
    charts.forget(3)
    assert charts.get(3, (7, 4), T0) is None


def test_kept_zero_keeps_nothing():
    charts = RecentCharts(timedelta(0))
    charts.remember(1, (7, 10), T0, b"one")
    assert charts.get(1, (7, 10), T0) is None


def test_charts_over_the_time_kept_are_dropped_at_the_next_look():
    charts = RecentCharts(timedelta(minutes=1))
    charts.remember(1, (7, 10), T0, b"one")
    charts.remember(2, (7, 3), T0 + timedelta(seconds=30), b"two")
    assert charts.get(3, (7, 1), T0 + timedelta(seconds=61)) is None
    assert len(charts._charts) == 1 and charts.get(2, (7, 3), T0 + timedelta(seconds=61)) == b"two"
