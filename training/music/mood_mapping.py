"""Does a mood -> music mapping fitted on one labelled set transfer to the other?

The two mood-labelled sets in shared/data/music come from different playlists and people (their
Calm differs: mean valence/energy .37/.43 vs .15/.16), so fitting on one and scoring on the other is
the honest test. Candidates use what the catalog knows for every track with audio features
(valence, energy, acousticness, danceability, tempo): nearest centroid in (valence, energy), the
same in all five, and a multinomial logistic regression on all five. Each is fitted on the labels
both sets share (Happy, Sad, Calm, Energetic); the other set's Angry tracks count as misses, as they
do for our fixed anchors. A mapping ships only if it beats the anchors on the unseen set both ways.
"""
from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from music.mood import CALM, POINTS, Point

FEATURES = ("valence", "energy", "acousticness", "danceability", "tempo")
SETS = {"moods_playlist_labeled.csv": {"Energy": "Energetic"}, "moods_data_moods.csv": {}}
ANCHORS: dict[str, Point] = {"Happy": POINTS["happy"], "Sad": POINTS["sad"], "Angry": POINTS["angry"],
                             "Calm": CALM, "Energetic": POINTS["surprise"]}


def load(path: Path, rename: dict[str, str]) -> tuple[np.ndarray, np.ndarray]:
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    x = np.array([[float(r[c]) for c in FEATURES] for r in rows])
    x[:, FEATURES.index("tempo")] /= 250  # to a 0..1-ish range like the others (Spotify's max ~243)
    return x, np.array([rename.get(r["mood"], r["mood"]) for r in rows])


def nearest(x: np.ndarray, centres: dict[str, np.ndarray]) -> np.ndarray:
    names = list(centres)
    stacked = np.array([centres[n] for n in names])
    return np.array(names)[np.argmin(((x[:, None, :] - stacked[None]) ** 2).sum(-1), axis=1)]


def predictions(train: tuple[np.ndarray, np.ndarray], test: tuple[np.ndarray, np.ndarray]) -> dict[str, np.ndarray]:
    """Each mapping's labels for the test set, fitted (where fitted) on the training set."""
    (xa, ya), (xb, yb) = train, test
    shared = sorted(set(ya) & set(yb))
    keep = np.isin(ya, shared)
    xa, ya = xa[keep], ya[keep]
    present = sorted(set(yb))
    regression = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)).fit(xa, ya)
    return {
        "our anchors (valence, energy; not fitted)": nearest(xb[:, :2], {k: np.array(ANCHORS[k]) for k in present}),
        "centroids, valence + energy": nearest(xb[:, :2], {k: xa[ya == k, :2].mean(0) for k in shared}),
        "centroids, 5 features": nearest(xb, {k: xa[ya == k].mean(0) for k in shared}),
        "logistic regression, 5 features": regression.predict(xb),
    }


def transfer_table(source: Path) -> tuple[list[str], bool]:
    """Accuracy on the unseen set, both ways; and whether any fitted mapping beat the anchors both ways."""
    names = list(SETS)
    data = {name: load(source / name, rename) for name, rename in SETS.items()}
    lines = ["| mapping | " + " | ".join(f"fit `{a}` → test `{b}`" for a, b in (names, names[::-1])) + " |",
             "|---|---|---|"]
    scores: dict[str, list[float]] = {}
    for a, b in (names, names[::-1]):
        for mapping, predicted in predictions(data[a], data[b]).items():
            scores.setdefault(mapping, []).append(float(np.mean(predicted == data[b][1])))
    for mapping, accuracy in scores.items():
        lines.append(f"| {mapping} | " + " | ".join(f"{x:.1%}" for x in accuracy) + " |")
    anchors = scores.pop("our anchors (valence, energy; not fitted)")
    transfers = any(all(x > y for x, y in zip(accuracy, anchors)) for accuracy in scores.values())
    return lines, transfers
