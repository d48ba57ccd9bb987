"""FER2013 + FER+ loading: the arrays, the official split, and both kinds of targets.

Shared by training and evaluation so both read the data the same way.
"""
from __future__ import annotations

import io
import lzma
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from emotions import EMOTIONS
from training import SHARED_DATA

DEFAULT_DATA = SHARED_DATA / "fer2013.npz"

# FER+ vote columns: neutral, happiness, surprise, sadness, anger, disgust, fear, contempt, unknown, NF.
# Column of each of our labels, in EMOTIONS order. Contempt, unknown and not-a-face have no
# place in our vocabulary: their votes are dropped, and images they win are left out.
FERPLUS_COLUMNS = [4, 5, 6, 1, 3, 2, 0]
TRAINING, PUBLIC_TEST, PRIVATE_TEST = 0, 1, 2


@dataclass
class Split:
    pixels: np.ndarray        # uint8 [N, 48, 48]
    fer_label: np.ndarray     # int64 [N], original FER2013 label, -1 where unusable for training
    plus_target: np.ndarray   # float32 [N, 7], FER+ vote distribution over EMOTIONS (zeros: none)
    plus_label: np.ndarray    # int64 [N], FER+ majority over EMOTIONS, -1 where it is not one of ours
    plus_clear: np.ndarray    # bool [N], the majority is clear: counted by the FER+ authors' test protocol

    def __len__(self) -> int:
        return len(self.pixels)


def load_arrays(path: Path | str = DEFAULT_DATA) -> dict[str, np.ndarray]:
    path = Path(path)
    if path.suffix == ".xz":
        return dict(np.load(io.BytesIO(lzma.open(path).read())))
    return dict(np.load(path))


def without_single_votes(votes: np.ndarray) -> np.ndarray:
    """A lone vote among ten is usually rater noise; Barsoum et al. 2016 drop such votes, and so do we."""
    return np.where(votes > 1, votes, 0)


def ferplus_targets(votes: np.ndarray, drop_single_votes: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """FER+ votes [N, 10] -> (soft targets [N, 7], majority label [N] or -1)."""
    votes = votes.astype(np.float32)
    majority = votes.argmax(1)
    ours = votes[:, FERPLUS_COLUMNS]
    label = np.full(len(votes), -1, dtype=np.int64)
    in_vocab = np.isin(majority, FERPLUS_COLUMNS)
    label[in_vocab] = np.array([FERPLUS_COLUMNS.index(m) for m in majority[in_vocab]], dtype=np.int64)
    if drop_single_votes:
        cleaned = without_single_votes(ours)
        ours = np.where(cleaned.sum(1, keepdims=True) > 0, cleaned, ours)
    total = ours.sum(1, keepdims=True)
    target = np.where(total > 0, ours / np.maximum(total, 1), 0).astype(np.float32)
    target[label < 0] = 0  # images won by contempt / unknown / not-a-face carry no FER+ target
    return target, label


def clear_majority(votes: np.ndarray) -> np.ndarray:
    """Rows the FER+ authors' test protocol keeps (Barsoum et al. 2016, their reader's "majority" mode).

    Single votes are dropped, then the top label must hold more than half of the votes left.
    Published FER+ accuracies count only these rows; ``plus_label`` counts every row, ties included.
    """
    cleaned = without_single_votes(votes.astype(np.float32))
    return cleaned.max(1) > 0.5 * cleaned.sum(1)


def split(arrays: dict[str, np.ndarray], usage: int, for_training: bool = False) -> Split:
    rows = arrays["usage"] == usage
    votes = arrays["ferplus_votes"][rows]
    target, plus_label = ferplus_targets(votes, drop_single_votes=for_training)
    fer_label = arrays["label"][rows].astype(np.int64)
    if for_training:
        fer_label = np.where(arrays["label_uncertain"][rows], -1, fer_label)
    return Split(arrays["pixels"][rows], fer_label, target, plus_label, clear_majority(votes) & (plus_label >= 0))


assert len(FERPLUS_COLUMNS) == len(EMOTIONS)
