"""facenet-pytorch's MTCNN, imported without torchvision.

facenet-pytorch takes two functions from torchvision: ``ops.boxes.batched_nms`` (MTCNN's
non-maximum suppression) and ``transforms.functional.to_tensor`` (only in ``extract_face``, which
we don't use: vision.align crops). torchvision itself is a poor fit here: PyPI has no CPU build (its
compiled ops link against CUDA), and importing it pulls in torch._dynamo and sympy, about 80 MB of
resident memory for nothing we run. So the import of facenet-pytorch sees a two-function stand-in,
pure torch, with torchvision's semantics; nothing else in the process does (the stand-in leaves
``sys.modules`` as it found it, so a real torchvision stays importable).
"""
from __future__ import annotations

import sys
import types

import numpy as np
import torch


def nms(boxes: torch.Tensor, scores: torch.Tensor, iou_threshold: float) -> torch.Tensor:
    """Greedy NMS like torchvision.ops.nms: boxes [N, 4] as (x1, y1, x2, y2); kept indices (int64) by
    descending score. A box is dropped when its IoU with a kept, higher-scoring box exceeds the threshold."""
    if boxes.numel() == 0:
        return torch.empty(0, dtype=torch.int64)
    order = scores.argsort(descending=True)
    b = boxes[order].double()
    area = (b[:, 2] - b[:, 0]).clamp(min=0) * (b[:, 3] - b[:, 1]).clamp(min=0)
    lt = torch.maximum(b[:, None, :2], b[None, :, :2])
    rb = torch.minimum(b[:, None, 2:], b[None, :, 2:])
    inter = (rb - lt).clamp(min=0).prod(2)
    overlaps = (inter / (area[:, None] + area[None, :] - inter)).gt(iou_threshold).numpy()
    removed = np.zeros(len(order), dtype=bool)
    keep = []
    for i in range(len(order)):
        if not removed[i]:
            keep.append(i)
            removed |= overlaps[i]
    return order[torch.tensor(keep, dtype=torch.int64)]


def batched_nms(boxes: torch.Tensor, scores: torch.Tensor, idxs: torch.Tensor, iou_threshold: float) -> torch.Tensor:
    """NMS within each category of `idxs` (torchvision's coordinate trick: offset each category's boxes
    so that boxes of different categories never overlap)."""
    if boxes.numel() == 0:
        return torch.empty(0, dtype=torch.int64)
    offsets = idxs.to(boxes) * (boxes.max() + 1)
    return nms(boxes + offsets[:, None], scores, iou_threshold)


def to_tensor(picture: np.ndarray) -> torch.Tensor:
    """HWC array -> CHW float tensor; uint8 scaled to [0, 1], as torchvision's to_tensor."""
    tensor = torch.from_numpy(np.ascontiguousarray(picture)).permute(2, 0, 1).contiguous()
    return tensor.float().div(255) if tensor.dtype == torch.uint8 else tensor


def _stand_in() -> dict[str, types.ModuleType]:
    modules = {name: types.ModuleType(name) for name in
               ("torchvision", "torchvision.ops", "torchvision.ops.boxes",
                "torchvision.transforms", "torchvision.transforms.functional")}
    setattr(modules["torchvision.ops.boxes"], "batched_nms", batched_nms)  # noqa: B010  (a stand-in module)
    setattr(modules["torchvision.transforms.functional"], "to_tensor", to_tensor)  # noqa: B010
    for name, module in modules.items():
        parent, _, child = name.rpartition(".")
        if parent:
            setattr(modules[parent], child, module)
    return modules


def _import_facenet() -> None:
    if "facenet_pytorch" in sys.modules:
        return
    stand_in = _stand_in()
    saved = {name: sys.modules.get(name) for name in stand_in}
    sys.modules.update(stand_in)
    try:
        import facenet_pytorch  # noqa: F401
    finally:
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module


_import_facenet()
from facenet_pytorch import MTCNN  # noqa: E402
from facenet_pytorch.models.utils.detect_face import detect_face  # noqa: E402

__all__ = ["MTCNN", "batched_nms", "detect_face"]
