"""Small PNG charts rendered in memory (matplotlib's object API, no pyplot state). Each chart's figure
is kept per thread with its unchanging frame drawn once; a chart draws only what changes over it."""
from __future__ import annotations

import io
import threading
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Protocol, TypeVar

import matplotlib
import numpy as np

matplotlib.use("Agg")
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
from matplotlib.figure import Figure
from PIL import Image

from emotions import EMOTIONS
from fusion import Mood

COLORS = {"angry": "#d62728", "disgust": "#8c564b", "fear": "#9467bd", "happy": "#f2b701",
          "sad": "#1f77b4", "surprise": "#17becf", "neutral": "#9e9e9e"}


def mood_chart(mood: Mood) -> bytes:
    """Horizontal bars: how likely each emotion is right now."""
    return _this_threads(_MoodChart).render(mood)


class Drawn(Protocol):
    """What the history chart draws of a mood (a fusion.Mood, or a kept point of one)."""

    @property
    def probs(self) -> Mapping[str, float]: ...
    @property
    def valence(self) -> float: ...


def history_chart(points: Sequence[tuple[datetime, Drawn]]) -> bytes:
    """Stacked areas of every emotion over time, plus valence as a line."""
    return _this_threads(_HistoryChart).render(points)


_per_thread = threading.local()  # a Figure is not thread-safe: each rendering thread keeps its own
C = TypeVar("C", bound="_Chart")


def _this_threads(kind: type[C]) -> C:
    chart: C | None = getattr(_per_thread, kind.__name__, None)
    if chart is None:
        chart = kind()
        setattr(_per_thread, kind.__name__, chart)
    return chart


class _Chart:
    """A figure with fixed margins (a layout engine draws the figure twice to measure it). `_keep_frame`
    draws everything but the artists that change, once; `_png` restores that image and draws those
    artists over it in a full draw's order: the same picture as a full draw, at a fraction of the cost."""

    SIZE: tuple[float, float]  # inches, at 100 dpi
    MARGINS: dict[str, float]

    def __init__(self) -> None:
        self.fig = Figure(figsize=self.SIZE, dpi=100)
        self.fig.subplots_adjust(**self.MARGINS)
        self.canvas = FigureCanvasAgg(self.fig)
        self.ax: Axes = self.fig.subplots()

    def _keep_frame(self, changing: list[Artist]) -> None:
        for artist in changing:
            artist.set_animated(True)  # left out of the frame
        self.canvas.draw()  # type: ignore[no-untyped-call]
        self.frame = self.canvas.copy_from_bbox(self.fig.bbox)  # type: ignore[no-untyped-call]

    def _png(self, changing: list[Artist]) -> bytes:
        self.canvas.restore_region(self.frame)  # type: ignore[no-untyped-call]
        for artist in sorted(changing, key=lambda a: a.get_zorder()):  # ties: as Axes.get_children lists them
            self.ax.draw_artist(artist)
        width, height = self.canvas.get_width_height()
        pixels = self.canvas.buffer_rgba()  # type: ignore[no-untyped-call]
        buf = io.BytesIO()
        # The figure is opaque, so RGB loses nothing; zlib's fastest level: half the time of its default
        # (10 vs 19 ms), and with the alpha channel gone the file is still smaller (55 vs 56 kB).
        image = Image.frombuffer("RGBA", (width, height), pixels, "raw", "RGBA", 0, 1).convert("RGB")
        image.save(buf, format="png", dpi=(100, 100), compress_level=1)
        return buf.getvalue()


class _HistoryChart(_Chart):
    """The frame: title, legend, y axis. What changes: the areas, the valence line, the date axis and
    the frame's edges over them."""

    SIZE = (7, 3.5)
    MARGINS = dict(left=0.07, right=0.72, top=0.9, bottom=0.12)  # the legend in the right one

    def __init__(self) -> None:
        super().__init__()
        ax = self.ax
        ax.set_title("Your mood over time", y=1.0)  # where it goes anyway: saying so spares measuring the axes
        self.data: list[Artist] = []
        self._plot(np.asarray([datetime(2026, 1, 1, tzinfo=UTC)]), [[0.0]] * len(EMOTIONS), [0.5])  # for the legend
        ax.legend(loc="upper left", bbox_to_anchor=(1, 1), fontsize=8, frameon=False)
        self.changing: list[Artist] = [ax.xaxis, *ax.spines.values()]
        self._keep_frame(self.changing)

    def _plot(self, times: np.ndarray, stacks: list[list[float]], valence: list[float]) -> None:
        ax = self.ax
        for artist in self.data:
            artist.remove()
        ax.ignore_existing_data_limits = True  # the x range is this chart's alone
        areas = ax.stackplot(times, stacks, labels=EMOTIONS, colors=[COLORS[name] for name in EMOTIONS], alpha=0.8)
        line, = ax.plot(times, valence, color="black", lw=1.5, label="valence (up = positive)")
        self.data = [*areas, line]
        for artist in self.data:
            artist.set_animated(True)
        ax.set_ylim(0, 1)
        ax.autoscale_view()
        locator = AutoDateLocator()  # type: ignore[no-untyped-call]
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]

    def render(self, points: Sequence[tuple[datetime, Drawn]]) -> bytes:
        times = np.asarray([at for at, _ in points])  # datetimes: matplotlib puts them on a date axis
        self._plot(times, [[mood.probs.get(name, 0.0) for _, mood in points] for name in EMOTIONS],
                   [(mood.valence + 1) / 2 for _, mood in points])
        return self._png([*self.data, *self.changing])


class _MoodChart(_Chart):
    """The frame: axes and labels. What changes: the bars, the title and the frame's edges over them."""

    SIZE = (5, 3)
    MARGINS = dict(left=0.2, right=0.96, top=0.88, bottom=0.17)

    def __init__(self) -> None:
        super().__init__()
        ax = self.ax
        self.bars = ax.barh(EMOTIONS, [0.0] * len(EMOTIONS), color=[COLORS[name] for name in EMOTIONS]).patches
        ax.invert_yaxis()
        ax.set_xlim(0, 1)
        ax.set_xlabel("probability")
        self.title = ax.set_title("Mood now")
        self.changing: list[Artist] = [*self.bars, self.title, *ax.spines.values()]
        self._keep_frame(self.changing)

    def render(self, mood: Mood) -> bytes:
        for bar, name in zip(self.bars, EMOTIONS):
            bar.set_width(mood.probs.get(name, 0.0))
        self.title.set_text(f"Mood now: {mood.label}" + (" (mixed)" if mood.mixed else ""))
        return self._png(self.changing)
