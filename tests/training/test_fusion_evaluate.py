"""The evaluation's bookkeeping on synthetic scores (the real run needs the shipped models)."""
import numpy as np

from emotions import EMOTIONS, INDEX
from fusion import FusionSettings
from training.fusion.evaluate import (
    CONDITIONS,
    Scored,
    evaluate,
    fit_sharpness,
    frontier,
    frontier_table,
    learned_baseline,
    table,
)


def scored(p_right: float, per_label: int = 5) -> Scored:
    """Every example gives its own label probability p_right (so it is right iff p_right is the top)."""
    labels = np.repeat(np.arange(len(EMOTIONS)), per_label)
    probs = np.full((len(labels), len(EMOTIONS)), (1 - p_right) / (len(EMOTIONS) - 1))
    probs[np.arange(len(labels)), labels] = p_right
    return Scored(probs, probs.max(1), labels)


def test_sure_and_right_sides_are_right_everywhere():
    rows = evaluate(scored(0.9), scored(0.8), pairs=50, seed=0, settings=FusionSettings())
    by = {row["condition"]: row for row in rows}
    assert [row["condition"] for row in rows] == list(CONDITIONS)
    assert by["face only"]["text"] is None and by["text only"]["face"] is None
    assert all(by[c]["fused"] == 1.0 for c in CONDITIONS)
    assert by["different labels"]["mixed"] == 1.0 and by["same label"]["mixed"] == 0.0
    # A neutral face is "wrong" on its own, and without masking, being the surer side, wins the product.
    assert by["face neutral"]["face"] == 0.0 and by["face neutral"]["plain PoE"] == 0.0
    assert "| face neutral | 50 |" in table(rows)


def test_a_side_that_is_always_wrong_shows_up():
    texts = scored(0.9)
    texts.label = (texts.label + 1) % len(EMOTIONS)  # every message is read as the wrong label
    by = {row["condition"]: row for row in evaluate(scored(0.9), texts, pairs=50, seed=1, settings=FusionSettings())}
    assert by["text only"]["fused"] == 0.0 and by["face only"]["fused"] == 1.0


def test_sharpness_is_fitted_to_how_often_the_sides_are_right():
    def fitted(sides: Scored) -> float:
        return fit_sharpness(sides, sides, pairs=40, seed=0, settings=FusionSettings())

    noisy = scored(0.9, per_label=4)
    noisy.label[::2] = (noisy.label[::2] + 1) % len(EMOTIONS)  # half the examples are read wrong
    assert fitted(scored(0.9)) > 1.5 > 1.0 > fitted(noisy)


def test_learned_baseline_scores_the_rule_and_a_fitted_fusion_on_held_out_pairs():
    rows = learned_baseline(scored(0.9, per_label=20), scored(0.8, per_label=20), pairs=50, seed=0,
                            settings=FusionSettings())
    by = {row["condition"]: row for row in rows}
    assert [row["condition"] for row in rows] == list(CONDITIONS)
    # Sure, right sides: the learned fusion finds the emotional side too, and the shipped rule is unchanged.
    assert all(by[c]["learned"] == 1.0 and by[c]["fused"] == 1.0 for c in CONDITIONS)
    assert table(rows).splitlines()[0].endswith("| learned |")


def misread_neutral(sides: Scored, as_label: str) -> Scored:
    """Every neutral example is read, surely, as `as_label` (the other labels stay right)."""
    neutral = sides.label == INDEX["neutral"]
    sides.probs[neutral] = np.roll(sides.probs[neutral], INDEX[as_label] - INDEX["neutral"], axis=1)
    return sides


def test_frontier_sweeps_the_conflict_decision_between_following_either_side():
    faces = misread_neutral(scored(0.9, per_label=20), "happy")
    texts = misread_neutral(scored(0.8, per_label=20), "angry")
    assert faces.probs[faces.label == INDEX["neutral"]].argmax(1).tolist() == [INDEX["happy"]] * 20
    rows = {row["rule"]: row for row in frontier(faces, texts, pairs=120, seed=0, settings=FusionSettings())}
    alone, face, words = (rows[r] for r in ("the side that shows the label, alone", "conflicts: always the face",
                                            "conflicts: always the words"))
    assert alone["face neutral"] == alone["text neutral"] == 1.0 and alone["different labels"] is None
    # Following one side always is perfect when the other is the misread neutral one, and poor the other way.
    assert face["text neutral"] == 1.0 > 0.5 > face["face neutral"]
    assert words["face neutral"] == 1.0 > 0.5 > words["text neutral"]
    # The fitted classifier learns which misreadings to distrust; only the pairs where the two
    # misreadings meet (a "happy" face over an "angry" message) are ambiguous.
    middle = rows["conflicts: the face when P(face right) >= 0.5"]
    assert min(middle["face neutral"], middle["text neutral"]) > 0.7
    assert middle["face neutral"] + middle["text neutral"] < 2.0
    assert "| shipped rule |" in frontier_table(list(rows.values()))
