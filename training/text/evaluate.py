"""Score the shipped text model on GoEmotions test through the shipped inference path.

    python -m training.text.evaluate      # make eval: writes metrics.json, confusion.png, MODEL_CARD.md results

Every number comes from ``TextAnalyzer.analyze_many`` (clean(), chunking, temperature), so the
card measures what the bot runs. Writes ``metrics.json`` and ``confusion.png`` next to the model and
regenerates the card's generated blocks (``MODEL_CARD.md``: training history, results).
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.metrics import ConfusionMatrixDisplay, confusion_matrix, f1_score
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from emotions import EMOTIONS, SENTIMENT_OF, SENTIMENTS
from nlp import DEFAULT_MODEL_DIR, TextAnalyzer, TextReading
from nlp.analyzer import DTYPES
from training.calibration import ECE_BINS, expected_calibration_error
from training.common import update_card
from training.text import data
from training.text.train import single_label_macro_f1

SAMPLE_EVERY = 5  # the fixed sample the tests re-score: test examples 0, 5, 10, ...


def vader_sentiment(texts: list[str]) -> list[str]:
    """VADER's usual thresholds: compound >= 0.05 positive, <= -0.05 negative, else neutral."""
    vader = SentimentIntensityAnalyzer()
    compounds = [vader.polarity_scores(t)["compound"] for t in texts]
    return ["positive" if c >= 0.05 else "negative" if c <= -0.05 else "neutral" for c in compounds]


def probs_matrix(readings: list[TextReading | None]) -> np.ndarray:
    """[N, 7] in EMOTIONS order; an unreadable text (none in GoEmotions test) would fail loudly here."""
    missing = [i for i, r in enumerate(readings) if r is None]
    if missing:
        raise ValueError(f"{len(missing)} test texts gave no reading, e.g. index {missing[0]}")
    return np.array([[r.probs[name] for name in EMOTIONS] for r in readings], dtype=np.float64)


def emotion_scores(probs: np.ndarray, examples: data.Examples) -> dict:
    """Macro-F1 and accuracy on single-group examples (train.py's definition), any-gold accuracy on all."""
    macro_f1, accuracy = single_label_macro_f1(torch.from_numpy(probs), examples)
    predicted = probs.argmax(1)
    any_gold = np.mean([p in gold for p, gold in zip(predicted, examples.groups)])
    return {"macro_f1": round(macro_f1, 4), "accuracy": round(accuracy, 4), "accuracy_any_gold": round(float(any_gold), 4),
            "n_single": sum(len(g) == 1 for g in examples.groups), "n": len(examples)}


def sentiment_scores(readings: list[TextReading], examples: data.Examples) -> dict:
    """Ours vs VADER on the examples whose gold groups all share one sentiment."""
    gold = [{SENTIMENT_OF[EMOTIONS[g]] for g in groups} for groups in examples.groups]
    keep = [i for i, g in enumerate(gold) if len(g) == 1]
    truth = [next(iter(gold[i])) for i in keep]
    ours = [readings[i].sentiment for i in keep]
    vader = vader_sentiment([examples.texts[i] for i in keep])

    def score(predicted: list[str]) -> dict:
        return {"accuracy": round(float(np.mean([p == t for p, t in zip(predicted, truth)])), 4),
                "macro_f1": round(float(f1_score(truth, predicted, labels=list(SENTIMENTS), average="macro")), 4)}

    return {"n": len(keep), "ours": score(ours), "vader": score(vader)}


def subset(examples: data.Examples, index: list[int]) -> data.Examples:
    return data.Examples([examples.texts[i] for i in index], examples.targets[index], [examples.groups[i] for i in index])


def evaluate(analyzer: TextAnalyzer, examples: data.Examples) -> tuple[dict, np.ndarray]:
    """All metrics as a dict, and the single-group confusion matrix (rows gold, columns predicted)."""
    start = time.perf_counter()
    readings = analyzer.analyze_many(examples.texts)
    seconds = time.perf_counter() - start
    probs = probs_matrix(readings)
    # Softmax is shift-invariant, so p ** T renormalised undoes the temperature exactly.
    uncalibrated = probs ** analyzer.temperature
    uncalibrated /= uncalibrated.sum(1, keepdims=True)
    single = [i for i, g in enumerate(examples.groups) if len(g) == 1]
    gold = np.array([next(iter(examples.groups[i])) for i in single])
    predicted = probs[single].argmax(1)
    soft_argmax = examples.targets.argmax(1)
    sample = subset(examples, list(range(0, len(examples), SAMPLE_EVERY)))
    metrics = {
        "data": "GoEmotions test (simplified split), 27 labels grouped into 7",
        "emotion": emotion_scores(probs, examples),
        "per_class_f1": dict(zip(EMOTIONS, f1_score(gold, predicted, labels=range(len(EMOTIONS)), average=None)
                                 .round(4).tolist())),
        "ece": {"bins": ECE_BINS, "before_temperature": round(expected_calibration_error(uncalibrated, soft_argmax), 4),
                "after_temperature": round(expected_calibration_error(probs, soft_argmax), 4),
                "temperature": analyzer.temperature},
        "sentiment": sentiment_scores(readings, examples),
        "marked_non_english": sum(r.language != "en" for r in readings),
        "sample": {"every": SAMPLE_EVERY, **emotion_scores(probs[::SAMPLE_EVERY], sample)},
        "dtype": str(analyzer.dtype).removeprefix("torch."),
        "seconds": round(seconds, 1),
    }
    return metrics, confusion_matrix(gold, predicted, labels=range(len(EMOTIONS)))


def plot_confusion(matrix: np.ndarray, path: Path) -> None:
    fig, ax = plt.subplots(figsize=(6.4, 5.6))
    ConfusionMatrixDisplay((matrix / matrix.sum(1, keepdims=True)).round(2), display_labels=EMOTIONS).plot(
        ax=ax, cmap="Blues", colorbar=False, xticks_rotation=45)
    ax.set_title("GoEmotions test, single-group examples (row-normalised)")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def results_markdown(metrics: dict, matrix: np.ndarray) -> str:
    e, s, c = metrics["emotion"], metrics["sentiment"], metrics["ece"]
    lines = [
        f"Measured by `make eval` (`python -m training.text.evaluate`) on GoEmotions test ({e['n']} comments), "
        f"through `TextAnalyzer`, with {metrics['dtype']} math.",
        "",
        "| metric | ours | target |",
        "| --- | --- | --- |",
        f"| macro-F1, 7 labels ({e['n_single']} single-group examples) | **{e['macro_f1']:.3f}** | >= 0.60 (aim 0.65) |",
        f"| accuracy, same examples | {e['accuracy']:.3f} | |",
        f"| accuracy, all {e['n']} (right = any gold group) | {e['accuracy_any_gold']:.3f} | |",
        f"| ECE, 15 bins, vs soft-target argmax: before / after temperature {c['temperature']} "
        f"| {c['before_temperature']:.3f} / **{c['after_temperature']:.3f}** | <= 0.05 |",
        "",
        f"Sentiment on the {s['n']} examples whose gold groups share one sentiment, against a lexicon baseline:",
        "",
        "| | accuracy | macro-F1 |",
        "| --- | --- | --- |",
        f"| ours (argmax of `emotions.sentiment_probs`) | **{s['ours']['accuracy']:.3f}** | {s['ours']['macro_f1']:.3f} |",
        f"| VADER (`vaderSentiment` 3.3.2, compound +-0.05) | {s['vader']['accuracy']:.3f} | {s['vader']['macro_f1']:.3f} |",
        "",
        "Per-class F1 (single-group examples):",
        "",
        "| " + " | ".join(EMOTIONS) + " |",
        "|" + " --- |" * len(EMOTIONS),
        "| " + " | ".join(f"{metrics['per_class_f1'][name]:.3f}" for name in EMOTIONS) + " |",
        "",
        "Confusion matrix, counts (rows gold, columns predicted; single-group examples); "
        "row-normalised in `confusion.png`:",
        "",
        "| gold \\ predicted | " + " | ".join(EMOTIONS) + " |",
        "|" + " --- |" * (len(EMOTIONS) + 1),
        *(f"| **{name}** | " + " | ".join(str(v) for v in row) + " |" for name, row in zip(EMOTIONS, matrix)),
        "",
        f"Test comments marked non-English by the language check: {metrics['marked_non_english']} of {e['n']}. "
        f"Weights: {metrics['weights_mb']} MB (fp16 safetensors, in shards under 25 MB).",
    ]
    return "\n".join(lines)


def history_markdown(training: dict) -> str:
    rows = [f"| {h['epoch']} | {h['loss']:.4f} | {h['dev_macro_f1']:.4f} | {h['dev_accuracy']:.4f} | {h['seconds']:.0f} |"
            for h in training["history"]]
    return "\n".join(["| epoch | train loss | dev macro-F1 | dev accuracy | seconds |", "| --- | --- | --- | --- | --- |",
                      *rows, "", f"Kept: epoch {training['best_epoch']}; temperature {training['temperature']}."])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=str(DEFAULT_MODEL_DIR))
    parser.add_argument("--data", default=str(data.DEFAULT_DATA))
    parser.add_argument("--dtype", choices=DTYPES, default="auto",
                        help="the math's precision; auto = what the bot picks on this CPU (nlp.analyzer.fast_dtype)")
    args = parser.parse_args()
    model_dir = Path(args.model)
    analyzer = TextAnalyzer(model_dir, dtype=DTYPES[args.dtype])
    metrics, matrix = evaluate(analyzer, data.load("test", args.data))
    metrics["weights_mb"] = round(sum(f.stat().st_size for f in model_dir.glob("*.safetensors")) / 2**20, 1)
    (model_dir / "metrics.json").write_text(json.dumps(metrics, indent=1) + "\n")
    plot_confusion(matrix, model_dir / "confusion.png")
    results = results_markdown(metrics, matrix)
    card = model_dir / "MODEL_CARD.md"
    if card.exists():
        training = json.loads((model_dir / "training.json").read_text())
        update_card(card, {"history": history_markdown(training), "metrics": results})
    print(results)


if __name__ == "__main__":
    main()
