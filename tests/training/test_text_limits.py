"""The calibrator the limits report fits: it must recover a temperature and biases it was given."""
import numpy as np
import torch
import torch.nn.functional as F

from training.text import data
from training.text.limits import fit_temperature_and_bias


def test_recovers_the_temperature_and_bias_that_made_the_labels() -> None:
    generator = torch.Generator().manual_seed(0)
    logits = torch.randn(20000, 7, generator=generator) * 3
    bias = torch.tensor([0.5, -1.0, 0.0, 0.3, 0.0, -0.2, 0.4])
    labels = torch.multinomial(F.softmax(logits / 2.0 + bias, 1), 1, generator=generator).squeeze(1)
    examples = data.Examples([""] * len(labels), F.one_hot(labels, 7).numpy().astype(np.float32), [{int(y)} for y in labels])
    temperature, fitted = fit_temperature_and_bias({"set": logits}, {"set": examples})
    assert abs(temperature - 2.0) < 0.1
    # Softmax ignores a shift of every bias by one amount: compare the differences.
    np.testing.assert_allclose((fitted - fitted.mean()).numpy(), (bias - bias.mean()).numpy(), atol=0.1)
