"""The training recipe's pieces that need no data and train nothing: distillation and mixup
targets, checkpoints for resuming, and the reproduce command the model card prints."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from training.face import data
from training.face.evaluate import train_command
from training.face.train import TrainConfig, distilled_targets, draw_order, load_checkpoint, mixup, save_checkpoint
from vision.model import FaceEmotionNet, FaceNetConfig


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
    settings = dataclasses.asdict(TrainConfig()) | {"epochs": 3, "out": "", "seed": 7, "data_path": "/elsewhere",
                                                    "resume": True}
    command = train_command(settings)
    assert command.startswith("python -m training.face.train ")
    assert "--epochs 3" in command and "--seed 7" in command and "--out ''" in command
    assert "--widths" not in command and "--data_path" not in command and "--resume" not in command


def test_mixup_blends_each_image_and_its_targets_with_the_same_partner():
    np.random.seed(0)
    torch.manual_seed(0)
    rows = torch.arange(6.0)
    x = rows.view(6, 1, 1, 1).expand(6, 1, 48, 48).clone()   # image i is filled with the value i
    target_p = F.one_hot(torch.arange(6), 7).float()
    target_p[5] = 0                                         # a face with no FER+ target
    target_b = F.one_hot(torch.arange(6), 7).float()
    mixed_x, mixed_p, mixed_b = mixup(x, target_p, target_b, alpha=0.4)
    for i in range(6):
        # target_b[i] is one-hot at i, so the blended row names the partner and the share
        share = float(mixed_b[i, i])
        partner = next((j for j in mixed_b[i].nonzero().flatten().tolist() if j != i), i)
        torch.testing.assert_close(mixed_x[i], torch.full_like(x[i], share * i + (1 - share) * partner))
        torch.testing.assert_close(mixed_b[i], share * target_b[i] + (1 - share) * target_b[partner])
        torch.testing.assert_close(mixed_p[i], share * target_p[i] + (1 - share) * target_p[partner])
    # the row without a target only carries its partner's share; nothing else is invented
    assert float(mixed_p[5].sum()) < 1 and torch.all(mixed_p.sum(1) <= 1 + 1e-6)


def test_a_checkpoint_restores_weights_optimiser_schedule_and_random_streams(tmp_path):
    torch.manual_seed(0)
    model = FaceEmotionNet(FaceNetConfig(widths=(4, 4, 4, 4)))
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    model(torch.rand(2, 1, 48, 48))[0].sum().backward()
    opt.step()
    sched.step()
    path = tmp_path / "checkpoint.pt"
    saved = {k: v.clone() for k, v in model.state_dict().items()}
    save_checkpoint(path, 3, (1.5, 2, saved), [{"epoch": 3}], model, opt, sched)
    expected = torch.rand(3), np.random.rand(3)

    fresh = FaceEmotionNet(FaceNetConfig(widths=(4, 4, 4, 4)))
    fresh_opt = torch.optim.SGD(fresh.parameters(), lr=0.1, momentum=0.9)
    fresh_sched = torch.optim.lr_scheduler.StepLR(fresh_opt, step_size=1, gamma=0.5)
    next_epoch, best, history = load_checkpoint(path, fresh, fresh_opt, fresh_sched)
    assert (next_epoch, best[:2], history) == (4, (1.5, 2), [{"epoch": 3}])
    for name, value in fresh.state_dict().items():
        torch.testing.assert_close(value, saved[name])
    assert fresh_opt.state_dict()["state"] and fresh_sched.get_last_lr() == sched.get_last_lr()
    torch.testing.assert_close(torch.rand(3), expected[0])
    np.testing.assert_array_equal(np.random.rand(3), expected[1])


def split_with(fer_labels: list[int]) -> data.Split:
    n = len(fer_labels)
    labels = np.array(fer_labels, dtype=np.int64)
    return data.Split(np.zeros((n, 48, 48), np.uint8), labels, np.zeros((n, 7), np.float32), labels.copy(),
                      np.ones(n, bool))


def test_balanced_draws_give_every_label_about_the_same_share():
    train = split_with([3] * 900 + [0] * 90 + [1] * 10)  # happy, angry, disgust: 90 : 9 : 1
    torch.manual_seed(0)
    drawn = train.fer_label[draw_order(train, 30_000, balanced=True).numpy()]
    shares = np.bincount(drawn, minlength=7)[[0, 1, 3]] / len(drawn)
    np.testing.assert_allclose(shares, [1 / 3] * 3, atol=0.02)


def test_unbalanced_draws_are_whole_shuffled_passes():
    train = split_with(list(range(7)) * 10)
    order = draw_order(train, 100, balanced=False).numpy()
    assert sorted(order[:70]) == list(range(70)) and len(order) == 100 and len(set(order[70:])) == 30
