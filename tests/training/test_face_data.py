import numpy as np

from emotions import INDEX
from training.face.data import clear_majority, ferplus_targets

# FER+ vote columns: neutral, happiness, surprise, sadness, anger, disgust, fear, contempt, unknown, NF
VOTES = np.array([
    [0, 9, 0, 0, 0, 0, 0, 0, 1, 0],  # clear happy
    [4, 0, 0, 4, 1, 0, 0, 0, 1, 0],  # neutral / sad tie: majority label neutral, but no clear majority
    [5, 0, 0, 3, 1, 1, 0, 0, 0, 0],  # 5 of 8 once single votes go: clear neutral
    [1, 0, 0, 0, 0, 0, 0, 0, 9, 0],  # unknown wins: not one of ours
    [0, 0, 0, 0, 0, 0, 0, 6, 0, 4],  # contempt wins: not one of ours
], dtype=np.uint8)


def test_majority_label_breaks_ties_in_ferplus_column_order_and_drops_other_winners():
    _, label = ferplus_targets(VOTES)
    assert label.tolist() == [INDEX["happy"], INDEX["neutral"], INDEX["neutral"], -1, -1]


def test_clear_majority_is_the_ferplus_authors_test_protocol():
    assert clear_majority(VOTES).tolist() == [True, False, True, True, True]
