"""Each chart redraws only what changes over a frame drawn once: the picture must be a full draw's."""
import io
from datetime import UTC, datetime, timedelta

import numpy as np
from PIL import Image

from bot import charts
from emotions import EMOTIONS
from fusion import Mood, Reading, estimate, journey

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def week(seed: int, days: int) -> list:
    rng = np.random.default_rng(seed)
    readings = [Reading(str(rng.choice(["face", "text"])), dict(zip(EMOTIONS, rng.dirichlet(np.ones(7)).tolist())),
                        0.9, NOW - timedelta(minutes=float(rng.uniform(0, days * 24 * 60)))) for _ in range(200)]
    return journey(readings, NOW - timedelta(days=days), NOW, timedelta(hours=3))


def test_history_chart_is_what_a_full_draw_of_it_shows():
    chart = charts._HistoryChart()
    chart.render(week(1, 7))  # a first chart, so the second shows whether anything of it stays
    drawn = np.asarray(Image.open(io.BytesIO(chart.render(week(2, 3)))).convert("RGBA"))
    for artist in chart.ax.get_children():  # whatever the axes hold, old charts' artists included
        artist.set_animated(False)
    chart.canvas.draw()
    full = np.asarray(chart.canvas.buffer_rgba())
    assert drawn.shape == (350, 700, 4)
    assert np.array_equal(drawn, full)


def test_history_chart_is_a_png_in_any_thread():
    png = charts.history_chart(week(3, 7))
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and Image.open(io.BytesIO(png)).size == (700, 350)


def mood(seed: int) -> Mood:
    rng = np.random.default_rng(seed)
    return estimate([Reading("face", dict(zip(EMOTIONS, rng.dirichlet(np.ones(7)).tolist())), 0.9, NOW)], NOW)


def test_mood_chart_is_what_a_full_draw_of_it_shows():
    chart = charts._MoodChart()
    chart.render(mood(1))
    drawn = np.asarray(Image.open(io.BytesIO(chart.render(mood(2)))).convert("RGBA"))
    for artist in chart.ax.get_children():
        artist.set_animated(False)
    chart.canvas.draw()
    full = np.asarray(chart.canvas.buffer_rgba())
    assert drawn.shape == (300, 500, 4)
    assert np.array_equal(drawn, full)
