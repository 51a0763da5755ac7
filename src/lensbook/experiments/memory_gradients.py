"""The vanishing gradient seen directly, for the ``memory`` experiment (experiments/memory.py).

``||dh_T / dx_t||`` against ``T - t`` for fresh readers (two initialisations
of each model) and for the readers the curriculum trained.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import torch
from torch import nn

from .._validate import require
from ..models.lstm import LSTMReader
from ..models.rnn import RNNReader
from ..train import seeded


def gradient_profile(model: nn.Module, x: torch.Tensor) -> np.ndarray:
    """Mean over sequences of ``||dh_T / dx_t||`` (Frobenius norm), for ``t = T-1, ..., 0``.

    ``model`` is an ``RNNReader`` or ``LSTMReader`` (its recurrent layer is
    used); ``x`` is ``(N, 4, T)``. Entry ``k`` of the result is the distance
    ``T - 1 - t = k``. Float32: gradients below about 1e-38 come out as 0.
    """
    layer = model.rnn if isinstance(model, RNNReader) else model.lstm
    hidden, n = layer.hidden_size, x.shape[0]
    # one backward pass for the whole Jacobian: copy the batch once per hidden unit and
    # pull on unit j in copy j (the copies do not interact)
    inputs = x.transpose(1, 2).repeat(hidden, 1, 1).requires_grad_(True)  # (H * N, T, 4)
    out, _ = layer(inputs)                                         # (H * N, T, H)
    pick = torch.eye(hidden).repeat_interleave(n, dim=0)           # (H * N, H)
    (grad,) = torch.autograd.grad((out[:, -1] * pick).sum(), inputs)   # d h_T[j] / d x in copy j
    squares = grad.square().sum(dim=2).view(hidden, n, -1).sum(dim=0)  # (H * N, T, 4) -> (N, T)
    norms = squares.sqrt().mean(dim=0)                             # (T,)
    return norms.flip(0).numpy().astype(np.float64)                # index k = distance T - 1 - t


def decay_summary(profile: np.ndarray, fraction: float = 0.01) -> tuple[int | None, float | None]:
    """First distance where the gradient falls below ``fraction`` of its value at distance 0,
    and the steps per tenfold fall from a least-squares line through ``log10`` of the profile
    up to that distance (``None`` where it never falls that far)."""
    below = np.nonzero(profile < fraction * profile[0])[0]
    if len(below) == 0:
        return None, None
    k = int(below[0])
    slope = np.polyfit(np.arange(k + 1), np.log10(profile[:k + 1]), 1)[0]
    return k, float(-1.0 / slope) if slope < 0 else None


def _to_1_percent(profile: np.ndarray) -> int:
    k, _ = decay_summary(profile)
    return -1 if k is None else k


def _gap_level(profile: np.ndarray) -> float:
    """The median gradient over the gap's bases (distances 10 to ``T - 25``), unnormalised."""
    length = len(profile)
    return float(np.median(profile[10:length - 24])) if length - 24 > 10 else float("nan")


def _donor_gain(profile: np.ndarray) -> float:
    gap = _gap_level(profile)
    return float(profile[len(profile) - 20:].mean() / gap) if gap > 0 else float("nan")


@dataclass(frozen=True)
class GradientDecay:
    """``||dh_T/dx_t||`` against the distance ``T - t`` (``profiles[name][k]``, ``k = 0..T-1``).

    ``names``: the models, in drawing order; ``labels``: how the figure names
    them; the names ending in ``_trained`` were trained (the rest are at
    initialisation). The trained models drawn are seed ``seeds[0]``'s; every
    trained seed's profile is in ``seed_profiles[name]`` ``(S, T)`` (``name``
    is ``"rnn_trained"`` or ``"lstm_trained"``).

    Summaries, computed from the profiles: ``to_1_percent[name]``, the first
    distance where the gradient is below 1% of its value at distance 0 (-1 if
    never within ``length``); ``per_decade[name]``, steps per tenfold fall, from
    a line fitted up to that distance (nan if it never falls that far);
    ``gap_level[name]``, the median gradient over the gap's bases (distances 10
    to ``T - 25``) relative to distance 0; and per trained seed
    ``seed_to_1_percent``, ``seed_gap_level`` and ``seed_donor_gain`` (the mean
    gradient over the donor window, the first 20 bases, over the gap's median).
    Float32: a gradient below about 1e-38 is 0, so a gap level can be exactly
    0 and its donor gain nan.
    """

    names: tuple[str, ...]
    labels: dict[str, str]
    profiles: dict[str, np.ndarray]
    seeds: tuple[int, ...]
    seed_profiles: dict[str, np.ndarray]

    @property
    def trained(self) -> dict[str, bool]:
        """Which models were trained (the rest are at initialisation)."""
        return {name: name.endswith("_trained") for name in self.names}

    @property
    def length(self) -> int:
        """``T``, the length of the sequences."""
        return len(self.profiles[self.names[0]])

    @property
    def to_1_percent(self) -> dict[str, int]:
        return {name: _to_1_percent(p) for name, p in self.profiles.items()}

    @property
    def per_decade(self) -> dict[str, float]:
        return {name: float("nan") if (d := decay_summary(p)[1]) is None else d for name, p in self.profiles.items()}

    @property
    def gap_level(self) -> dict[str, float]:
        return {name: _gap_level(p) / float(p[0]) for name, p in self.profiles.items()}

    @property
    def seed_to_1_percent(self) -> dict[str, tuple[int, ...]]:
        return {name: tuple(_to_1_percent(p) for p in ps) for name, ps in self.seed_profiles.items()}

    @property
    def seed_gap_level(self) -> dict[str, tuple[float, ...]]:
        return {name: tuple(_gap_level(p) / float(p[0]) for p in ps) for name, ps in self.seed_profiles.items()}

    @property
    def seed_donor_gain(self) -> dict[str, tuple[float, ...]]:
        return {name: tuple(_donor_gain(p) for p in ps) for name, ps in self.seed_profiles.items()}

    def faded(self, name: str) -> tuple[int, ...]:
        """The trained seeds whose gradient falls below 1% of its most recent value within the sequence."""
        return tuple(s for s, k in zip(self.seeds, self.seed_to_1_percent[name]) if k >= 0)

    def kept(self, name: str) -> tuple[int, ...]:
        """The trained seeds whose gradient never falls below 1% of its most recent value."""
        return tuple(s for s, k in zip(self.seeds, self.seed_to_1_percent[name]) if k < 0)

    def seed_index(self, seed: int) -> int:
        """Where ``seed`` sits in the ``seed_*`` tuples."""
        return self.seeds.index(seed)


def gradient_decay(trained: dict[str, list[nn.Module]], x: torch.Tensor, seeds: tuple[int, ...]) -> GradientDecay:
    """Gradient profiles of fresh readers (two initialisations each) and of the trained ones, on ``x``.

    ``trained["rnn"]`` holds one trained ``RNNReader`` per seed of ``seeds``,
    ``trained["lstm"]`` one ``LSTMReader``; the first of each is drawn. The
    fresh readers have the trained ones' sizes and are initialised with seed
    ``seeds[0]``: the RNN with PyTorch's default and with orthogonal ``W_h``,
    the LSTM with forget bias 0 and with the trained LSTM's.
    """
    seeds = tuple(seeds)
    require(len(seeds) >= 1 and all(len(trained[k]) == len(seeds) for k in ("rnn", "lstm")), "trained",
            trained, f"one model per seed of {seeds} for 'rnn' and 'lstm'")
    rnn, lstm = trained["rnn"][0].config, trained["lstm"][0].config
    fresh = {}
    for name, config, reader in (("rnn_default", replace(rnn, init="default"), RNNReader),
                                 ("rnn_orthogonal", replace(rnn, init="orthogonal"), RNNReader),
                                 ("lstm_bias_0", replace(lstm, forget_bias=0.0), LSTMReader),
                                 ("lstm_bias_used", lstm, LSTMReader)):
        with seeded(seeds[0]):
            fresh[name] = reader(config)
    labels = {"rnn_default": "RNN, PyTorch's default init",
              "rnn_orthogonal": "RNN, orthogonal W_h (trained from here)",
              "lstm_bias_0": "LSTM, forget bias 0",
              "lstm_bias_used": f"LSTM, forget bias {lstm.forget_bias:g} (trained from here)",
              "rnn_trained": "RNN after training", "lstm_trained": "LSTM after training"}
    models = {**fresh, "rnn_trained": trained["rnn"][0], "lstm_trained": trained["lstm"][0]}
    profiles = {name: gradient_profile(model, x) for name, model in models.items()}
    seed_profiles = {f"{kind}_trained": np.stack([profiles[f"{kind}_trained"]]
                                                 + [gradient_profile(m, x) for m in trained[kind][1:]])
                     for kind in ("rnn", "lstm")}
    return GradientDecay(names=tuple(models), labels=labels, profiles=profiles, seeds=seeds,
                         seed_profiles=seed_profiles)
