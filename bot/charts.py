"""Small PNG charts rendered in memory (matplotlib's object API: thread-safe, no pyplot state)."""
from __future__ import annotations

import io
from datetime import datetime

import matplotlib
import numpy as np

matplotlib.use("Agg")
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
from matplotlib.figure import Figure

from emotions import EMOTIONS
from fusion import Mood

COLORS = {"angry": "#d62728", "disgust": "#8c564b", "fear": "#9467bd", "happy": "#f2b701",
          "sad": "#1f77b4", "surprise": "#17becf", "neutral": "#9e9e9e"}


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    return buf.getvalue()


def mood_chart(mood: Mood) -> bytes:
    """Horizontal bars: how likely each emotion is right now."""
    fig = Figure(figsize=(5, 3))
    fig.subplots_adjust(left=0.2, right=0.96, top=0.88, bottom=0.17)  # fixed: a layout engine triples the cost
    ax = fig.subplots()
    values = [mood.probs.get(name, 0.0) for name in EMOTIONS]
    ax.barh(EMOTIONS, values, color=[COLORS[name] for name in EMOTIONS])
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("probability")
    ax.set_title(f"Mood now: {mood.label}" + (" (mixed)" if mood.mixed else ""))
    return _png(fig)


def history_chart(points: list[tuple[datetime, Mood]]) -> bytes:
    """Stacked areas of every emotion over time, plus valence as a line."""
    fig = Figure(figsize=(7, 3.5), layout="constrained")
    ax = fig.subplots()
    times = np.asarray([at for at, _ in points])  # datetimes: matplotlib puts them on a date axis
    stacks = [[mood.probs.get(name, 0.0) for _, mood in points] for name in EMOTIONS]
    ax.stackplot(times, stacks, labels=EMOTIONS, colors=[COLORS[name] for name in EMOTIONS], alpha=0.8)
    ax.plot(times, [(mood.valence + 1) / 2 for _, mood in points], color="black", lw=1.5,
            label="valence (up = positive)")
    ax.set_ylim(0, 1)
    locator = AutoDateLocator()  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
    ax.set_title("Your mood over time")
    ax.legend(loc="upper left", bbox_to_anchor=(1, 1), fontsize=8, frameon=False)
    return _png(fig)
