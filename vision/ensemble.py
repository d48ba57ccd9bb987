"""Combine separately trained face models (different seeds) into the shipped ensemble.

    python -m vision.ensemble runs/face_seed1337 runs/face_seed2 --out models/face_emotion

Each member was selected on PublicTest by its own training run; the ensemble averages their
logits and gets its temperatures refitted on PublicTest. PrivateTest is never read here.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch
import torch.nn.functional as F

from vision import data
from vision.classifier import FaceEmotionClassifier, fit_temperature, save_model
from vision.model import FaceEmotionEnsemble
from vision.train import accuracy, predict_logits


def combine(member_dirs: list[Path], out: Path, data_path: str = str(data.DEFAULT_DATA)) -> dict:
    members = [FaceEmotionClassifier(d).model for d in member_dirs]
    ensemble = FaceEmotionEnsemble(members[0].config, len(members))
    for slot, member in zip(ensemble.members, members):
        slot.load_state_dict(member.state_dict())
    val = data.split(data.load_arrays(data_path), data.PUBLIC_TEST)
    logits_p, logits_b = predict_logits(ensemble, val.pixels)
    temps = {
        "product": fit_temperature(logits_p, torch.from_numpy(val.plus_target), val.plus_label >= 0),
        "benchmark": fit_temperature(logits_b, F.one_hot(torch.from_numpy(val.fer_label), 7).float(),
                                     val.fer_label >= 0),
    }
    configs = [json.loads((d / "config.json").read_text()) for d in member_dirs]
    meta = {
        "val_ferplus_acc": round(accuracy(logits_p, val.plus_label), 4),
        "val_fer2013_acc": round(accuracy(logits_b, val.fer_label), 4),
        "member_runs": [{k: c[k] for k in ("train_config", "best_epoch", "history", "n_params")} for c in configs],
    }
    save_model(ensemble, temps, out, meta)
    print(f"saved {out}: {len(members)} members, PublicTest FER+ {meta['val_ferplus_acc']:.4f}, "
          f"FER2013 {meta['val_fer2013_acc']:.4f}, temperatures {temps}")
    return meta


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("members", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, default=Path("models/face_emotion"))
    args = parser.parse_args()
    combine(args.members, args.out)
