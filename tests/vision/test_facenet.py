"""vision.facenet: MTCNN's non-maximum suppression without torchvision."""
from __future__ import annotations

import torch

from vision.facenet import batched_nms


def iou(a: torch.Tensor, b: torch.Tensor) -> float:
    inter = (torch.minimum(a[2:], b[2:]) - torch.maximum(a[:2], b[:2])).clamp(min=0).prod()
    area = lambda box: (box[2:] - box[:2]).prod()  # noqa: E731
    return float(inter / (area(a) + area(b) - inter))


def greedy_reference(boxes, scores, idxs, threshold) -> list[int]:
    """The definition: by descending score, keep a box unless a kept box of its category overlaps it too much."""
    keep: list[int] = []
    for i in scores.argsort(descending=True).tolist():
        if all(idxs[i] != idxs[k] or iou(boxes[i], boxes[k]) <= threshold for k in keep):
            keep.append(i)
    return keep


def test_batched_nms_keeps_what_greedy_nms_keeps_per_category():
    generator = torch.Generator().manual_seed(0)
    for _ in range(30):
        n = int(torch.randint(1, 60, (1,), generator=generator))
        corner = torch.rand(n, 2, generator=generator) * 200
        boxes = torch.cat([corner, corner + 10 + torch.rand(n, 2, generator=generator) * 60], 1)
        scores = torch.rand(n, generator=generator)
        idxs = torch.randint(0, 3, (n,), generator=generator)
        for threshold in (0.3, 0.5, 0.7):
            kept = batched_nms(boxes, scores, idxs, threshold)
            assert kept.dtype == torch.int64
            assert kept.tolist() == greedy_reference(boxes, scores, idxs, threshold)
    assert batched_nms(torch.empty(0, 4), torch.empty(0), torch.empty(0, dtype=torch.int64), 0.5).tolist() == []
