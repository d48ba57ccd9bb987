"""Train the facial-expression CNN on FER2013 Training with FER+ soft targets.

    python -m training.face.train                      # the shipped recipe
    python -m training.face.train --epochs 2 --out /tmp/face   # a quick smoke run
    python -m training.face.train --init models/face_emotion --neutral_votes 0.5 --balanced true \
        --samples_per_epoch 12800 --epochs 3 --max_lr 0.01 --ema_decay 0.99 --keep_epochs true --out /tmp/ft
                                                        # fine-tune the shipped network (real photos: MODEL_CARD.md)

Settings are the dataclass below; any of them can be overridden as --name value.
Model selection and temperature fitting use PublicTest only; PrivateTest is never read here.
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
from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn
from tqdm import tqdm

from emotions import INDEX
from training.calibration import fit_temperature
from training.common import parse_settings
from training.face import data
from vision.classifier import FaceEmotionClassifier, save_model
from vision.model import FaceEmotionNet, FaceNetConfig


@dataclass
class TrainConfig:
    data_path: str = str(data.DEFAULT_DATA)
    out: str = "models/face_emotion"
    widths: str = "48,96,192,384"
    epochs: int = 64
    batch_size: int = 128
    max_lr: float = 0.05
    weight_decay: float = 5e-4
    dropout: float = 0.4
    benchmark_weight: float = 1.0     # loss weight of the FER2013-label head
    class_weight_power: float = 0.5   # benchmark head: weights = freq^-power (0: none, 1: balanced)
    product_class_weight_power: float = 0.0  # the same for the product head (accuracy is its metric)
    benchmark_backbone_grad: float = 0.5  # how much the benchmark head's loss trains the backbone
    label_smoothing: float = 0.1      # benchmark head only; FER+ targets are already soft
    ema_decay: float = 0.999
    rotate_deg: float = 15.0
    scale: float = 0.15
    shift: float = 0.1
    erase_p: float = 0.5
    threads: int = 0                  # 0: torch default
    bf16: bool = True                 # bfloat16 autocast (fast on CPUs with AVX512-BF16/AMX)
    seed: int = 1337
    limit: int = 0                    # >0: train on the first N images (smoke runs)
    teacher: str = ""                 # a trained model dir whose predictions on the same augmented
    teacher_weight: float = 0.5       # batch are mixed into both heads' targets (born-again distillation)
    mixup: float = 0.0                # >0: mix image pairs and their targets, share ~ Beta(mixup, mixup)
    resume: bool = False              # continue from <out>/checkpoint.pt (written after every epoch)
    # Fine-tuning for real photos (MODEL_CARD.md, "Why real photos read as neutral"):
    init: str = ""                    # start from this trained model dir's weights (its widths win)
    neutral_votes: float = 1.0        # FER+ neutral votes count this much in the product head's targets
    balanced: bool = False            # draw faces with class-balanced odds (by FER2013 label), not uniformly
    samples_per_epoch: int = 0        # faces drawn per epoch; 0 = one pass over Training
    keep_epochs: bool = False         # also save every epoch's EMA model to <out>/epoch<N>, to select on real photos


def augment(x: torch.Tensor, cfg: TrainConfig) -> torch.Tensor:
    """Batched augmentation on float [B,1,48,48] in [0,1]: flip, affine, photometric, erasing."""
    b = x.shape[0]
    angle = (torch.rand(b) * 2 - 1) * math.radians(cfg.rotate_deg)
    scale = 1 + (torch.rand(b) * 2 - 1) * cfg.scale
    flip = torch.where(torch.rand(b) < 0.5, -1.0, 1.0)
    cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
    theta = torch.stack([
        torch.stack([cos * flip, -sin, (torch.rand(b) * 2 - 1) * cfg.shift * 2], 1),
        torch.stack([sin * flip, cos, (torch.rand(b) * 2 - 1) * cfg.shift * 2], 1),
    ], 1)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    x = F.grid_sample(x, grid, padding_mode="reflection", align_corners=False)
    contrast = 1 + (torch.rand(b, 1, 1, 1) * 2 - 1) * 0.3
    brightness = (torch.rand(b, 1, 1, 1) * 2 - 1) * 0.15
    mean = x.mean((2, 3), keepdim=True)
    x = ((x - mean) * contrast + mean + brightness).clamp(0, 1)
    # Random erasing: one rectangle per chosen image, filled with noise.
    h = w = x.shape[-1]
    eh = (torch.rand(b) * 0.3 + 0.1) * h
    ew = (torch.rand(b) * 0.3 + 0.1) * w
    y0, x0 = torch.rand(b) * (h - eh), torch.rand(b) * (w - ew)
    ys, xs = torch.arange(h).view(1, h, 1), torch.arange(w).view(1, 1, w)
    box = ((ys >= y0.view(b, 1, 1)) & (ys < (y0 + eh).view(b, 1, 1))
           & (xs >= x0.view(b, 1, 1)) & (xs < (x0 + ew).view(b, 1, 1)))
    box &= (torch.rand(b) < cfg.erase_p).view(b, 1, 1)
    return torch.where(box.unsqueeze(1), torch.rand_like(x), x)


def mixup(x: torch.Tensor, target_p: torch.Tensor, target_b: torch.Tensor, alpha: float
          ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Blend each image with a random partner of the batch, and both heads' targets alike (Zhang et al.
    2018). A row without a target (all zeros) adds nothing, so the partner's target keeps its share."""
    share = float(np.random.beta(alpha, alpha))
    partner = torch.randperm(len(x))

    def blend(t: torch.Tensor) -> torch.Tensor:
        return share * t + (1 - share) * t[partner]

    return blend(x), blend(target_p), blend(target_b)


def class_weights(counts: np.ndarray, power: float) -> torch.Tensor:
    w = np.power(np.maximum(counts, 1), -power)
    return torch.tensor(w / (w * counts).sum() * counts.sum(), dtype=torch.float32)


def to_input(pixels: np.ndarray | torch.Tensor) -> torch.Tensor:
    x = torch.as_tensor(pixels)
    return x.unsqueeze(1).float().div_(255)


@torch.no_grad()
def predict_logits(model: torch.nn.Module, pixels: np.ndarray, batch: int = 512) -> tuple[torch.Tensor, torch.Tensor]:
    """Flip-averaged logits of both heads (the shipped inference path does the same)."""
    model.eval()
    outs_p, outs_b = [], []
    for i in range(0, len(pixels), batch):
        x = to_input(pixels[i:i + batch])
        p1, b1 = model(x)
        p2, b2 = model(torch.flip(x, dims=[3]))
        outs_p.append((p1 + p2) / 2)
        outs_b.append((b1 + b2) / 2)
    return torch.cat(outs_p).float(), torch.cat(outs_b).float()


def accuracy(logits: torch.Tensor, labels: np.ndarray) -> float:
    keep = labels >= 0
    return float((logits.argmax(1).numpy()[keep] == labels[keep]).mean())


def main(cfg: TrainConfig) -> dict:
    torch.manual_seed(cfg.seed)
    np.random.seed(cfg.seed)
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    arrays = data.load_arrays(cfg.data_path)
    train = data.split(arrays, data.TRAINING, for_training=True)
    val = data.split(arrays, data.PUBLIC_TEST)
    if cfg.limit:
        train = data.Split(*(a[:cfg.limit] for a in dataclasses.astuple(train)))
    print(f"train {len(train)} images, val (PublicTest) {len(val)}; "
          f"FER+ targets on {(train.plus_target.sum(1) > 0).sum()}, FER2013 labels on {(train.fer_label >= 0).sum()}")

    if cfg.neutral_votes != 1.0:  # de-neutralised targets: a mild face's other votes count for more
        target = train.plus_target.copy()
        target[:, INDEX["neutral"]] *= cfg.neutral_votes  # FER+ targets are in EMOTIONS order
        total = target.sum(1, keepdims=True)
        train = dataclasses.replace(train, plus_target=np.where(total > 0, target / np.maximum(total, 1e-9), 0)
                                    .astype(np.float32))
    plus_w = class_weights(train.plus_target.sum(0), cfg.product_class_weight_power)
    fer_w = class_weights(np.bincount(train.fer_label[train.fer_label >= 0], minlength=7).astype(float),
                          cfg.class_weight_power)
    if cfg.init:
        model = FaceEmotionClassifier(cfg.init).model
        model_cfg = model.config
        print(f"starting from {cfg.init}")
    else:
        model_cfg = FaceNetConfig(widths=tuple(int(w) for w in cfg.widths.split(",")), dropout=cfg.dropout)
        model = FaceEmotionNet(model_cfg)
    model = model.to(memory_format=torch.channels_last)
    ema = AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(cfg.ema_decay), use_buffers=True)
    n_params = sum(p.numel() for p in model.parameters())
    print(f"model: {n_params / 1e6:.2f}M parameters, widths {model_cfg.widths}")

    steps_per_epoch = math.ceil((cfg.samples_per_epoch or len(train)) / cfg.batch_size)
    opt = torch.optim.SGD(model.parameters(), lr=cfg.max_lr, momentum=0.9, nesterov=True,
                          weight_decay=cfg.weight_decay)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=cfg.max_lr, epochs=cfg.epochs,
                                                steps_per_epoch=steps_per_epoch, pct_start=0.15)
    pixels = torch.from_numpy(train.pixels)
    plus_t = torch.from_numpy(train.plus_target)
    fer_y = torch.from_numpy(train.fer_label)
    teacher = None
    if cfg.teacher:
        teacher = FaceEmotionClassifier(cfg.teacher).model.to(memory_format=torch.channels_last)
        print(f"distilling from {cfg.teacher} (weight {cfg.teacher_weight})")

    best, history, first_epoch = None, [], 1
    out = Path(cfg.out)
    checkpoint = out / "checkpoint.pt"
    if cfg.resume and checkpoint.exists():
        first_epoch, best, history = load_checkpoint(checkpoint, model, ema, opt, sched)
        print(f"resuming {checkpoint} at epoch {first_epoch}")
    for epoch in range(first_epoch, cfg.epochs + 1):
        model.train()
        t0, total = time.time(), 0.0
        order = draw_order(train, steps_per_epoch * cfg.batch_size, cfg.balanced)
        bar = tqdm(range(steps_per_epoch), desc=f"epoch {epoch}/{cfg.epochs}", leave=False, disable=None)
        for step in bar:
            idx = order[step * cfg.batch_size:(step + 1) * cfg.batch_size]
            x = augment(to_input(pixels[idx]), cfg)
            target_p, yb = plus_t[idx], fer_y[idx]
            target_b = F.one_hot(yb.clamp(min=0), 7).float() * (yb >= 0).unsqueeze(1)
            if cfg.mixup > 0:
                x, target_p, target_b = mixup(x, target_p, target_b, cfg.mixup)
            x = x.contiguous(memory_format=torch.channels_last)
            m, mb = target_p.sum(1) > 0, target_b.sum(1) > 0  # rows with something to learn, per head
            if teacher is not None:
                target_p, target_b = distilled_targets(teacher, x, target_p, target_b, cfg)
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=cfg.bf16):
                logits_p, logits_b = model(x, benchmark_grad=cfg.benchmark_backbone_grad)
            logits_p, logits_b = logits_p.float(), logits_b.float()
            loss_p = F.cross_entropy(logits_p[m], target_p[m], weight=plus_w) if m.any() else logits_p.sum() * 0
            loss_b = F.cross_entropy(logits_b[mb], target_b[mb], weight=fer_w, label_smoothing=cfg.label_smoothing)
            loss = loss_p + cfg.benchmark_weight * loss_b
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            ema.update_parameters(model)
            total += loss.item()
            bar.set_postfix(loss=f"{total / (step + 1):.3f}")
        logits_p, logits_b = predict_logits(ema.module, val.pixels)
        acc_p, acc_b = accuracy(logits_p, val.plus_label), accuracy(logits_b, val.fer_label)
        row = {"epoch": epoch, "loss": round(total / steps_per_epoch, 4), "val_ferplus_acc": round(acc_p, 4),
               "val_fer2013_acc": round(acc_b, 4), "seconds": round(time.time() - t0, 1)}
        history.append(row)
        print(json.dumps(row), flush=True)
        score = acc_p + acc_b
        if cfg.keep_epochs:
            save_model(ema.module, fitted_temperatures(logits_p, logits_b, val), out / f"epoch{epoch}",
                       {"train_config": dataclasses.asdict(cfg), "epoch": epoch, "history": list(history)})
        if best is None or score > best[0]:
            best = (score, epoch, {k: v.detach().clone() for k, v in ema.module.state_dict().items()})
        save_checkpoint(checkpoint, epoch, best, history, model, ema, opt, sched)

    _, best_epoch, state = best
    model.load_state_dict(state)
    logits_p, logits_b = predict_logits(model, val.pixels)
    temps = fitted_temperatures(logits_p, logits_b, val)
    meta = {"train_config": dataclasses.asdict(cfg), "best_epoch": best_epoch, "history": history,
            "n_params": n_params}
    save_model(model, temps, out, meta)
    checkpoint.unlink(missing_ok=True)
    print(f"saved {out} (best epoch {best_epoch}, temperatures {temps})")
    return meta


def draw_order(train: data.Split, n: int, balanced: bool) -> torch.Tensor:
    """n Training rows for one epoch: a shuffled pass (repeated as needed), or drawn with replacement
    at odds that give each FER2013 label the same share (rows without one count as their FER+ majority)."""
    if not balanced:
        passes = [torch.randperm(len(train)) for _ in range(math.ceil(n / len(train)))]
        return torch.cat(passes)[:n]
    label = np.where(train.fer_label >= 0, train.fer_label, train.plus_label).clip(min=0)
    odds = 1.0 / np.bincount(label, minlength=7)[label]
    return torch.multinomial(torch.from_numpy(odds / odds.sum()), n, replacement=True)


def save_checkpoint(path: Path, epoch: int, best: tuple, history: list[dict], *parts) -> None:
    """Everything a resumed run needs to go on exactly where this one stopped, random streams included."""
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {"epoch": epoch, "best": best, "history": history, "parts": [p.state_dict() for p in parts],
             "torch_rng": torch.get_rng_state(), "numpy_rng": np.random.get_state()}
    torch.save(state, path.with_suffix(".tmp"))
    path.with_suffix(".tmp").replace(path)  # never leave a half-written checkpoint behind


def load_checkpoint(path: Path, *parts) -> tuple[int, tuple, list[dict]]:
    """Restores the parts (model, EMA, optimiser, schedule) in place; returns (next epoch, best, history)."""
    state = torch.load(path, weights_only=False)
    for part, part_state in zip(parts, state["parts"]):
        part.load_state_dict(part_state)
    torch.set_rng_state(state["torch_rng"])
    np.random.set_state(state["numpy_rng"])
    return state["epoch"] + 1, state["best"], state["history"]


@torch.no_grad()
def distilled_targets(teacher: torch.nn.Module, x: torch.Tensor, target_p: torch.Tensor, target_b: torch.Tensor,
                      cfg: TrainConfig) -> tuple[torch.Tensor, torch.Tensor]:
    """Mix the teacher's probabilities on the very images the student sees into both heads' targets."""
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=cfg.bf16):
        teacher_p, teacher_b = teacher(x)
    a = cfg.teacher_weight
    return ((1 - a) * target_p + a * F.softmax(teacher_p.float(), 1),
            (1 - a) * target_b + a * F.softmax(teacher_b.float(), 1))


def fitted_temperatures(logits_p: torch.Tensor, logits_b: torch.Tensor, val: data.Split) -> dict[str, float]:
    """Per-head temperatures on PublicTest, each fitted to the label its accuracy is measured
    against (FER+ majority, FER2013 label), so confidence matches accuracy (ECE)."""
    majority = torch.from_numpy(val.plus_label).clamp(min=0)
    return {
        "product": fit_temperature(logits_p, F.one_hot(majority, 7).float(), val.plus_label >= 0),
        "benchmark": fit_temperature(logits_b, F.one_hot(torch.from_numpy(val.fer_label), 7).float(),
                                     val.fer_label >= 0),
    }


if __name__ == "__main__":
    main(parse_settings(TrainConfig, __doc__))
