"""Gene expression after T-cell activation: a simple kinetic model with noise (docs/rnn.md).

The model, one trajectory per simulated culture
-----------------------------------------------
At hour 0 the T-cell receptor is stimulated. Its signal rises and falls, a
pulse that peaks ``tau`` hours after stimulation:

    s(t) = (t / tau) * exp(1 - t / tau)

An activation-induced gene's mRNA ``m`` is made at a basal rate, plus a rate
proportional to the signal, and decays at rate ``gamma`` (per hour):

    dm/dt = gamma * b + k * s(t) - gamma * m,      m(0) = b

so ``b`` is the resting level and ``k`` the strength of induction. The
solution has a closed form (``mean_expression``). Each culture draws its own
parameters from log-normal priors (``KineticPrior``), and each measurement
carries log-normal noise with coefficient of variation about ``cv``
(``x = m * exp(e)``, ``e ~ N(0, cv^2)``), the usual shape of expression noise.

The manuscript's input, 2.3, 4.1, 7.8, 6.2 at hours 0, 6, 12, 18, is a
typical draw from this model; its "~5.5" at hour 24 is illustrative.

The oracle
----------
``ExpressionTask.posterior`` computes the posterior predictive of the next
measurement given the observed ones by importance sampling: a fixed sample of
``prior_samples`` parameter sets from the prior (drawn once per ``seed``),
weighted by the likelihood of the observations. ``oracle(x)`` is its mean,
``E[y | x]``: the best prediction under squared error, up to Monte Carlo error
(the effective sample size of the weights is reported by ``posterior``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from typing import ClassVar, NamedTuple

import torch

from .._validate import require, require_sequences


@dataclass(frozen=True)
class KineticPrior:
    """Log-normal priors of the kinetic parameters: ``(median, sd of the log)`` each.

    Defaults: resting level ``b`` 2 (units of expression), induction ``k`` 1.5
    per hour, signal peak ``tau`` 8 h, mRNA decay ``gamma`` 0.2 per hour (a
    half-life of about 3.5 h).
    """

    b: tuple[float, float] = (2.0, 0.3)
    k: tuple[float, float] = (1.5, 0.5)
    tau: tuple[float, float] = (8.0, 0.3)
    gamma: tuple[float, float] = (0.2, 0.4)

    def sample(self, n: int, generator: torch.Generator) -> torch.Tensor:
        """``(n, 4)`` float64 draws of ``(b, k, tau, gamma)``."""
        medians = torch.tensor([self.b[0], self.k[0], self.tau[0], self.gamma[0]], dtype=torch.float64)
        sds = torch.tensor([self.b[1], self.k[1], self.tau[1], self.gamma[1]], dtype=torch.float64)
        z = torch.randn(n, 4, generator=generator, dtype=torch.float64)
        return medians * torch.exp(sds * z)


def mean_expression(hours: torch.Tensor, params: torch.Tensor) -> torch.Tensor:
    """The noise-free trajectory ``m(t)`` of the kinetic model, in closed form.

    Parameters
    ----------
    hours : torch.Tensor, shape (T,)
        Times after stimulation, in hours (>= 0).
    params : torch.Tensor, shape (n, 4)
        ``(b, k, tau, gamma)`` per trajectory.

    Returns
    -------
    torch.Tensor, shape (n, T)
        ``m(t) = b + k e / tau * exp(-gamma t) * J(t)`` with
        ``J(t) = (1 - exp(-a t)(1 + a t)) / a^2`` and ``a = 1/tau - gamma``
        (``J -> t^2 / 2`` as ``a -> 0``).
    """
    t = hours.to(torch.float64)[None, :]                           # (1, T)
    b, k, tau, gamma = (params[:, i:i + 1].to(torch.float64) for i in range(4))  # 4 x (n, 1)
    a = 1.0 / tau - gamma
    at = a * t                                                     # (n, T)
    safe = torch.where(a.abs() < 1e-6, torch.full_like(a, 1e-6), a)
    series = t ** 2 / 2 - a * t ** 3 / 3 + a ** 2 * t ** 4 / 8     # small |a t|: Taylor series
    exact = (1 - torch.exp(-safe * t) * (1 + safe * t)) / safe ** 2
    J = torch.where(at.abs() < 1e-3, series, exact)
    return b + k * math.e / tau * torch.exp(-gamma * t) * J         # (n, T)


class Posterior(NamedTuple):
    """Posterior predictive of the next measurement, each ``(n,)`` float64."""

    mean: torch.Tensor
    sd: torch.Tensor
    ess: torch.Tensor


@lru_cache(maxsize=8)
def _prior_draws(prior: KineticPrior, n: int, seed: int) -> torch.Tensor:
    return prior.sample(n, torch.Generator().manual_seed(seed))


@dataclass(frozen=True)
class ExpressionTask:
    """Predict the next measurement of an expression time course (the ``Task`` protocol).

    Parameters
    ----------
    hours : tuple of float, optional
        Observed times, increasing, from 0. Default is (0, 6, 12, 18), the
        manuscript's example.
    target_hour : float, optional
        The time to predict, after the last observation. Default is 24.
    cv : float, optional
        Measurement noise: standard deviation of the log. Default is 0.15.
    prior : KineticPrior, optional
        Priors of the kinetic parameters.
    prior_samples : int, optional
        Parameter draws for the oracle's importance sampling. Default is 32768.
    seed : int, optional
        Seeds the oracle's draws. Default is 0.

    Attributes
    ----------
    name, target, channels, length
        ``"next-step"``, ``"regression"``, 1 and ``len(hours)``: inputs are
        ``(n, 1, L)``, one measurement per time point.
    """

    hours: tuple[float, ...] = (0.0, 6.0, 12.0, 18.0)
    target_hour: float = 24.0
    cv: float = 0.15
    prior: KineticPrior = field(default_factory=KineticPrior)
    prior_samples: int = 32768
    seed: int = 0

    name: ClassVar[str] = "next-step"
    target: ClassVar[str] = "regression"
    channels: ClassVar[int] = 1

    def __post_init__(self) -> None:
        hours = tuple(float(h) for h in self.hours)
        require(len(hours) >= 1 and hours[0] >= 0 and all(b > a for a, b in zip(hours, hours[1:])),
                "hours", self.hours, "at least one time, increasing, from 0 or later")
        object.__setattr__(self, "hours", hours)
        require(float(self.target_hour) > hours[-1], "target_hour", self.target_hour,
                f"a time after the last observation ({hours[-1]:g} h)")
        require(self.cv > 0, "cv", self.cv, "a positive noise level")
        require(isinstance(self.prior_samples, int) and self.prior_samples >= 100, "prior_samples",
                self.prior_samples, "an int >= 100")

    @property
    def length(self) -> int:
        """``L``, the number of observed time points."""
        return len(self.hours)

    def _times(self) -> torch.Tensor:
        return torch.tensor([*self.hours, self.target_hour], dtype=torch.float64)

    def simulate(self, n: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        """``n`` cultures: parameters ``(n, 4)`` and noisy measurements ``(n, L + 1)`` float64."""
        require(isinstance(n, int) and n >= 1, "n", n, "an int >= 1")
        params = self.prior.sample(n, generator)
        m = mean_expression(self._times(), params)                 # (n, L + 1)
        noise = self.cv * torch.randn(m.shape, generator=generator, dtype=torch.float64)
        return params, m * torch.exp(noise)

    def sample(self, n: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        """A fresh batch: ``x`` ``(n, 1, L)`` float32 and ``y`` ``(n,)``, the value at ``target_hour``."""
        _, values = self.simulate(n, generator)
        return values[:, None, :-1].float(), values[:, -1].float()  # (n, L + 1) -> (n, 1, L), (n,)

    def posterior(self, x: torch.Tensor) -> Posterior:
        """Posterior predictive mean and sd of the next measurement given ``x`` ``(n, 1, L)``.

        Importance sampling with the prior as proposal: weight ``w_s`` of draw
        ``s`` is the likelihood of the observed log-values; the prediction of
        draw ``s`` is ``m_s(T) exp(cv^2 / 2)`` (the mean of the log-normal
        noise), and the sd includes the noise of the next measurement.
        """
        require_sequences(x, channels=1, length=self.length)
        require(bool((x > 0).all()), "x", x.min(), "positive expression values (the noise is log-normal)")
        draws = _prior_draws(self.prior, self.prior_samples, self.seed)
        m = mean_expression(self._times(), draws)                  # (S, L + 1)
        log_m = m[:, :-1].log().float()                            # (S, L)
        half_sq = (log_m ** 2).sum(1) / 2                          # (S,)
        moments = torch.stack([m[:, -1], m[:, -1] ** 2], dim=1).float()  # (S, 2): m(T), m(T)^2
        means, seconds, ess = [], [], []
        for chunk in x[:, 0].float().log().split(512):             # (n, 1, L) -> chunks of (c, L)
            # log-likelihood up to a per-row constant: -|log x - log m|^2 / (2 cv^2)
            w = torch.softmax((chunk @ log_m.T - half_sq) / self.cv ** 2, dim=1)  # (c, S)
            first_second = (w @ moments).double()                  # (c, S) @ (S, 2) -> (c, 2)
            means.append(first_second[:, 0] * math.exp(self.cv ** 2 / 2))
            seconds.append(first_second[:, 1] * math.exp(2 * self.cv ** 2))
            ess.append(1.0 / w.square().sum(1).double())
        mean, second = torch.cat(means), torch.cat(seconds)
        sd = (second - mean ** 2).clamp_min(0).sqrt()
        return Posterior(mean, sd, torch.cat(ess))

    def oracle(self, x: torch.Tensor) -> torch.Tensor:
        """``E[y | x]`` under the generating model, ``(n,)`` float32 (see ``posterior``)."""
        return self.posterior(x).mean.float()

    def trajectory_quantiles(self, x: torch.Tensor, hours: torch.Tensor,
                             quantiles: tuple[float, ...] = (0.05, 0.5, 0.95)) -> torch.Tensor:
        """Posterior quantiles of the noise-free trajectory ``m(t)`` given one time course.

        Parameters
        ----------
        x : torch.Tensor, shape (1, 1, L)
            The observed time course.
        hours : torch.Tensor, shape (T,)
            Where to evaluate ``m(t)``.
        quantiles : tuple of float, optional
            Default is (0.05, 0.5, 0.95).

        Returns
        -------
        torch.Tensor, shape (len(quantiles), T)
        """
        require_sequences(x, channels=1, length=self.length)
        require(x.shape[0] == 1, "x", tuple(x.shape), f"one time course, shape (1, 1, {self.length})")
        require(bool((x > 0).all()), "x", x.min(), "positive expression values (the noise is log-normal)")
        draws = _prior_draws(self.prior, self.prior_samples, self.seed)
        log_m = mean_expression(torch.tensor(self.hours), draws).log()          # (S, L)
        log_lik = -((log_m - x[0, 0].double().log()) ** 2).sum(1) / (2 * self.cv ** 2)
        weights = torch.softmax(log_lik, dim=0)                                  # (S,)
        values = mean_expression(hours, draws)                                   # (S, T)
        order = values.argsort(dim=0)                                            # (S, T)
        cumulative = weights[order].cumsum(dim=0).T.contiguous()                # (T, S)
        out = []
        for q in quantiles:
            rank = torch.searchsorted(cumulative, torch.full((values.shape[1], 1), q, dtype=torch.float64))
            rank = rank.clamp_max(values.shape[0] - 1).T                         # (1, T)
            out.append(values.gather(0, order.gather(0, rank))[0])               # (T,)
        return torch.stack(out)


#: A time course every 2 h from hour 0 to 22 (then predict hour 24).
EVERY_TWO_HOURS = tuple(float(h) for h in range(0, 24, 2))


def every_two_hours_task(seed: int = 0) -> ExpressionTask:
    """Hour 24 from measurements every 2 hours: the "time-series next-step" task (docs/choosing.md).

    Twelve measurements, every 2 hours from hour 0 to 22, of the kinetic model
    above; predict the measurement at hour 24. ``x`` is ``(n, 1, 12)``, ``y``
    ``(n,)``, in expression units (positive, roughly 1 to 20). ``seed`` seeds
    the oracle's prior draws, so ``oracle`` is deterministic for a given seed.
    """
    return ExpressionTask(hours=EVERY_TWO_HOURS, target_hour=24.0, seed=seed)
