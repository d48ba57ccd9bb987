"""What bounds the text targets on this data (MODEL_CARD.md, "Known limits"): measured, not argued.

    python -m training.text.limits --threads 2      # the shipped model, validation splits only

1. Calibration: each validation set's ECE against the softmax temperature. The sets want different
   temperatures (their label mixes differ: MELD is 42 % neutral, DailyDialog 88 %), so one temperature
   (`train.minimax_temperature`) can only balance them; a bias per class fitted with the temperature
   (NLL, each set weighted alike, fitted on one half of every set and scored on the other) is shown beside it.
2. MELD's neutral questions read as surprise: how many are lines whose exact words MELD train labels
   mostly surprise ("What?": 72 surprise, 22 neutral), which no reader of the text alone can get right.
3. DailyDialog's held-out half: lines and F1 per class; the classes with a handful of lines cap macro-F1.
"""
from __future__ import annotations

import argparse
import re
from collections import Counter

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.metrics import f1_score
from transformers import AutoModelForSequenceClassification

from emotions import EMOTIONS, INDEX
from nlp import DEFAULT_MODEL_DIR
from training.text import data
from training.text.evaluate import is_question
from training.text.train import TrainConfig, calibration_error, minimax_temperature, validation_logits, validation_sets

TEMPERATURES = (1.0, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.7)
DAILYDIALOG_TARGET = 0.45
RARE_LINES = 10  # a class with fewer held-out lines than this moves macro-F1 by whole lines


def fit_temperature_and_bias(logits: dict[str, torch.Tensor], sets: dict[str, data.Examples]) -> tuple[float, torch.Tensor]:
    targets = {n: torch.from_numpy(sets[n].targets) for n in sets}
    log_t, bias = torch.zeros(1, requires_grad=True), torch.zeros(len(EMOTIONS), requires_grad=True)
    opt = torch.optim.LBFGS([log_t, bias], max_iter=200, line_search_fn="strong_wolfe")

    def closure() -> torch.Tensor:
        opt.zero_grad()
        loss = torch.stack([-(targets[n] * F.log_softmax(logits[n] / log_t.exp() + bias, 1)).sum(1).mean() for n in sets]).sum()
        loss.backward()
        return loss

    opt.step(closure)  # type: ignore[no-untyped-call]
    return float(log_t.detach().exp()), bias.detach()


def calibration(logits: dict[str, torch.Tensor], sets: dict[str, data.Examples], shipped: float) -> None:
    print("1. ECE per validation set against the temperature")
    print("   T     " + "  ".join(f"{n:>20}" for n in sets))
    for t in sorted({*TEMPERATURES, shipped, minimax_temperature(logits, sets)}):
        mark = "  (shipped)" if t == shipped else ""
        print(f"   {t:<5} " + "  ".join(f"{calibration_error(logits[n] / t, sets[n]):>20.3f}" for n in sets) + mark)
    halves = {n: np.split(np.random.default_rng(0).permutation(len(sets[n])), [len(sets[n]) // 2]) for n in sets}
    for part in (0, 1):
        fit, score = {n: halves[n][part] for n in sets}, {n: halves[n][1 - part] for n in sets}
        t, bias = fit_temperature_and_bias({n: logits[n][fit[n]] for n in sets}, {n: sets[n].subset(fit[n]) for n in sets})
        scores = "  ".join(f"{n} {calibration_error(logits[n][score[n]] / t + bias, sets[n].subset(score[n])):.3f}" for n in sets)
        print(f"   temperature {t:.2f} + a bias per class, fitted on half {part + 1}, scored on the other: {scores}")


def words(text: str) -> str:
    return re.sub(r"[^a-z?]", "", text.lower())


def ambiguous_questions(logits: torch.Tensor, validation: data.Examples) -> None:
    train = data.load_dialogue("meld_train")
    labels_of: dict[str, Counter[int]] = {}
    for text, label in zip(train.texts, train.targets.argmax(1).tolist()):
        labels_of.setdefault(words(text), Counter())[label] += 1
    gold, predicted = validation.targets.argmax(1).tolist(), logits.argmax(1).tolist()
    neutral = [i for i, text in enumerate(validation.texts) if is_question(text) and gold[i] == INDEX["neutral"]]
    as_surprise = [i for i in neutral if predicted[i] == INDEX["surprise"]]
    mostly_surprise = [i for i in as_surprise
                       if (c := labels_of.get(words(validation.texts[i]))) and c.most_common(1)[0][0] == INDEX["surprise"]]
    print(f"\n2. MELD validation: {len(neutral)} neutral questions, {len(as_surprise)} read as surprise "
          f"({len(as_surprise) / len(neutral):.1%}); {len(mostly_surprise)} of those are words MELD train labels mostly surprise:")
    for text, times in Counter(validation.texts[i] for i in mostly_surprise).items():
        counts = {EMOTIONS[k]: v for k, v in labels_of[words(text)].most_common()}
        print(f"   {text!r} x{times}: MELD train {counts}")
    rest = len(as_surprise) - len(mostly_surprise)
    print(f"   without them: {rest}/{len(neutral) - len(mostly_surprise)} = {rest / (len(neutral) - len(mostly_surprise)):.1%}")


def dailydialog_classes(logits: torch.Tensor, examples: data.Examples) -> None:
    gold, predicted = examples.targets.argmax(1), logits.argmax(1).numpy()
    f1 = f1_score(gold, predicted, labels=range(len(EMOTIONS)), average=None, zero_division=0)
    lines = np.bincount(gold, minlength=len(EMOTIONS))
    print("\n3. DailyDialog held-out half, per class: lines, F1")
    for k, name in enumerate(EMOTIONS):
        print(f"   {name:9} {lines[k]:5d}  {f1[k]:.3f}")
    rare = [k for k in range(len(EMOTIONS)) if lines[k] < RARE_LINES]
    needed = (DAILYDIALOG_TARGET * len(EMOTIONS) - f1[rare].sum()) / (len(EMOTIONS) - len(rare))
    print(f"   macro-F1 {f1.mean():.3f}; for {DAILYDIALOG_TARGET} with {' and '.join(EMOTIONS[k] for k in rare)} as they are, "
          f"the other {len(EMOTIONS) - len(rare)} must average {needed:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=str(DEFAULT_MODEL_DIR))
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    sets = validation_sets(TrainConfig())
    model = AutoModelForSequenceClassification.from_pretrained(args.model).float()
    logits = validation_logits(model, args.model, sets)
    calibration(logits, sets, model.config.calibration_temperature)
    ambiguous_questions(logits["meld_validation"], sets["meld_validation"])
    dailydialog_classes(logits["dailydialog_holdout"], sets["dailydialog_holdout"])


if __name__ == "__main__":
    main()
