"""Score the shipped text model through the shipped inference path, on every split we have.

    python -m training.text.evaluate      # make eval: writes metrics.json, confusion.png, MODEL_CARD.md results

Splits: GoEmotions test (held out from everything), and the validation splits the recipe was chosen
on: GoEmotions dev, MELD validation, the held-out half of DailyDialog validation (odd dialogue ids,
``data.dd_half``) and BHAAV Hindi validation; and two Hinglish checks: BHAAV validation romanised by
rule (``training.text.hinglish``) and our hand-written chat lines (``data.load_hinglish_chat``). Every number comes from ``TextAnalyzer.analyze_many``
(clean(), windows, language routing, temperature), so the card measures what the bot runs. The
dialogue sets are also read with an earlier line as context (``previous``: the line before;
``same_speaker``: the line two before, which in two-party dialogue is the same speaker's, as the bot's
"user's previous message" is). Beside ours: the NRC emotion lexicon (7 labels) and VADER (sentiment).
"""
from __future__ import annotations

import argparse
import json
import re
import time
from collections.abc import Callable
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.metrics import ConfusionMatrixDisplay, confusion_matrix, f1_score
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from emotions import EMOTIONS, INDEX, SENTIMENT_OF
from nlp import DEFAULT_MODEL_DIR, TextAnalyzer, TextReading, hinglish
from nlp.analyzer import DTYPES
from nlp.text import clean
from training.calibration import expected_calibration_error
from training.common import update_card
from training.text import data

SAMPLE_EVERY = 20  # the fixed sample the tests re-score: lines 0, 20, 40, ... of each split
SPLITS: dict[str, Callable[[], data.Examples]] = {
    "goemotions_test": lambda: data.load("test"),
    "goemotions_dev": lambda: data.load("dev"),
    "meld_validation": lambda: data.load_dialogue("meld_validation"),
    "dailydialog_holdout": lambda: data.load_dialogue("dailydialog_holdout"),
    "hindi_validation": data.load_hindi,
    "hinglish_validation": data.load_hinglish,
    "hinglish_chat": data.load_hinglish_chat,
}
# Hinglish: also scored with the multilingual head alone on every line (as the analyzer hands it text:
# Latin-script Hindi spelled in Devanagari), beside the routed analyzer. (Hindi: the head's own card line.)
NON_ENGLISH = ("hinglish_validation", "hinglish_chat")
TITLES = {"goemotions_test": "GoEmotions test", "goemotions_dev": "GoEmotions dev",
          "meld_validation": "MELD validation", "dailydialog_holdout": "DailyDialog validation, held-out half",
          "hindi_validation": "BHAAV Hindi validation",
          "hinglish_validation": "BHAAV validation romanised (Hinglish by rule)",
          "hinglish_chat": "Hinglish chat lines (hand-written)"}
CONTEXTS = ("previous", "same_speaker")
SURPRISE, NEUTRAL = INDEX["surprise"], INDEX["neutral"]
WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
NRC_LABEL = {"anger": "angry", "disgust": "disgust", "fear": "fear", "joy": "happy", "sadness": "sad",
             "surprise": "surprise"}


def is_question(text: str) -> bool:
    return "?" in text


def nrc_labels(texts: list[str]) -> np.ndarray:
    """The NRC emotion lexicon (Mohammad & Turney; nrclex's copy) as a classifier: the emotion with the
    most matching words, ties to the first in EMOTIONS order, neutral when no word matches."""
    from nrclex.core import _load_bundled_lexicon
    lexicon = _load_bundled_lexicon()
    out = []
    for text in texts:
        votes = np.zeros(len(EMOTIONS))
        for word in WORD.findall(text.lower()):
            for affect in lexicon.get(word, ()):
                if affect in NRC_LABEL:
                    votes[INDEX[NRC_LABEL[affect]]] += 1
        out.append(int(votes.argmax()) if votes.any() else NEUTRAL)
    return np.array(out)


def vader_sentiment(texts: list[str]) -> list[str]:
    """VADER's usual thresholds: compound >= 0.05 positive, <= -0.05 negative, else neutral."""
    vader = SentimentIntensityAnalyzer()
    compounds = [vader.polarity_scores(t)["compound"] for t in texts]
    return ["positive" if c >= 0.05 else "negative" if c <= -0.05 else "neutral" for c in compounds]


def probs_matrix(readings: list[TextReading | None]) -> np.ndarray:
    """[N, 7] in EMOTIONS order; an unreadable text reads as certain neutral (none in these sets but a few
    DailyDialog/MELD lines that are only punctuation)."""
    unread = np.eye(len(EMOTIONS))[NEUTRAL]
    return np.array([[r.probs[name] for name in EMOTIONS] if r else unread for r in readings], dtype=np.float64)


def single_gold(examples: data.Examples) -> tuple[np.ndarray, np.ndarray]:
    """Index of the examples with exactly one gold label, and that label."""
    index = np.array([i for i, g in enumerate(examples.groups) if len(g) == 1])
    return index, np.array([next(iter(examples.groups[i])) for i in index])


def label_scores(predicted: np.ndarray, examples: data.Examples) -> dict:
    """Macro-F1 (over the labels the split has) and accuracy on its single-label lines."""
    index, gold = single_gold(examples)
    labels = np.unique(gold)
    return {"macro_f1": round(float(f1_score(gold, predicted[index], labels=labels, average="macro")), 4),
            "accuracy": round(float((gold == predicted[index]).mean()), 4)}


def question_scores(predicted: np.ndarray, examples: data.Examples) -> dict:
    """How often a question is read as surprise: all questions, and those whose gold label is neutral."""
    questions = np.array([is_question(t) for t in examples.texts])
    neutral = np.array([g == {NEUTRAL} for g in examples.groups])
    surprise = predicted == SURPRISE

    def share(mask: np.ndarray) -> float | None:
        return round(float(surprise[mask].mean()), 4) if mask.any() else None

    return {"questions": int(questions.sum()), "read_as_surprise": share(questions),
            "neutral_questions": int((questions & neutral).sum()), "neutral_read_as_surprise": share(questions & neutral)}


def evaluate_split(analyzer: TextAnalyzer, examples: data.Examples, contexts: bool,
                   head_alone: bool = False) -> tuple[dict, np.ndarray]:
    """All metrics of one split as a dict, and its confusion matrix (rows gold, columns predicted).
    `head_alone`: also score the multilingual head on every line, whatever the language routing says."""
    start = time.perf_counter()
    readings = analyzer.analyze_many(examples.texts)
    seconds = time.perf_counter() - start
    probs = probs_matrix(readings)
    predicted = probs.argmax(1)
    index, gold = single_gold(examples)
    labels = np.unique(gold)
    sample = np.arange(0, len(examples), SAMPLE_EVERY)
    vader = vader_sentiment([examples.texts[i] for i in index])
    truth = [SENTIMENT_OF[EMOTIONS[g]] for g in gold]
    metrics = {
        "n": len(examples), "n_single": len(index), "labels": [EMOTIONS[i] for i in labels],
        **label_scores(predicted, examples),
        "per_class_f1": dict(zip([EMOTIONS[i] for i in labels],
                                 f1_score(gold, predicted[index], labels=labels, average=None).round(4).tolist())),
        "ece_after_temperature": round(expected_calibration_error(probs, examples.targets.argmax(1)), 4),
        "questions": question_scores(predicted, examples),
        "read_non_english": sum(bool(r) and r.language != "en" for r in readings),
        "nrc": label_scores(nrc_labels(examples.texts), examples),
        "sentiment": {"ours": round(float(np.mean([r.sentiment == t if r else t == "neutral"
                                                    for r, t in zip([readings[i] for i in index], truth)])), 4),
                      "vader": round(float(np.mean([v == t for v, t in zip(vader, truth)])), 4)},
        "sample": {"every": SAMPLE_EVERY, **label_scores(predicted[sample], examples.subset(sample))},
        "seconds": round(seconds, 1),
    }
    if head_alone and analyzer.multilingual:
        head = analyzer.multilingual.probs([hinglish.in_devanagari(clean(text)) for text in examples.texts]).numpy()
        metrics["head_alone"] = label_scores(head.argmax(1), examples)
    if contexts:
        metrics["context"] = {}
        for kind in CONTEXTS:
            with_context = probs_matrix(analyzer.analyze_many(examples.texts, getattr(examples, kind)))
            metrics["context"][kind] = {**label_scores(with_context.argmax(1), examples),
                                        "ece_after_temperature": round(expected_calibration_error(
                                            with_context, examples.targets.argmax(1)), 4)}
    return metrics, confusion_matrix(gold, predicted[index], labels=range(len(EMOTIONS)))


def plot_confusions(matrices: dict[str, np.ndarray], path: Path) -> None:
    fig, axes = plt.subplots(1, len(matrices), figsize=(5.2 * len(matrices), 5.0))
    for ax, (name, matrix) in zip(axes, matrices.items()):
        rows = matrix.sum(1, keepdims=True)
        ConfusionMatrixDisplay((matrix / np.maximum(rows, 1)).round(2), display_labels=EMOTIONS).plot(
            ax=ax, cmap="Blues", colorbar=False, xticks_rotation=45)
        ax.set_title(TITLES[name], fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def results_markdown(metrics: dict, matrices: dict[str, np.ndarray]) -> str:
    splits = metrics["splits"]
    lines = [
        f"Measured by `make eval` (`python -m training.text.evaluate`) through `TextAnalyzer`, with "
        f"{metrics['dtype']} math. Macro-F1 is over the labels each split has (Hindi and Hinglish: 4), on its single-label "
        "lines; a question is a line with '?'.",
        "",
        "| split | lines | macro-F1 | accuracy | NRC lexicon macro-F1 / accuracy | ECE after temperature "
        "| questions read as surprise: all / gold neutral | sentiment accuracy: ours / VADER |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, m in splits.items():
        q = m["questions"]
        lines.append(f"| {TITLES[name]} | {m['n']} | **{m['macro_f1']:.3f}** | {m['accuracy']:.3f} | "
                     f"{m['nrc']['macro_f1']:.3f} / {m['nrc']['accuracy']:.3f} | {m['ece_after_temperature']:.3f} | "
                     f"{fmt(q['read_as_surprise'])} ({q['questions']}) / {fmt(q['neutral_read_as_surprise'])} "
                     f"({q['neutral_questions']}) | {m['sentiment']['ours']:.3f} / {m['sentiment']['vader']:.3f} |")
    lines += ["", "Context (a second segment with an earlier line of the conversation), macro-F1 / accuracy / ECE:", "",
              "| split | no context | the line before | the same speaker's previous line |", "| --- | --- | --- | --- |"]
    for name, m in splits.items():
        if "context" in m:
            cells = [f"{c['macro_f1']:.3f} / {c['accuracy']:.3f} / {c['ece_after_temperature']:.3f}"
                     for c in (m, m["context"]["previous"], m["context"]["same_speaker"])]
            lines.append(f"| {TITLES[name]} | " + " | ".join(cells) + " |")
    lines += ["", "Not English: lines whose main language the language check says is not English, and "
              "macro-F1 / accuracy through the analyzer against the multilingual head alone on every line:", "",
              "| split | lines mainly not English | analyzer | multilingual head alone |", "| --- | --- | --- | --- |"]
    for name, m in splits.items():
        if "head_alone" in m:
            lines.append(f"| {TITLES[name]} | {m['read_non_english']} of {m['n']} | {m['macro_f1']:.3f} / "
                         f"{m['accuracy']:.3f} | {m['head_alone']['macro_f1']:.3f} / {m['head_alone']['accuracy']:.3f} |")
    lines += ["", "Per-class F1:", "", "| split | " + " | ".join(EMOTIONS) + " |", "|" + " --- |" * (len(EMOTIONS) + 1)]
    for name, m in splits.items():
        lines.append(f"| {TITLES[name]} | " + " | ".join(fmt(m["per_class_f1"].get(e)) for e in EMOTIONS) + " |")
    for name, matrix in matrices.items():
        lines += ["", f"Confusion matrix, {TITLES[name]} (rows gold, columns predicted; counts):", "",
                  "| gold \\ predicted | " + " | ".join(EMOTIONS) + " |", "|" + " --- |" * (len(EMOTIONS) + 1),
                  *(f"| **{e}** | " + " | ".join(str(v) for v in row) + " |"
                    for e, row in zip(EMOTIONS, matrix) if row.sum())]
    lines += ["", f"Weights: {metrics['weights_mb']} MB (fp16 safetensors, in shards under 25 MB)."]
    return "\n".join(lines)


def history_markdown(training: dict) -> str:
    if "averaged" in training:  # training.text.average: two trained models' weights, averaged
        cfg, scores = training["average_config"], training["macro_f1"]
        return (f"A weight average of `{cfg['first']}` ({1 - cfg['weight']:g}) and `{cfg['second']}` ({cfg['weight']:g}), "
                "each model's own training in `training.json`. Validation macro-F1 before the neutral offset: "
                + ", ".join(f"{TITLES[k.split('/')[0]]} {v:.4f}" for k, v in scores.items())
                + f".\n\nNeutral logit offset {training['neutral_offset']}; temperature {training['temperature']}.")
    rows = [f"| {h['epoch']} | {h['loss']:.4f} | " + " | ".join(f"{h['macro_f1'][k]:.4f}" for k in
            ("goemotions_dev/none", "meld_validation/none", "dailydialog_holdout/none")) + f" | {h['seconds']:.0f} |"
            for h in training["history"]]
    return "\n".join(["| epoch | train loss | validation macro-F1 (before the neutral offset): GoEmotions dev | MELD "
                      "| DailyDialog (held-out half) | seconds |",
                      "| --- | --- | --- | --- | --- | --- |", *rows, "",
                      f"Kept: epoch {training['best_epoch']}; neutral logit offset {training['neutral_offset']}; "
                      f"temperature {training['temperature']}."])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=str(DEFAULT_MODEL_DIR))
    parser.add_argument("--dtype", choices=DTYPES, default="auto",
                        help="the math's precision; auto = what the bot picks on this CPU (nlp.analyzer.fast_dtype)")
    parser.add_argument("--splits", nargs="*", default=list(SPLITS), choices=list(SPLITS))
    parser.add_argument("--english-only", action="store_true", help="without the multilingual head (nlp.multilingual)")
    parser.add_argument("--no-context", action="store_true", help="skip the runs with an earlier line as context")
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    parser.add_argument("--no-write", action="store_true", help="print only; leave metrics.json and the card alone")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    model_dir = Path(args.model)
    analyzer = TextAnalyzer(model_dir, dtype=DTYPES[args.dtype],
                            **({"multilingual_dir": None} if args.english_only else {}))
    metrics: dict = {"dtype": str(analyzer.dtype).removeprefix("torch."), "multilingual_head": bool(analyzer.multilingual),
                     "splits": {}}
    matrices = {}
    for name in args.splits:
        examples = SPLITS[name]()
        metrics["splits"][name], matrices[name] = evaluate_split(
            analyzer, examples, contexts=bool(examples.previous) and not args.no_context, head_alone=name in NON_ENGLISH)
        print(name, json.dumps(metrics["splits"][name]), flush=True)
    metrics["weights_mb"] = round(sum(f.stat().st_size for f in model_dir.glob("*.safetensors")) / 2**20, 1)
    results = results_markdown(metrics, matrices)
    print(results)
    if args.no_write:
        return
    (model_dir / "metrics.json").write_text(json.dumps(metrics, indent=1) + "\n")
    shown = {name: matrices[name] for name in ("goemotions_test", "meld_validation", "dailydialog_holdout") if name in matrices}
    plot_confusions(shown, model_dir / "confusion.png")
    card = model_dir / "MODEL_CARD.md"
    if card.exists():
        training = json.loads((model_dir / "training.json").read_text())
        update_card(card, {"history": history_markdown(training), "metrics": results})


if __name__ == "__main__":
    main()
