"""Make torchvision importable next to a CPU-only torch.

PyPI has no CPU build of torchvision: its compiled ops (``_C.so``) link against CUDA and fail to
load with torch's CPU wheel, and then ``import torchvision`` itself fails, because its meta
registrations need ``torchvision::nms`` to exist. facenet-pytorch (MTCNN) needs torchvision's
``batched_nms``, and transformers imports torchvision when it is installed.

``install()`` checks whether torchvision's compiled ops load; only if they do not, it defines the
``nms`` operator with a pure-torch CPU kernel (same semantics: greedy, descending score, keep
indices as int64). It must run before torchvision is first imported; ``vision`` and ``nlp`` call it
on import. MTCNN's output with this kernel is identical to the compiled one.
"""
from __future__ import annotations

import glob
import importlib.util
import os
import sys

import torch

_library: torch.library.Library | None = None


def _compiled_ops_load() -> bool:
    spec = importlib.util.find_spec("torchvision")
    if spec is None or spec.origin is None:
        return True  # no torchvision: nothing to fix
    libs = glob.glob(os.path.join(os.path.dirname(spec.origin), "_C*.so"))
    try:
        for lib in libs:
            torch.ops.load_library(lib)
        return True
    except OSError:
        return False


def nms(boxes: torch.Tensor, scores: torch.Tensor, iou_threshold: float) -> torch.Tensor:
    """Greedy non-maximum suppression; boxes [N, 4] as (x1, y1, x2, y2). Returns kept indices."""
    if boxes.numel() == 0:
        return torch.empty(0, dtype=torch.int64)
    order = scores.argsort(descending=True)
    b = boxes[order].double()
    area = (b[:, 2] - b[:, 0]).clamp(min=0) * (b[:, 3] - b[:, 1]).clamp(min=0)
    lt = torch.maximum(b[:, None, :2], b[None, :, :2])
    rb = torch.minimum(b[:, None, 2:], b[None, :, 2:])
    inter = (rb - lt).clamp(min=0).prod(2)
    over = (inter / (area[:, None] + area[None, :] - inter)).gt(iou_threshold).numpy()
    removed = [False] * len(order)
    keep = []
    for i in range(len(order)):
        if removed[i]:
            continue
        keep.append(i)
        for j in over[i, i + 1:].nonzero()[0]:
            removed[i + 1 + j] = True
    return order[torch.tensor(keep, dtype=torch.int64)]


def install() -> bool:
    """Register the CPU ``nms`` if torchvision's own ops cannot load. Returns True if registered."""
    global _library
    if _library is not None:
        return True
    if "torchvision" in sys.modules or _compiled_ops_load():
        return False
    _library = torch.library.Library("torchvision", "DEF")
    _library.define("nms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
    _library.define("qnms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
    _library.impl("nms", nms, "CPU")
    import torchvision.ops.boxes

    # torchvision.ops.boxes asserts its compiled ops loaded; nms, the only op it calls, now exists.
    torchvision.ops.boxes._assert_has_ops = lambda: None
    return True
