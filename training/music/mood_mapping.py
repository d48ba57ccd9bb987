"""Does a mood -> music mapping fitted on one labelled set transfer to the other?

The two mood-labelled sets in shared/data/music come from different playlists and people (their
Calm differs: mean valence/energy .37/.43 vs .15/.16), so fitting on one and scoring on the other is
the honest test. Candidates use what the catalog knows for every track with audio features
(valence, energy, acousticness, danceability, tempo): nearest centroid in (valence, energy), the
same in all five, and a multinomial logistic regression on all five. Each is fitted on the labels
both sets share (Happy, Sad, Calm, Energetic); the other set's Angry tracks count as misses, as they
do for our fixed anchors. One more keeps the anchors and moves each track instead: its (valence,
energy) plus a linear map of all five features, fitted so that the nearest anchor is its label,
penalised toward no move (the penalty by 5-fold cross-validation on the fitting set); it can answer
Angry from the anchor. A mapping ships only if it beats the anchors on the unseen set both ways, by
more than chance: an exact McNemar test on the tracks one gets right and the other wrong, p < 0.05
each way (a point on these sets is 7 / 27 tracks; a mapping that reshuffles answers is no transfer).
A ceiling beside them: the regression fitted and scored on the test set itself (5-fold
cross-validation), how far these features separate that set's labels at all.
"""
from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
from scipy.optimize import minimize
from scipy.special import log_softmax
from scipy.stats import binomtest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from music.mood import CALM, POINTS, Point

FEATURES = ("valence", "energy", "acousticness", "danceability", "tempo")
SETS = {"moods_playlist_labeled.csv": {"Energy": "Energetic"}, "moods_data_moods.csv": {}}
ANCHORS: dict[str, Point] = {"Happy": POINTS["happy"], "Sad": POINTS["sad"], "Angry": POINTS["angry"],
                             "Calm": CALM, "Energetic": POINTS["surprise"]}


def load(path: Path, rename: dict[str, str], features: tuple[str, ...] = FEATURES) -> tuple[np.ndarray, np.ndarray]:
    """The `features` of each labelled track, and its label in our names."""
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    x = np.array([[float(r[c]) for c in features] for r in rows])
    if "tempo" in features:
        x[:, features.index("tempo")] /= 250  # to a 0..1-ish range like the others (Spotify's max ~243)
    return x, np.array([rename.get(r["mood"], r["mood"]) for r in rows])


def anchors_for(labels: Iterable[str]) -> dict[str, np.ndarray]:
    """Our fixed anchor of each label, as `nearest` takes them."""
    return {k: np.array(ANCHORS[k]) for k in labels}


def nearest(x: np.ndarray, centres: dict[str, np.ndarray]) -> np.ndarray:
    names = list(centres)
    stacked = np.array([centres[n] for n in names])
    return np.array(names)[np.argmin(((x[:, None, :] - stacked[None]) ** 2).sum(-1), axis=1)]


SOFTNESS = 0.05      # squared distance per unit of log-odds when fitting moves: about an anchor gap squared
PENALTIES = (0.001, 0.01, 0.1, 1.0, 10.0)
ANCHORS_ROW = "our anchors (valence, energy; not fitted)"
SIGNIFICANT = 0.05
CEILING = "ceiling: logistic regression fitted on the test set itself (5-fold cross-validation)"


def fit_moves(x: np.ndarray, y: np.ndarray, penalty: float) -> Callable[[np.ndarray], np.ndarray]:
    """A map from features to positions in (valence, energy): the track's own two plus a fitted linear move."""
    labels = sorted(set(y))
    anchors, target = np.array([ANCHORS[k] for k in labels]), np.array([labels.index(v) for v in y])
    mean, scale = x.mean(0), x.std(0) + 1e-9

    def place(theta: np.ndarray, z: np.ndarray) -> np.ndarray:
        return z[:, :2] + ((z - mean) / scale) @ theta[:-2].reshape(2, -1).T + theta[-2:]

    def loss(theta: np.ndarray) -> float:
        logits = -((place(theta, x)[:, None] - anchors[None]) ** 2).sum(-1) / SOFTNESS
        return float(-log_softmax(logits, 1)[np.arange(len(y)), target].mean() + penalty * (theta ** 2).sum())

    theta = minimize(loss, np.zeros(2 * x.shape[1] + 2), method="L-BFGS-B").x
    return lambda z: place(theta, z)


def moved_to_anchors(x: np.ndarray, y: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    """`fit_moves` with the penalty that places the most held-out tracks right in 5-fold cross-validation."""
    folds = list(StratifiedKFold(5, shuffle=True, random_state=0).split(x, y))
    anchors = anchors_for(set(y))

    def cv_accuracy(penalty: float) -> float:
        hits = 0
        for fit, held in folds:
            placed = fit_moves(x[fit], y[fit], penalty)(x[held])
            hits += int((nearest(placed, anchors) == y[held]).sum())
        return hits / len(y)
    return fit_moves(x, y, max(PENALTIES, key=cv_accuracy))


def predictions(train: tuple[np.ndarray, np.ndarray], test: tuple[np.ndarray, np.ndarray]) -> dict[str, np.ndarray]:
    """Each mapping's labels for the test set, fitted (where fitted) on the training set."""
    (xa, ya), (xb, yb) = train, test
    moved = moved_to_anchors(xa, ya)  # fitted on all the set's labels: Angry has an anchor
    shared = sorted(set(ya) & set(yb))
    keep = np.isin(ya, shared)
    xa, ya = xa[keep], ya[keep]
    present = sorted(set(yb))
    regression = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
    folds = StratifiedKFold(5, shuffle=True, random_state=0)
    anchors = anchors_for(present)
    return {
        ANCHORS_ROW: nearest(xb[:, :2], anchors),
        "centroids, valence + energy": nearest(xb[:, :2], {k: xa[ya == k, :2].mean(0) for k in shared}),
        "centroids, 5 features": nearest(xb, {k: xa[ya == k].mean(0) for k in shared}),
        "logistic regression, 5 features": regression.fit(xa, ya).predict(xb),
        "anchors, each track moved by a fitted map of 5 features": nearest(moved(xb), anchors),
        CEILING: cross_val_predict(regression, xb, yb, cv=folds),
    }


def transfer_table(source: Path) -> tuple[list[str], bool]:
    """Accuracy on the unseen set, both ways, with each fitted mapping's tracks won and lost against the
    anchors and the McNemar p; and whether any fitted mapping beat the anchors both ways, significantly."""
    names = list(SETS)
    data = {name: load(source / name, rename) for name, rename in SETS.items()}
    lines = ["| mapping | " + " | ".join(f"fit `{a}` → test `{b}`" for a, b in (names, names[::-1])) + " |",
             "|---|---|---|"]
    cells: dict[str, list[str]] = {}
    transfers: dict[str, list[bool]] = {}
    for a, b in (names, names[::-1]):
        gold = data[b][1]
        predicted = predictions(data[a], data[b])
        anchors_right = predicted[ANCHORS_ROW] == gold
        for mapping, labels in predicted.items():
            right = labels == gold
            cell = f"{right.mean():.1%}"
            if mapping not in (ANCHORS_ROW, CEILING):
                won, lost = int((right & ~anchors_right).sum()), int((~right & anchors_right).sum())
                p = binomtest(won, won + lost).pvalue if won + lost else 1.0
                cell += f" (+{won} / -{lost}, p {p:.2g})"
                transfers.setdefault(mapping, []).append(won > lost and p < SIGNIFICANT)
            cells.setdefault(mapping, []).append(cell)
    lines += [f"| {mapping} | " + " | ".join(row) + " |" for mapping, row in cells.items()]
    return lines, any(all(ways) for ways in transfers.values())
