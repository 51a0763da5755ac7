"""The ``bidirectional`` experiment of docs/lstm.md (section 4.3, "Bidirectional LSTMs").

One-way against two-way LSTM taggers on ``DonorBoundaryTask``, with the
same budget for both: the same features per position, steps, batch and
learning rate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from ..models.lstm import LSTMConfig, LSTMTagger
from ..tasks.memory import DonorBoundaryTask
from ..train import seeded, train
from .registry import experiment


@dataclass(frozen=True)
class BoundaryResult:
    """One-way against two-way LSTM taggers on ``DonorBoundaryTask``, the same budget.

    Accuracies are at candidate positions (each ``CAG`` end, where the label is
    in question), per seed. ``donor_fraction``: the share of candidates that
    are boundaries; ``majority`` answers "no" at every candidate (the best rule
    that ignores what follows, up to faint positional cues), ``oracle`` the
    rule itself (1.0). The two-way LSTM has ``hidden_uni // 2`` units per
    direction, so both give ``hidden_uni`` features per position.
    """

    seeds: tuple[int, ...]
    uni: tuple[float, ...]
    bi: tuple[float, ...]
    donor_fraction: float
    steps: int
    batch: int
    length: int
    hidden_uni: int
    params_uni: int
    params_bi: int

    @property
    def n_seeds(self) -> int:
        return len(self.seeds)

    @property
    def hidden_bi(self) -> int:
        return self.hidden_uni // 2

    @property
    def majority(self) -> float:
        return max(self.donor_fraction, 1 - self.donor_fraction)

    @property
    def oracle(self) -> float:
        return 1.0

    @property
    def uni_mean(self) -> float:
        return float(np.mean(self.uni))

    @property
    def bi_mean(self) -> float:
        return float(np.mean(self.bi))


def boundary_tagging(seeds: tuple[int, ...] = (0, 1, 2), steps: int = 150, batch: int = 32,
                     hidden: int = 32, lr: float = 2e-2, length: int = 32, sites: int = 2,
                     test_size: int = 512) -> BoundaryResult:
    """Train a one-way LSTM (``hidden`` units) and a two-way LSTM (``hidden // 2`` per direction,
    so both give ``hidden`` features per position) per seed with the same steps, batch and lr."""
    task = DonorBoundaryTask(length=length, sites=sites)
    x, y = task.sample(test_size, torch.Generator().manual_seed(4242))
    candidates = task.candidates(x)
    accuracy: dict[bool, list[float]] = {False: [], True: []}
    params = {}
    for bidirectional in (False, True):
        for seed in seeds:
            size = hidden // 2 if bidirectional else hidden
            with seeded(seed):
                model = LSTMTagger(LSTMConfig(hidden=size, outputs=1, bidirectional=bidirectional))
            params[bidirectional] = sum(p.numel() for p in model.parameters())
            train(model, lambda g, step: task.sample(batch, g),
                  lambda out, target: F.binary_cross_entropy_with_logits(out[:, 0], target),
                  steps=steps, lr=lr, clip=1.0, seed=seed)
            model.eval()
            with torch.no_grad():
                predicted = (model(x)[:, 0] > 0).float()           # (N, 1, L) -> (N, L)
            model.train()
            correct = predicted == y
            accuracy[bidirectional].append(float(correct[candidates].float().mean()))
    return BoundaryResult(
        seeds=tuple(seeds), uni=tuple(accuracy[False]), bi=tuple(accuracy[True]),
        donor_fraction=float(y[candidates].mean()), steps=steps, batch=batch, length=task.length,
        hidden_uni=hidden, params_uni=params[False], params_bi=params[True],
    )


@experiment("bidirectional")
def bidirectional() -> BoundaryResult:
    """The build's two-way experiment: three seeds each, 150 steps of 32 sequences of 32 bases."""
    return boundary_tagging()
