"""Calibration, defined once for every model: fit a softmax temperature, measure the calibration error."""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

ECE_BINS = 15


def fit_temperature(logits: torch.Tensor, targets: torch.Tensor, mask: np.ndarray | torch.Tensor) -> float:
    """One temperature minimising NLL of (soft) targets on held-out logits."""
    mask = torch.as_tensor(mask, dtype=torch.bool)
    logits, targets = logits[mask].float(), targets[mask].float()
    targets = targets / targets.sum(1, keepdim=True)
    log_t = torch.zeros(1, requires_grad=True)
    opt = torch.optim.LBFGS([log_t], lr=0.1, max_iter=200)

    def closure() -> torch.Tensor:
        opt.zero_grad()
        loss = -(targets * F.log_softmax(logits / log_t.exp(), 1)).sum(1).mean()
        loss.backward()
        return loss

    opt.step(closure)  # type: ignore[no-untyped-call]
    return round(float(log_t.detach().exp()), 4)


def expected_calibration_error(probs: np.ndarray, labels: np.ndarray, bins: int = ECE_BINS) -> float:
    """Mean |accuracy - confidence| over equal-width bins of top-1 confidence, weighted by bin size."""
    confidence, correct = probs.max(1), probs.argmax(1) == labels
    bin_of = np.minimum((confidence * bins).astype(int), bins - 1)
    gaps = [abs(correct[bin_of == b].mean() - confidence[bin_of == b].mean()) * np.mean(bin_of == b)
            for b in np.unique(bin_of)]
    return float(sum(gaps))
