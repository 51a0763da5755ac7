import pytest
import torch
from torch import nn

from lensbook.train import seeded, train


def linear_task(generator, step):
    x = torch.randn(64, 3, generator=generator)
    return x, x @ torch.tensor([1.0, -2.0, 0.5]) + 0.3


def make_model():
    with seeded(0):
        return nn.Sequential(nn.Linear(3, 1), nn.Flatten(0))


def test_training_reduces_the_loss_and_is_repeatable():
    a, b = make_model(), make_model()
    log_a = train(a, linear_task, nn.functional.mse_loss, steps=300, lr=0.05)
    log_b = train(b, linear_task, nn.functional.mse_loss, steps=300, lr=0.05)
    assert log_a.final_loss < 0.01 * log_a.losses[0]
    assert log_a.losses == log_b.losses


def test_seeded_restores_the_global_rng():
    torch.manual_seed(123)
    expected = torch.rand(1)
    torch.manual_seed(123)
    with seeded(7):
        torch.rand(5)
    assert torch.equal(torch.rand(1), expected)


def test_mode_is_restored():
    model = make_model().eval()
    train(model, linear_task, nn.functional.mse_loss, steps=1)
    assert not model.training


def test_bad_arguments():
    with pytest.raises(ValueError, match="steps"):
        train(make_model(), linear_task, nn.functional.mse_loss, steps=0)
    with pytest.raises(ValueError, match="lr"):
        train(make_model(), linear_task, nn.functional.mse_loss, steps=1, lr=0)
