"""The training recipe's pieces that need no data and train nothing: distillation targets and
the reproduce command the model card prints."""
from __future__ import annotations

import dataclasses

import pytest
import torch
import torch.nn.functional as F

from vision.evaluate import train_command
from vision.model import FaceEmotionNet, FaceNetConfig
from vision.train import TrainConfig, distilled_targets


@pytest.fixture(scope="module")
def teacher() -> FaceEmotionNet:
    torch.manual_seed(0)
    return FaceEmotionNet(FaceNetConfig(widths=(8, 8, 8, 8))).eval()


@pytest.mark.parametrize("weight", [0.0, 0.5, 1.0])
def test_distilled_targets_mix_labels_with_the_teachers_probabilities(teacher, weight):
    x = torch.rand(4, 1, 48, 48)
    labels_p = F.one_hot(torch.tensor([0, 3, 6, 4]), 7).float()
    labels_b = F.one_hot(torch.tensor([1, 2, 3, 5]), 7).float()
    cfg = TrainConfig(teacher_weight=weight, bf16=False)
    target_p, target_b = distilled_targets(teacher, x, labels_p, labels_b, cfg)
    with torch.no_grad():
        teacher_p, teacher_b = (F.softmax(logits, 1) for logits in teacher(x))
    torch.testing.assert_close(target_p, (1 - weight) * labels_p + weight * teacher_p)
    torch.testing.assert_close(target_b, (1 - weight) * labels_b + weight * teacher_b)
    torch.testing.assert_close(target_p.sum(1), torch.ones(4))


def test_train_command_lists_only_changed_settings_and_quotes_empty_ones():
    settings = dataclasses.asdict(TrainConfig()) | {"epochs": 3, "out": "", "seed": 7, "data_path": "/elsewhere"}
    command = train_command(settings)
    assert command.startswith("python -m vision.train ")
    assert "--epochs 3" in command and "--seed 7" in command and "--out ''" in command
    assert "--widths" not in command and "--data_path" not in command
