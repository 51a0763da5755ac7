import pytest
import torch
from torch import nn

from lensbook.train import evaluating, seeded, train


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


# -- evaluating ---------------------------------------------------------------------------


def _mixed_model():
    model = nn.Sequential(nn.Linear(3, 4), nn.Dropout(0.5), nn.Sequential(nn.BatchNorm1d(4), nn.Linear(4, 1)))
    model[2].eval()                                  # a part already in evaluation mode
    return model


def test_evaluating_sets_eval_mode_and_restores_each_submodule():
    model = _mixed_model()
    before = [m.training for m in model.modules()]
    assert before == [True, True, True, False, False, False]
    with evaluating(model) as inside:
        assert inside is model
        assert not any(m.training for m in model.modules())
    assert [m.training for m in model.modules()] == before


def test_evaluating_restores_the_modes_after_an_exception():
    model = _mixed_model()
    before = [m.training for m in model.modules()]
    with pytest.raises(RuntimeError, match="inside"):
        with evaluating(model):
            raise RuntimeError("inside")
    assert [m.training for m in model.modules()] == before


def test_evaluating_keeps_gradients_and_makes_dropout_deterministic():
    with seeded(0):
        model = nn.Sequential(nn.Linear(3, 8), nn.Dropout(0.5), nn.Linear(8, 1))
    x = torch.randn(16, 3, requires_grad=True)
    with evaluating(model):
        first, second = model(x), model(x)
        assert torch.equal(first, second)            # dropout is off
        first.sum().backward()                       # gradients still flow (saliency, ISM)
    assert x.grad is not None and x.grad.abs().sum() > 0
    assert model.training
