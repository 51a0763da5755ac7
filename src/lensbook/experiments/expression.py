"""The expression example of docs/rnn.md (section 4.2): hour 24 from hours 0, 6, 12 and 18.

Small tanh RNNs are trained on trajectories of the kinetic model of
``lensbook.tasks.expression``, each with a fresh batch per step. Each network
reads log-expression and answers with a mean and a variance for the log of
the next measurement (trained by the Gaussian negative log-likelihood, Nix &
Weigend 1994, doi:10.1109/ICNN.1994.374138), a log-normal prediction that is
turned back into a mean and sd of expression; so it says how sure it is.
Several seeds form a deep ensemble (Lakshminarayanan et al. 2017, arXiv:1612.01474), whose spread
adds the networks' disagreement. The oracle is the posterior predictive under
the generating model, estimated by self-normalised importance sampling.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from .. import metrics
from ..models.rnn import RNNConfig, RNNReader
from ..tasks.expression import ExpressionTask
from ..train import seeded, train
from .registry import experiment

#: The manuscript's example: expression at hours 0, 6, 12, 18.
MANUSCRIPT_INPUT = (2.3, 4.1, 7.8, 6.2)
#: The manuscript's illustrative prediction for hour 24.
MANUSCRIPT_GUESS = 5.5


def _split(out: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """A network's ``(N, 2)`` output -> mean ``(N,)`` and variance ``(N,)`` of the log (softplus, floored)."""
    return out[:, 0], F.softplus(out[:, 1]) + 1e-4


def gaussian_loss(out: torch.Tensor, log_y: torch.Tensor) -> torch.Tensor:
    """Gaussian negative log-likelihood of ``log y`` under the network's mean and variance."""
    mean, var = _split(out)
    return F.gaussian_nll_loss(mean, log_y, var)


def forecast(model: RNNReader, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean and sd of the next measurement predicted for time courses ``x`` ``(N, 1, L)``.

    The network's log-normal answer ``log y ~ N(m, v)`` becomes ``E[y] =
    exp(m + v/2)`` and ``sd[y] = E[y] sqrt(exp(v) - 1)``.
    """
    was = model.training
    model.eval()
    try:
        with torch.no_grad():
            m, v = _split(model(x.log()))                          # the network reads log-expression
    finally:
        model.train(was)
    mean = torch.exp(m + v / 2)
    return mean, mean * torch.sqrt(torch.expm1(v))


@dataclass(frozen=True)
class ExpressionForecast:
    """The networks and the oracle on the manuscript's input and on a test set.

    ``member_mean``/``member_sd``: each seed's prediction for the manuscript's
    input; ``ensemble_*``: their equal mixture (mean of means; sd from the
    mean variance plus the variance of the means). ``oracle_*``: posterior
    predictive mean and sd, estimated by self-normalised importance sampling
    over ``oracle_draws`` prior draws (``oracle_ess``: the effective sample
    size of the weights for the manuscript's input). ``*_r2``: R² on ``test_size`` fresh time courses;
    ``last_value_r2`` predicts hour 24 by hour 18. ``band_*``: the posterior's
    5%, 50% and 95% quantiles of the noise-free trajectory at ``band_hours``.
    ``guess_within``: whether the manuscript's 5.5 lies within one sd of the
    ensemble's (``"ensemble"``) and of the oracle's (``"oracle"``) answer.
    """

    hours: tuple[float, ...]
    target_hour: float
    query: tuple[float, ...]
    manuscript_guess: float
    seeds: tuple[int, ...]
    member_mean: tuple[float, ...]
    member_sd: tuple[float, ...]
    oracle_mean: float
    oracle_sd: float
    oracle_ess: float
    oracle_draws: int
    member_r2: tuple[float, ...]
    ensemble_r2: float
    oracle_r2: float
    last_value_r2: float
    band_hours: tuple[float, ...]
    band_low: tuple[float, ...]
    band_mid: tuple[float, ...]
    band_high: tuple[float, ...]
    examples: tuple[tuple[float, ...], ...]
    steps: int
    batch: int
    hidden: int
    test_size: int
    cv: float

    @property
    def n_seeds(self) -> int:
        return len(self.seeds)

    @property
    def ensemble_mean(self) -> float:
        """The ensemble's mean: the mean of the members' means."""
        return float(np.mean(self.member_mean))

    @property
    def ensemble_sd(self) -> float:
        """The ensemble's sd: from the members' mean variance plus the variance of their means."""
        return float(np.sqrt((np.array(self.member_sd) ** 2).mean() + np.var(self.member_mean)))

    @property
    def guess_within(self) -> dict[str, bool]:
        """Whether the manuscript's guess lies within one sd of the ensemble's and of the oracle's answer."""
        return {name: bool(abs(self.manuscript_guess - mean) <= sd) for name, mean, sd in
                (("ensemble", self.ensemble_mean, self.ensemble_sd), ("oracle", self.oracle_mean, self.oracle_sd))}


def run_expression(seeds: tuple[int, ...] = (0, 1, 2), steps: int = 250, batch: int = 128,
                   hidden: int = 16, lr: float = 1e-2, test_size: int = 500) -> ExpressionForecast:
    """Train one RNN per seed on fresh trajectories, then predict hour 24 for the manuscript's input."""
    task = ExpressionTask()
    query = torch.tensor(MANUSCRIPT_INPUT, dtype=torch.float32)[None, None, :]  # (1, 1, 4)
    x_test, y_test = task.sample(test_size, torch.Generator().manual_seed(2024))

    def sample(generator: torch.Generator, step: int) -> tuple[torch.Tensor, torch.Tensor]:
        x, y = task.sample(batch, generator)
        return x.log(), y.log()                                    # log-expression in and out

    means, sds, r2s, test_means = [], [], [], []
    for seed in seeds:
        with seeded(seed):
            model = RNNReader(RNNConfig(channels=1, hidden=hidden, outputs=2))
        settle = steps // 4
        train(model, sample, gaussian_loss, steps=steps - settle, lr=lr, clip=1.0, seed=seed)
        train(model, sample, gaussian_loss, steps=settle, lr=lr / 5, clip=1.0, seed=seed + 500)
        mean, sd = forecast(model, query)
        means.append(float(mean))
        sds.append(float(sd))
        test_mean, _ = forecast(model, x_test)
        test_means.append(test_mean)
        r2s.append(metrics.r2(test_mean, y_test))
    posterior = task.posterior(query.double())
    grid = torch.arange(0.0, task.target_hour + 1.0, 1.0, dtype=torch.float64)
    band = task.trajectory_quantiles(query, grid)                  # (3, T): 5%, 50%, 95%
    _, examples = task.simulate(4, torch.Generator().manual_seed(11))
    return ExpressionForecast(
        hours=task.hours, target_hour=task.target_hour, query=MANUSCRIPT_INPUT,
        manuscript_guess=MANUSCRIPT_GUESS, seeds=tuple(seeds), member_mean=tuple(means), member_sd=tuple(sds),
        oracle_mean=float(posterior.mean[0]), oracle_sd=float(posterior.sd[0]),
        oracle_ess=float(posterior.ess[0]), oracle_draws=task.prior_samples,
        member_r2=tuple(r2s), ensemble_r2=metrics.r2(torch.stack(test_means).mean(0), y_test),
        oracle_r2=metrics.r2(task.oracle(x_test), y_test), last_value_r2=metrics.r2(x_test[:, 0, -1], y_test),
        band_hours=tuple(grid.tolist()), band_low=tuple(band[0].tolist()), band_mid=tuple(band[1].tolist()),
        band_high=tuple(band[2].tolist()), examples=tuple(tuple(row) for row in examples.tolist()),
        steps=steps, batch=batch, hidden=hidden, test_size=test_size, cv=task.cv,
    )


@experiment("expression_forecast")
def expression_forecast() -> ExpressionForecast:
    """The build's expression example: three RNNs, 250 steps of 128 trajectories each."""
    return run_expression()
