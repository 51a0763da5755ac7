"""The lens matrix's records (docs/choosing.md): one lens on one task, and how cells are compared.

A ``Cell`` holds one lens's scores on one task, one per seed, next to the
oracle's on the same test set; its 95% interval is a t-interval of the mean
over seeds (``t_quantile``). ``verdict`` names the best lens of a task only
when its interval does not overlap the second's; otherwise it reads
"undetermined".

Learning curves (``Curve``) train three seeds on nested prefixes of the same
training set, smaller than the cell's, and put the training-set score beside
the test score; their largest point is the cell itself.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .._validate import require

#: Display names of the lenses.
LABELS = {"fully-connected": "Fully connected", "cnn": "CNN", "lstm": "LSTM", "transformer": "Transformer"}

#: Two-sided 95% quantiles of Student's t, by degrees of freedom (for ``Cell.interval``).
_T975 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262,
         10: 2.228, 15: 2.131, 20: 2.086, 30: 2.042}


def t_quantile(df: int) -> float:
    """The 0.975 quantile of Student's t with ``df`` degrees of freedom (table; conservative between rows)."""
    require(isinstance(df, int) and df >= 1, "df", df, "an int >= 1")
    return _T975[max(k for k in _T975 if k <= df)] if df <= 30 else 1.96


@dataclass(frozen=True)
class Cell:
    """One lens on one task.

    ``scores`` holds the test score of each seed (scored once, after
    training); ``val_scores`` the best validation score of each seed;
    ``steps`` the steps each seed trained (early stopping) and ``best_steps``
    the step of its kept checkpoint; ``lr`` the learning rate chosen on seed 0's
    validation score from ``grid`` (``(lr, validation score)`` pairs);
    ``oracle`` the oracle's score on the same test set; ``flops`` the training
    cost of one seed (one step's forward and backward pass, counted, times the
    mean number of steps the seeds trained).
    """

    task: str
    architecture: str
    metric: str
    scores: tuple[float, ...]
    oracle: float
    parameters: int
    flops: int
    val_scores: tuple[float, ...] = ()
    steps: tuple[int, ...] = ()
    best_steps: tuple[int, ...] = ()
    lr: float = float("nan")
    grid: tuple[tuple[float, float], ...] = ()
    train_scores: tuple[float, ...] = ()
    traces: tuple[tuple[float, ...], ...] = ()
    #: Tasks with distance bands (``task.band_edges``): each seed's test score per band, and the oracle's.
    band_scores: tuple[tuple[float, ...], ...] = ()
    oracle_bands: tuple[float, ...] = ()

    @property
    def mean_bands(self) -> tuple[float, ...]:
        """Per distance band, the mean test score over seeds (empty for a task without bands)."""
        return tuple(float(v) for v in np.mean(self.band_scores, axis=0)) if self.band_scores else ()

    @property
    def mean(self) -> float:
        """Mean score over seeds."""
        return float(np.mean(self.scores))

    @property
    def sd(self) -> float:
        """Standard deviation of the score over seeds (ddof 1; 0 for one seed)."""
        return float(np.std(self.scores, ddof=1)) if len(self.scores) > 1 else 0.0

    @property
    def half_width(self) -> float:
        """Half the width of the 95% interval of the mean: ``t(0.975, n - 1) * sd / sqrt(n)`` (0 for one seed)."""
        n = len(self.scores)
        return t_quantile(n - 1) * self.sd / math.sqrt(n) if n > 1 else 0.0

    @property
    def interval(self) -> tuple[float, float]:
        """The 95% t-interval of the mean score over seeds, ``(low, high)``."""
        return self.mean - self.half_width, self.mean + self.half_width

    @property
    def fraction(self) -> float:
        """Mean score as a fraction of the oracle's score."""
        return self.mean / self.oracle

    @property
    def label(self) -> str:
        """The lens's display name ("Fully connected", "CNN", ...)."""
        return LABELS[self.architecture]


@dataclass(frozen=True)
class Curve:
    """A learning curve: one lens on one task, trained on nested fixed training sets.

    ``sizes`` are the training-set sizes, increasing; the sets are prefixes
    of the task's fixed training set, so each holds the smaller ones, and the
    largest is the matrix cell's own training set (its points are the cell's
    own seeds, ``CURVE_SEEDS`` in the build, not a second training). ``test[i]`` and
    ``train[i]`` hold each seed's score at ``sizes[i]`` on the test set and on
    its own training set.
    """

    task: str
    architecture: str
    sizes: tuple[int, ...]
    test: tuple[tuple[float, ...], ...]
    train: tuple[tuple[float, ...], ...]
    oracle: float

    @property
    def mean_test(self) -> np.ndarray:
        """Mean test score at each size, ``(len(sizes),)``."""
        return np.array([np.mean(s) for s in self.test])

    @property
    def mean_train(self) -> np.ndarray:
        """Mean training-set score at each size, ``(len(sizes),)``."""
        return np.array([np.mean(s) for s in self.train])

    @property
    def gap(self) -> np.ndarray:
        """Mean training score minus mean test score at each size (memorisation shows as a large gap)."""
        return self.mean_train - self.mean_test

    def data_needed(self, fraction: float = 0.9) -> int | None:
        """The smallest size whose mean test score reaches ``fraction`` of the oracle's, or None."""
        for size, score in zip(self.sizes, self.mean_test):
            if score >= fraction * self.oracle:
                return int(size)
        return None

    @property
    def label(self) -> str:
        """The lens's display name."""
        return LABELS[self.architecture]


def overlap(a: tuple[float, float], b: tuple[float, float]) -> bool:
    """Do two closed intervals ``(low, high)`` overlap?"""
    return a[0] <= b[1] and b[0] <= a[1]


def verdict(cells: Sequence[Cell]) -> str:
    """The lens a task's measurement names, or ``"undetermined"``.

    The cell with the highest mean is named only when its 95% interval does
    not overlap the interval of the second-highest mean; otherwise the
    measurement cannot tell the two apart, and the verdict is
    ``"undetermined"``. One cell names itself.
    """
    require(len(cells) >= 1, "cells", cells, "at least one cell")
    ranked = sorted(cells, key=lambda c: c.mean, reverse=True)
    if len(ranked) > 1 and overlap(ranked[0].interval, ranked[1].interval):
        return "undetermined"
    return ranked[0].architecture

