import math

import pytest
import torch

from lensbook import metrics
from lensbook.tasks import Task
from lensbook.tasks.expression import EVERY_TWO_HOURS, ExpressionTask, KineticPrior, every_two_hours_task, mean_expression


def generator(seed=0):
    return torch.Generator().manual_seed(seed)


def euler(hours, b, k, tau, gamma, dt=1e-3):
    """Integrate dm/dt = gamma b + k s(t) - gamma m numerically, for comparison with the closed form."""
    m, t, out = b, 0.0, []
    for target in hours:
        while t < target - 1e-12:
            step = min(dt, target - t)
            s = (t / tau) * math.exp(1 - t / tau)
            m += step * (gamma * b + k * s - gamma * m)
            t += step
        out.append(m)
    return out


@pytest.mark.parametrize("params", [(2.0, 1.5, 8.0, 0.2), (1.0, 3.0, 5.0, 0.2), (3.0, 0.5, 10.0, 0.1)])
def test_closed_form_solves_the_kinetic_model(params):
    hours = [0.0, 3.0, 6.0, 12.0, 24.0]
    closed = mean_expression(torch.tensor(hours), torch.tensor([params]))[0]
    assert closed.tolist() == pytest.approx(euler(hours, *params), rel=1e-3)


def test_task_protocol_and_shapes():
    task = ExpressionTask()
    assert isinstance(task, Task)
    assert (task.name, task.target, task.channels, task.length) == ("next-step", "regression", 1, 4)
    x, y = task.sample(16, generator())
    assert x.shape == (16, 1, 4) and y.shape == (16,) and x.dtype == torch.float32
    assert (x > 0).all() and (y > 0).all()
    assert task.oracle(x).shape == (16,)


def test_every_two_hours_task_is_stable():
    task = every_two_hours_task()
    assert isinstance(task, Task)
    assert (task.name, task.target, task.channels, task.length) == ("next-step", "regression", 1, 12)
    assert task.hours == EVERY_TWO_HOURS and task.target_hour == 24.0
    x, _ = task.sample(8, generator())
    assert torch.equal(task.oracle(x), every_two_hours_task(seed=0).oracle(x))


def test_posterior_of_the_manuscript_input():
    posterior = ExpressionTask().posterior(torch.tensor([[[2.3, 4.1, 7.8, 6.2]]]))
    assert posterior.mean.item() == pytest.approx(5.87, abs=0.05)
    assert posterior.sd.item() == pytest.approx(1.33, abs=0.05)
    assert posterior.ess.item() > 1000


def test_oracle_beats_carrying_the_last_value_forward():
    task = ExpressionTask(prior_samples=8192)
    x, y = task.sample(400, generator(1))
    oracle = metrics.r2(task.oracle(x), y)
    last = metrics.r2(x[:, 0, -1], y)
    assert oracle > last + 0.05
    assert oracle < 1.0


def test_posterior_mean_is_calibrated():
    task = ExpressionTask(prior_samples=8192)
    x, y = task.sample(2000, generator(2))
    posterior = task.posterior(x)
    residual = (y.double() - posterior.mean) / posterior.sd
    assert abs(residual.mean().item()) < 0.1                  # unbiased
    assert 0.85 < residual.std().item() < 1.15                # the sd is the right size


def test_trajectory_quantiles_are_ordered_and_cover_the_data():
    task = ExpressionTask()
    band = task.trajectory_quantiles(torch.tensor([[[2.3, 4.1, 7.8, 6.2]]]), torch.tensor([0.0, 12.0, 24.0]))
    assert band.shape == (3, 3)
    assert (band[0] <= band[1]).all() and (band[1] <= band[2]).all()


def test_prior_is_seeded():
    prior = KineticPrior()
    assert torch.equal(prior.sample(5, generator(3)), prior.sample(5, generator(3)))


@pytest.mark.parametrize("kwargs, match", [
    ({"hours": (0.0, 6.0, 6.0)}, "increasing"),
    ({"hours": (0.0, 6.0), "target_hour": 6.0}, "after the last observation"),
    ({"cv": 0.0}, "positive noise"),
    ({"prior_samples": 10}, "prior_samples"),
])
def test_task_is_validated(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ExpressionTask(**kwargs)


@pytest.mark.parametrize("x, match", [
    (torch.ones(2, 4), "shape \\(N, 1, 4\\)"),
    (torch.ones(2, 1, 5), "shape \\(N, 1, 4\\)"),
    (torch.ones(0, 1, 4), "at least one"),
    (-torch.ones(1, 1, 4), "positive"),
])
def test_posterior_input_is_validated(x, match):
    with pytest.raises(ValueError, match=match):
        ExpressionTask().posterior(x)


def test_trajectory_quantiles_need_one_time_course():
    with pytest.raises(ValueError, match="one time course"):
        ExpressionTask().trajectory_quantiles(torch.ones(2, 1, 4), torch.tensor([1.0]))
