"""Weight averaging of two text models: tensor by tensor, integer buffers untouched."""
import torch

from training.text.average import average


class Tiny(torch.nn.Module):
    def __init__(self, value: float, steps: int):
        super().__init__()
        self.linear = torch.nn.Linear(2, 2)
        torch.nn.init.constant_(self.linear.weight, value)
        torch.nn.init.constant_(self.linear.bias, -value)
        self.register_buffer("steps", torch.tensor(steps))


def test_a_quarter_of_the_way_from_first_to_second() -> None:
    first, second = Tiny(1.0, steps=3), Tiny(5.0, steps=9)
    average(first, second, 0.25)
    assert torch.equal(first.linear.weight, torch.full((2, 2), 2.0))
    assert torch.equal(first.linear.bias, torch.full((2,), -2.0))
    assert int(first.steps) == 3  # a count is not averaged
    assert torch.equal(second.linear.weight, torch.full((2, 2), 5.0))
