import pytest
import torch

from lensbook._validate import require, require_sequences


def test_require_names_the_argument_and_shortens_long_values():
    require(True, "x", 1, "anything")
    with pytest.raises(ValueError, match=r"^n: expected an int >= 1, got 0$"):
        require(False, "n", 0, "an int >= 1")
    with pytest.raises(ValueError, match=r"got 'aaaa.*\.\.\.$"):
        require(False, "s", "a" * 200, "short")


def test_require_sequences_accepts_the_package_layout():
    require_sequences(torch.zeros(2, 4, 10))
    require_sequences(torch.zeros(1, 1, 12), channels=1, length=12)
    require_sequences(torch.zeros(4, 10), unbatched=True)
    require_sequences(torch.zeros(3, 4, 10, dtype=torch.float64), length=10)


@pytest.mark.parametrize("x, kwargs, match", [
    ([[0.0]], {}, r"x: expected a torch\.Tensor of shape \(N, 4, L\), got <class 'list'>"),
    (torch.zeros(4, 10), {}, r"x: expected one-hot DNA of shape \(N, 4, L\), got \(4, 10\)"),
    (torch.zeros(4), {"unbatched": True}, r"one-hot DNA of shape \(4, L\) or \(N, 4, L\), got \(4,\)"),
    (torch.zeros(2, 10, 4), {}, r"4 channels in dimension 1, shape \(N, 4, L\) \(channels first\)"),
    (torch.zeros(10, 4), {"unbatched": True}, r"4 channels in dimension 0"),
    (torch.zeros(2, 4, 5), {"channels": 1}, r"1 channels in dimension 1, shape \(N, 1, L\)"),
    (torch.zeros(0, 4, 5), {}, "at least one sequence of at least one step"),
    (torch.zeros(2, 4, 0), {}, "an empty sequence has nothing to read"),
    (torch.zeros(2, 4, 9), {"length": 10}, r"one-hot DNA of shape \(N, 4, 10\), got \(2, 4, 9\)"),
    (torch.zeros(2, 1, 9), {"channels": 1, "length": 10}, r"a tensor of shape \(N, 1, 10\)"),
    (torch.zeros(2, 4, 5, dtype=torch.long), {}, "a floating-point tensor"),
])
def test_require_sequences_names_what_is_wrong(x, kwargs, match):
    with pytest.raises(ValueError, match=match):
        require_sequences(x, **kwargs)


def test_require_sequences_uses_the_callers_name():
    with pytest.raises(ValueError, match=r"^sites: expected"):
        require_sequences(torch.zeros(3), "sites")
