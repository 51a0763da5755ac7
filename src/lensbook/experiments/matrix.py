"""The lens matrix: every lens trained on every task to a plateau (docs/choosing.md).

The manuscript (section 4.5) says which lens fits which data. Here that advice
is measured: the four lenses of ``lensbook.models.lenses`` are trained on four
synthetic tasks whose oracle is known,

* ``local-motif``: one JASPAR motif (GATA5) planted or not in 200 bp
  (``lensbook.tasks.motif``);
* ``motif-pair``: two motifs within 100 bp, or not (``lensbook.tasks.pair``,
  the manuscript's question 1);
* ``next-step``: an expression time course, predict the next measurement
  (``lensbook.tasks.expression``);
* ``long-range``: two enhancers upstream of a promoter; does the nearer one
  suit the promoter? (``lensbook.tasks.compat``).

The protocol (``Protocol``, ``PROTOCOLS``): each task's training, validation
and test sets are drawn once, from fixed seeds. Every lens trains on the
training set with early stopping on the validation score (best checkpoint
kept), at a learning rate chosen from a small grid on seed 0's validation
score only; the other seeds train at that rate. The test set is drawn and
scored once, after all training and selection. Every cell records each
seed's test score (AUROC for a binary task, R² for the regression task), the
oracle's score on the same test set, a 95% t-interval of the mean over seeds,
the parameter count and the training cost in FLOPs, counted by
``torch.utils.flop_counter`` (a count, not a timing, so two builds give the
same table). ``verdict`` names the best lens only when its interval does not
overlap the second's; otherwise it reads "undetermined". Wall-clock seconds
are measured by ``bench_matrix`` for ``make bench`` only.

Learning curves (``Curve``) train three seeds on nested prefixes of the same
training set, smaller than the cell's, and put the training-set score beside
the test score; their largest point is the cell itself.

The same run also keeps what the three lenses see on one sequence of the
motif-pair task (``LensView``), for the figure on the chapter's opening page:
seed 0's models of the matrix, not a second training.
"""

from __future__ import annotations

import copy
import math
import multiprocessing
import os
import time
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from .. import metrics
from .._validate import require
from ..models import parameter_count
from ..models.lenses import ARCHITECTURES, LensConfig, build
from ..tasks import compat, expression, motif, pair
from ..tasks.base import Task
from ..train import evaluating, seeded
from .registry import experiment

#: The task constructors of the matrix, by task name, in the order the tables show them.
TASKS: dict[str, Callable[[int], Task]] = {
    "local-motif": motif.gata_task,
    "motif-pair": pair.pu1_cebpb_task,
    "next-step": expression.every_two_hours_task,
    "long-range": compat.nearer_enhancer_task,
}
#: What the manuscript recommends for each task (section 4.5, quick reference and decision framework).
MANUSCRIPT_PICK: dict[str, tuple[str, ...]] = {
    "local-motif": ("cnn",),                # "Find TF binding motifs: CNN"
    "motif-pair": ("cnn", "lstm"),          # local patterns -> CNN; a 50-500 position dependency -> LSTM
    "next-step": ("lstm",),                 # "Predict next time point in trajectory: LSTM"
    "long-range": ("transformer",),         # "Find enhancer-promoter pairs: Transformer"
}
#: Display names of the lenses.
LABELS = {"fully-connected": "Fully connected", "cnn": "CNN", "lstm": "LSTM", "transformer": "Transformer"}
#: Seeds of each cell: seed 0 picks the learning rate, and all five are trained at it.
SEEDS = (0, 1, 2, 3, 4)
#: The lenses' width (filters, LSTM units, model dimension): small, so the whole matrix trains in the build.
WIDTH = 16
#: The three fixed sets of every task, each drawn once from its own seed (the same for every lens and seed).
TRAIN_SEED, VAL_SEED, TEST_SEED = 20_000, 30_000, 10_000
#: Held-out sequences per task (the test set), scored once, after training and model selection.
TEST_SIZE = 1000

#: Learning curves (``Curve``): these tasks, these smaller nested training-set sizes (the largest
#: point is the matrix cell, at ``Protocol.train_size``), these seeds, at the cell's chosen learning rate.
CURVE_TASKS = ("local-motif", "motif-pair")
CURVE_SIZES = (256, 512, 1024, 2048)
CURVE_SEEDS = (0, 1, 2)

#: Two-sided 95% quantiles of Student's t, by degrees of freedom (for ``Cell.interval``).
_T975 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262,
         10: 2.228, 15: 2.131, 20: 2.086, 30: 2.042}


def t_quantile(df: int) -> float:
    """The 0.975 quantile of Student's t with ``df`` degrees of freedom (table; conservative between rows)."""
    require(isinstance(df, int) and df >= 1, "df", df, "an int >= 1")
    return _T975[max(k for k in _T975 if k <= df)] if df <= 30 else 1.96


@dataclass(frozen=True)
class Protocol:
    """How every lens is trained on a task: fixed data, early stopping, a learning-rate grid.

    The training set (``train_size`` sequences) and the validation set
    (``val_size``) are drawn once from ``TRAIN_SEED`` and ``VAL_SEED``.
    AdamW with batches of ``batch`` drawn from the training set (a new
    permutation each epoch), gradients clipped at norm 1. Every
    ``eval_every`` steps the validation score is computed; the weights with the
    best validation score are kept, and training stops when it has not
    improved for ``patience`` evaluations (but never before ``min_steps``), or
    at ``max_steps``. The learning rate is chosen from ``lr_grid`` on seed 0's
    validation score.

    ``stem_steps > 0`` starts the lenses that have a stem (all but the fully
    connected one) from one stem, trained once per task for that many steps on
    the training set to mark in which bin each element class lies
    (``task.element_map``, ``pretrain_stem``); the whole lens is then trained
    as usual.

    ``warmup_steps > 0`` is a curriculum: before those steps, the lens trains
    ``warmup_steps`` steps on the task's warm-up version of the same training
    set (``task.sample_warmup``, drawn from the same seed), with the same
    optimiser; the steps above count from the end of the warm-up.
    """

    train_size: int = 4096
    val_size: int = 1000
    batch: int = 64
    eval_every: int = 50
    patience: int = 6
    min_steps: int = 0
    max_steps: int = 2000
    lr_grid: tuple[float, ...] = (1e-3, 3e-3, 1e-2)
    weight_decay: float = 0.0
    warmup_steps: int = 0
    stem_steps: int = 0

    def __post_init__(self) -> None:
        for name in ("train_size", "val_size", "batch", "eval_every", "patience", "max_steps"):
            require(isinstance(getattr(self, name), int) and getattr(self, name) >= 1, name,
                    getattr(self, name), "an int >= 1")
        require(0 <= self.min_steps <= self.max_steps, "min_steps", self.min_steps,
                f"between 0 and max_steps ({self.max_steps})")
        require(len(self.lr_grid) >= 1 and all(lr > 0 for lr in self.lr_grid), "lr_grid", self.lr_grid,
                "at least one positive learning rate")
        for name in ("warmup_steps", "stem_steps"):
            require(isinstance(getattr(self, name), int) and getattr(self, name) >= 0, name,
                    getattr(self, name), "an int >= 0")


#: The build's protocol for each task. A relational task (motif-pair) starts on a plateau where no
#: single motif carries signal, so early stopping may not fire before ``min_steps``. On long-range no
#: element, and no set of elements present, carries any signal: the stem is first trained to find the
#: elements, and every lens first trains on the sequences with the nearer enhancer alone (a curriculum).
PROTOCOLS: dict[str, Protocol] = {
    "local-motif": Protocol(),
    "motif-pair": Protocol(min_steps=1000),
    "next-step": Protocol(),
    "long-range": Protocol(val_size=500, stem_steps=600, warmup_steps=1000, min_steps=500, max_steps=3000),
}


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
    seeds ``CURVE_SEEDS``, not a second training). ``test[i]`` and
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


@dataclass(frozen=True)
class LensView:
    """What three trained lenses see on one positive sequence of the motif-pair task.

    ``feature_map`` is the CNN stem's ReLU output at base resolution for the
    ``filters`` most active filters, ``(k, L)``; ``hidden`` the LSTM's hidden
    states at each bin for its ``units`` most variable units, ``(k, T)``;
    ``attention`` the Transformer's attention row (averaged over heads) of the
    bin holding motif B, ``(T,)``; ``scores`` each lens's P(y = 1) for the
    sequence. Positions are 0-based starts; bin ``t`` covers bases
    ``t * pool`` to ``(t + 1) * pool - 1``.
    """

    sequence_length: int
    pool: int
    kernel: int
    motif_names: tuple[str, str]
    motif_widths: tuple[int, int]
    pos_a: int
    pos_b: int
    filters: tuple[int, ...]
    feature_map: np.ndarray
    units: tuple[int, ...]
    hidden: np.ndarray
    query_bin: int
    attention: np.ndarray
    scores: dict

    @property
    def bin_a(self) -> int:
        """The bin holding motif A's centre."""
        return (self.pos_a + self.motif_widths[0] // 2) // self.pool

    @property
    def attention_to_a(self) -> float:
        """Attention weight the query bin puts on motif A's bin."""
        return float(self.attention[self.bin_a])

    @property
    def attention_rank_a(self) -> int:
        """Rank of motif A's bin in the attention row (1 = the most attended bin)."""
        return int((self.attention > self.attention[self.bin_a]).sum()) + 1

    @property
    def uniform(self) -> float:
        """The weight of each bin under uniform attention, ``1 / T``."""
        return 1.0 / len(self.attention)

    @property
    def distance(self) -> float:
        """Centre-to-centre distance of the two motifs, bp."""
        return abs((self.pos_b + self.motif_widths[1] / 2) - (self.pos_a + self.motif_widths[0] / 2))

    def site(self, position: int, margin: int | None = None) -> str:
        """The planted site within ``margin`` bp of base ``position``: a motif name or "background".

        ``margin`` defaults to half the stem's filter width (a filter centred
        there overlaps the site).
        """
        half = self.kernel // 2 if margin is None else margin
        for name, start, width in zip(self.motif_names, (self.pos_a, self.pos_b), self.motif_widths):
            if start - half <= position < start + width + half:
                return name
        return "background"

    @property
    def cnn_peak(self) -> int:
        """Base where the CNN's most active filter peaks (0-based)."""
        return int(np.argmax(self.feature_map[0]))

    @property
    def bin_centres(self) -> np.ndarray:
        """Centre (bp) of each bin, ``(T,)``; the last bin may be shorter than ``pool``."""
        starts = np.arange(len(self.attention)) * self.pool
        ends = np.minimum(starts + self.pool, self.sequence_length)
        return (starts + ends - 1) / 2

    @property
    def lstm_jump(self) -> int:
        """Centre (bp) of the bin where the LSTM's hidden state changes most from the bin before."""
        change = np.linalg.norm(np.diff(self.hidden, axis=1), axis=0)   # (T - 1,)
        return int(self.bin_centres[np.argmax(change) + 1])


@dataclass(frozen=True)
class MatrixResult:
    """The lens matrix: one ``Cell`` per task and lens."""

    tasks: tuple[str, ...]
    architectures: tuple[str, ...]
    seeds: tuple[int, ...]
    protocols: tuple[tuple[str, Protocol], ...]
    picks: tuple[tuple[str, tuple[str, ...]], ...]
    test_size: int
    cells: tuple[Cell, ...]
    view: LensView | None
    curves: tuple[Curve, ...] = ()
    #: ``(task, score)``: on the test set, the exact best score of a detector of any one element alone
    #: (tasks that define ``single_element_posterior``).
    single_element: tuple[tuple[str, float], ...] = ()
    #: ``(task, edges)``: the distance bands of tasks that define ``band_edges``.
    band_edges: tuple[tuple[str, tuple[int, ...]], ...] = ()
    #: ``(task, bp)`` for the same tasks: the CNN lens's reach, ``(window_bins - 1) * pool``, the
    #: farthest apart two bins can be and still meet in one output of its convolutions.
    cnn_reach: tuple[tuple[str, int], ...] = ()

    def row(self, task: str) -> dict[str, Cell]:
        """``{lens: cell}`` of ``task``, in the matrix's order of lenses."""
        return {a: self.cell(task, a) for a in self.architectures}

    def bands(self, task: str) -> tuple[int, ...]:
        """The distance-band edges of ``task`` (bp)."""
        return dict(self.band_edges)[task]

    def single_element_score(self, task: str) -> float:
        """The exact test score of the best detector of any one element alone on ``task``."""
        return dict(self.single_element)[task]

    def cnn_reach_bp(self, task: str) -> int:
        """The CNN lens's reach on ``task`` (see ``cnn_reach``)."""
        return dict(self.cnn_reach)[task]

    def curve(self, task: str, architecture: str) -> Curve:
        """The learning curve of ``task`` and ``architecture``."""
        for c in self.curves:
            if (c.task, c.architecture) == (task, architecture):
                return c
        raise ValueError(f"task/architecture: no learning curve ({task!r}, {architecture!r}); "
                         f"curves for {sorted({c.task for c in self.curves})}")

    @property
    def curve_tasks(self) -> tuple[str, ...]:
        """The tasks with learning curves, in the matrix's order."""
        return tuple(t for t in self.tasks if any(c.task == t for c in self.curves))

    @property
    def n_seeds(self) -> int:
        """Number of seeds per cell."""
        return len(self.seeds)

    def protocol(self, task: str) -> Protocol:
        """The training protocol of ``task``."""
        return dict(self.protocols)[task]

    def cell(self, task: str, architecture: str) -> Cell:
        """The cell of ``task`` and ``architecture``."""
        for c in self.cells:
            if (c.task, c.architecture) == (task, architecture):
                return c
        raise ValueError(f"task/architecture: no cell ({task!r}, {architecture!r}); "
                         f"tasks {list(self.tasks)}, architectures {list(self.architectures)}")

    def best(self, task: str) -> Cell:
        """The cell with the highest mean score on ``task``."""
        return max((self.cell(task, a) for a in self.architectures), key=lambda c: c.mean)

    def picked(self, task: str) -> tuple[Cell, ...]:
        """The cells of the manuscript's pick(s) for ``task`` (``MANUSCRIPT_PICK``), in that order."""
        return tuple(self.cell(task, a) for a in dict(self.picks)[task] if a in self.architectures)

    def tied(self, task: str, architecture: str) -> bool:
        """Does the lens's 95% interval overlap the best lens's on ``task``? (The best is tied with itself.)"""
        return overlap(self.best(task).interval, self.cell(task, architecture).interval)

    def verdict(self, task: str) -> str:
        """The lens the measurement names on ``task``, or ``"undetermined"`` (see ``verdict``)."""
        return verdict([self.cell(task, a) for a in self.architectures])

    def agreement(self, task: str) -> str:
        """``"agrees"``, ``"disagrees"`` or ``"undetermined"``: the measurement against the manuscript's pick.

        "agrees": the verdict names one of the picks. "disagrees": no pick's
        interval overlaps the best lens's interval. Otherwise (a pick is tied
        with the best lens, and the verdict is undetermined) "undetermined".
        """
        if self.verdict(task) in dict(self.picks)[task]:
            return "agrees"
        if not any(self.tied(task, p.architecture) for p in self.picked(task)):
            return "disagrees"
        return "undetermined"

    @property
    def agrees(self) -> dict[str, bool]:
        """``agrees[task]``: does the verdict name one of the manuscript's picks?"""
        return {task: self.agreement(task) == "agrees" for task in self.tasks}

    @property
    def disagreeing(self) -> tuple[str, ...]:
        """The tasks on which no pick of the manuscript is tied with the best lens."""
        return tuple(task for task in self.tasks if self.agreement(task) == "disagrees")

    @property
    def undetermined(self) -> tuple[str, ...]:
        """The tasks whose verdict is "undetermined"."""
        return tuple(task for task in self.tasks if self.verdict(task) == "undetermined")


# -- one cell ----------------------------------------------------------------------------


def _loss(task: Task) -> Callable[[torch.Tensor, torch.Tensor], torch.Tensor]:
    return F.binary_cross_entropy_with_logits if task.target == "binary" else F.mse_loss


@dataclass(frozen=True)
class _Scaling:
    """z-scores for a regression task's inputs and targets, from one calibration batch."""

    x_mean: float
    x_sd: float
    y_mean: float
    y_sd: float

    def __call__(self, x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return (x - self.x_mean) / self.x_sd, (y - self.y_mean) / self.y_sd


def _scaling(task: Task, y: torch.Tensor | None = None, x: torch.Tensor | None = None) -> _Scaling:
    """Identity for binary (one-hot) tasks; for regression, z-scores of the training set ``x, y``."""
    if task.target == "binary" or x is None or y is None:
        return _Scaling(0.0, 1.0, 0.0, 1.0)
    return _Scaling(float(x.mean()), float(x.std()), float(y.mean()), float(y.std()))


def _score(task: Task, predicted: torch.Tensor, y: torch.Tensor) -> float:
    return metrics.auroc(predicted, y) if task.target == "binary" else metrics.r2(predicted, y)


def _predict(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    with evaluating(model), torch.no_grad():
        return torch.cat([model(chunk) for chunk in x.split(500)])


@dataclass(frozen=True)
class Fitting:
    """What model selection may see: the training and validation sets (scaled), never the test set."""

    x_train: torch.Tensor
    y_train: torch.Tensor
    x_val: torch.Tensor
    y_val: torch.Tensor
    scale: _Scaling
    x_warmup: torch.Tensor | None = None    # the curriculum's warm-up version of x_train (same labels)


def fitting_data(task: Task, protocol: Protocol) -> Fitting:
    """The task's fixed training set (``TRAIN_SEED``) and validation set (``VAL_SEED``), scaled."""
    x, y = task.sample(protocol.train_size, torch.Generator().manual_seed(TRAIN_SEED))
    xv, yv = task.sample(protocol.val_size, torch.Generator().manual_seed(VAL_SEED))
    scale = _scaling(task, y, x)
    warmup = None
    if protocol.warmup_steps:
        require(hasattr(task, "sample_warmup"), "protocol.warmup_steps", protocol.warmup_steps,
                f"0 for a task without a warm-up version ({task.name})")
        warmup, y_warmup = task.sample_warmup(protocol.train_size, torch.Generator().manual_seed(TRAIN_SEED))
        require(bool(torch.equal(y_warmup, y)), "task.sample_warmup", task.name, "the training set's labels")
        warmup = scale(warmup, y)[0]
    return Fitting(*scale(x, y), *scale(xv, yv), scale, warmup)


def test_data(task: Task, scale: _Scaling, size: int | None = None) -> tuple[torch.Tensor, torch.Tensor, float]:
    """The task's fixed test set (``TEST_SEED``), scaled as the training set was, and the oracle's score on it."""
    x, y = task.sample(TEST_SIZE if size is None else size, torch.Generator().manual_seed(TEST_SEED))
    oracle = _score(task, task.oracle(x), y)
    return *scale(x, y), oracle


@dataclass(frozen=True)
class Fit:
    """One trained lens: its best validation score, the steps it trained, and the step of the kept weights."""

    model: nn.Module
    val_score: float
    steps: int
    best_step: int
    trace: tuple[float, ...] = ()
    train_score: float = float("nan")


def fit(task: Task, architecture: str, seed: int, lr: float, protocol: Protocol, data: Fitting,
        size: int | None = None) -> Fit:
    """Train one lens on the fixed training set with early stopping on the validation set.

    Initialisation is seeded by ``seed`` and the batch order by ``1000 +
    seed``. ``size`` trains on the first ``size`` sequences of the training
    set only (the learning curve's nested sets). Returns the model with the
    weights of its best validation score, the validation score at every
    evaluation (``trace``) and the kept model's score on its training set.
    """
    config = LensConfig(task.channels, task.length, width=WIDTH)
    with seeded(seed):
        model = build(architecture, config)
    if protocol.stem_steps and hasattr(model, "stem"):
        model.stem.load_state_dict(pretrain_stem(task, config, protocol.train_size, protocol.stem_steps))
    optimiser = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=protocol.weight_decay)
    loss_fn = _loss(task)
    generator = torch.Generator().manual_seed(1000 + seed)
    n = len(data.y_train) if size is None else size
    require(isinstance(n, int) and 1 <= n <= len(data.y_train), "size", size,
            f"an int from 1 to {len(data.y_train)}")
    x_train, y_train = data.x_train[:n], data.y_train[:n]
    order, cursor = torch.randperm(n, generator=generator), 0

    def take_step(x: torch.Tensor) -> None:
        nonlocal order, cursor
        if cursor + protocol.batch > n:
            order, cursor = torch.randperm(n, generator=generator), 0
        index = order[cursor:cursor + protocol.batch]
        cursor += protocol.batch
        optimiser.zero_grad(set_to_none=True)
        loss = loss_fn(model(x[index]), y_train[index])
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimiser.step()

    model.train()
    for _ in range(protocol.warmup_steps):          # the curriculum's warm-up, if any
        take_step(data.x_warmup[:n])
    best, best_state, best_step, since, trace = -math.inf, copy.deepcopy(model.state_dict()), 0, 0, []
    step = 0
    for step in range(1, protocol.max_steps + 1):
        take_step(x_train)
        if step % protocol.eval_every == 0 or step == protocol.max_steps:
            score = _score(task, _predict(model, data.x_val), data.y_val)
            trace.append(score)
            if score > best:
                best, best_state, best_step, since = score, copy.deepcopy(model.state_dict()), step, 0
            else:
                since += 1
            if since >= protocol.patience and step >= protocol.min_steps:
                break
    model.load_state_dict(best_state)
    model.eval()
    train_score = _score(task, _predict(model, x_train), y_train)
    return Fit(model, float(best), step, best_step, tuple(trace), float(train_score))


#: Batch and learning rate of ``pretrain_stem``.
STEM_BATCH, STEM_LR = 64, 1e-2
_STEMS: dict[tuple, dict[str, torch.Tensor]] = {}


def pretrain_stem(task: Task, config: LensConfig, train_size: int, steps: int) -> dict[str, torch.Tensor]:
    """The weights of a lens stem trained to mark where each element class lies, bin by bin.

    Trained once per task and shape (then kept for the process) on the task's
    fixed training set (``TRAIN_SEED``, ``train_size`` sequences) only, with
    ``task.element_map`` as per-bin targets: a 1x1 convolution reads the
    stem's bins, and a weighted cross-entropy counts each rare positive bin
    ``config.tokens`` times. Seeded by 0, so every lens and seed start from the
    same stem.
    """
    key = (task, config, train_size, steps)
    if key not in _STEMS:
        require(hasattr(task, "element_map"), "protocol.stem_steps", steps,
                f"0 for a task without element positions ({task.name})")
        pairs = task.sample_pairs(train_size, torch.Generator().manual_seed(TRAIN_SEED))
        target = task.element_map(pairs, config.pool, config.tokens)              # (N, K, T)
        with seeded(0):
            stem = build("cnn", config).stem
            marks = nn.Conv1d(config.width, target.shape[1], 1)
        optimiser = torch.optim.AdamW([*stem.parameters(), *marks.parameters()], lr=STEM_LR)
        weight = torch.full((1, target.shape[1], 1), float(config.tokens))
        generator = torch.Generator().manual_seed(TRAIN_SEED + 1)
        for _ in range(steps):
            index = torch.randint(0, train_size, (STEM_BATCH,), generator=generator)
            loss = F.binary_cross_entropy_with_logits(marks(stem(pairs.x[index])), target[index], pos_weight=weight)
            optimiser.zero_grad(set_to_none=True)
            loss.backward()
            optimiser.step()
        _STEMS[key] = {k: v.detach().clone() for k, v in stem.state_dict().items()}
    return _STEMS[key]


def choose_lr(task: Task, architecture: str, protocol: Protocol, data: Fitting) -> tuple[float, tuple, Fit]:
    """The learning rate of ``protocol.lr_grid`` with the best validation score of seed 0.

    Sees only ``data`` (training and validation sets). Returns the chosen rate,
    the grid as ``(lr, validation score)`` pairs, and seed 0's fit at that rate
    (reused as the cell's seed 0, not trained again).
    """
    fits = [fit(task, architecture, 0, lr, protocol, data) for lr in protocol.lr_grid]
    i = int(np.argmax([f.val_score for f in fits]))   # ties: the first, the smallest rate
    grid = tuple((float(lr), f.val_score) for lr, f in zip(protocol.lr_grid, fits))
    return float(protocol.lr_grid[i]), grid, fits[i]


def test_distances(task: Task) -> torch.Tensor:
    """``(TEST_SIZE,)``: the nearer enhancer's distance in each sequence of the test set (same draw as ``test_data``)."""
    return task.sample_pairs(TEST_SIZE, torch.Generator().manual_seed(TEST_SEED)).distance


def band_scores(task: Task, predicted: torch.Tensor, x_test: torch.Tensor, y_test: torch.Tensor) -> tuple[float, ...]:
    """The score within each distance band of ``task.band_edges`` (the last band includes its upper edge)."""
    distance = test_distances(task)
    require(bool(torch.equal(task.sample(TEST_SIZE, torch.Generator().manual_seed(TEST_SEED))[0], x_test)),
            "x_test", "the test set", f"the draw of test_data (TEST_SEED, {TEST_SIZE} sequences)")
    edges = task.band_edges
    out = []
    for lo, hi in zip(edges[:-1], edges[1:]):
        band = (distance >= lo) & ((distance <= hi) if hi == edges[-1] else (distance < hi))
        out.append(_score(task, predicted[band], y_test[band]))
    return tuple(out)


def step_flops(model: nn.Module, task: Task, batch: int) -> int:
    """FLOPs of one training step of ``model`` on a batch of ``task``, counted, not timed.

    One step (forward, loss, backward) is run under
    ``torch.utils.flop_counter.FlopCounterMode``, which counts matrix products,
    convolutions and attention; oneDNN's fused LSTM kernel is switched off for
    that step so that its matrix products are visible to the counter. The
    model's weights are left as they were (no optimiser step is taken).
    """
    x, y = task.sample(batch, torch.Generator().manual_seed(0))
    if task.target != "binary":
        x, y = (x - x.mean()) / x.std(), (y - y.mean()) / y.std()
    was = model.training
    model.train()
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*TF32 acceleration on top of oneDNN.*")
            with torch.backends.mkldnn.flags(enabled=False), FlopCounterMode(display=False) as counter:
                _loss(task)(model(x), y).backward()
    finally:
        model.zero_grad(set_to_none=True)
        model.train(was)
    return int(counter.get_total_flops())


def train_cell(name: str, task: Task, architecture: str, seeds: Sequence[int], protocol: Protocol,
               curve_sizes: Sequence[int] = (), curve_seeds: Sequence[int] = CURVE_SEEDS,
               ) -> tuple[Cell, list[nn.Module], Curve | None]:
    """One cell: the learning rate chosen on seed 0, every seed trained at it, the test set scored once.

    With ``curve_sizes``, also the cell's learning curve: ``curve_seeds`` trained
    at the same rate on the first ``size`` sequences of the training set for
    each size, the cell's own seeds as its largest point.
    """
    data = fitting_data(task, protocol)
    lr, grid, first = choose_lr(task, architecture, protocol, data)
    fits = [first if seed == 0 else fit(task, architecture, seed, lr, protocol, data) for seed in seeds]
    small = {size: [fit(task, architecture, seed, lr, protocol, data, size=size) for seed in curve_seeds]
             for size in curve_sizes}
    # model selection is over: the test set is drawn and scored now, once per trained model
    x_test, y_test, oracle = test_data(task, data.scale)
    predictions = [_predict(f.model, x_test) for f in fits]
    scores = tuple(_score(task, p, y_test) for p in predictions)
    steps = tuple(f.steps for f in fits)
    metric = "AUROC" if task.target == "binary" else "R²"
    bands, oracle_bands = (), ()
    if hasattr(task, "band_edges"):
        bands = tuple(band_scores(task, p, x_test, y_test) for p in predictions)
        oracle_bands = band_scores(task, task.oracle(x_test), x_test, y_test)
    cell = Cell(name, architecture, metric, scores, oracle, parameter_count(fits[0].model),
                step_flops(fits[0].model, task, protocol.batch) * (protocol.warmup_steps + int(round(np.mean(steps)))),
                tuple(f.val_score for f in fits), steps, tuple(f.best_step for f in fits), lr, grid,
                tuple(f.train_score for f in fits), tuple(f.trace for f in fits), bands, oracle_bands)
    curve = None
    if curve_sizes:
        require(all(s in seeds for s in curve_seeds), "curve_seeds", curve_seeds, f"seeds of the cell {seeds}")
        sizes = tuple(sorted(curve_sizes))
        require(sizes[-1] < protocol.train_size, "curve_sizes", curve_sizes,
                f"sizes below the training set's {protocol.train_size}")
        test = [tuple(_score(task, _predict(f.model, x_test), y_test) for f in small[s]) for s in sizes]
        train = [tuple(f.train_score for f in small[s]) for s in sizes]
        test.append(tuple(scores[seeds.index(s)] for s in curve_seeds))
        train.append(tuple(fits[seeds.index(s)].train_score for s in curve_seeds))
        curve = Curve(name, architecture, (*sizes, protocol.train_size), tuple(test), tuple(train), oracle)
    return cell, [f.model for f in fits], curve


# -- the matrix --------------------------------------------------------------------------


def _select(names: str | Sequence[str] | None, valid: Sequence[str], argument: str) -> tuple[str, ...]:
    if names is None:
        return tuple(valid)
    chosen = (names,) if isinstance(names, str) else tuple(names)
    require(len(chosen) > 0, argument, names, f"at least one of {list(valid)}")
    for name in chosen:
        require(name in valid, argument, name, f"one of {list(valid)}")
    return chosen


def lens_matrix(tasks: str | Sequence[str] | None = None, architectures: str | Sequence[str] | None = None,
                *, seeds: Sequence[int] = SEEDS, protocols: dict[str, Protocol] | None = None,
                view: bool = True, curve_sizes: dict[str, Sequence[int]] | None = None,
                workers: int = 1) -> MatrixResult:
    """Train every lens on every task and score it against the oracle (section 4.5).

    Parameters
    ----------
    tasks : str or sequence of str, optional
        Task names from ``TASKS``. Default is all of them.
    architectures : str or sequence of str, optional
        Lens names from ``lensbook.models.lenses.ARCHITECTURES``. Default is all.
    seeds : sequence of int, optional
        One trained model per seed and cell; must include 0, the seed that
        picks the learning rate. Default is ``SEEDS`` (0-4).
    protocols : dict, optional
        ``task name -> Protocol``; tasks not in it get ``PROTOCOLS[task]``.
    view : bool, optional
        Also record the ``LensView`` of seed 0's models on the motif-pair task
        (when it and the three sequence lenses are selected). Default is True.
    curve_sizes : dict, optional
        ``task name -> smaller training-set sizes`` of its learning curves
        (seeds ``CURVE_SEEDS``); tasks not in it get none. Default: none.
    workers : int, optional
        Train the cells in this many processes (one thread each); every cell
        is seeded on its own, so the result does not depend on it. Default 1
        (this process).

    Returns
    -------
    MatrixResult

    Raises
    ------
    ValueError
        For an unknown task or lens name (the message lists the valid ones),
        or seeds without 0.
    """
    task_names = _select(tasks, list(TASKS), "tasks")
    arch_names = _select(architectures, ARCHITECTURES, "architectures")
    seeds = tuple(seeds)
    require(len(seeds) > 0 and all(isinstance(s, int) for s in seeds) and 0 in seeds, "seeds", seeds,
            "ints including 0 (seed 0 picks the learning rate)")
    protocols = {**PROTOCOLS, **(protocols or {})}
    jobs = [(name, architecture, seeds, protocols[name], tuple(curve_sizes.get(name, ())) if curve_sizes else ())
            for name in task_names for architecture in arch_names]
    if workers > 1 and len(jobs) > 1:
        with ProcessPoolExecutor(min(workers, len(jobs)), mp_context=multiprocessing.get_context("spawn")) as pool:
            done = list(pool.map(_cell_job, jobs))
    else:
        done = [_cell_job(job, threads=False) for job in jobs]
    cells, curves, lens_view = [], [], None
    for (name, architecture, *_), (cell, first, curve) in zip(jobs, done):
        cells.append(cell)
        if curve is not None:
            curves.append(curve)
        if name == "motif-pair" and view:
            lens_view = (lens_view or {}) | {architecture: first}
    wanted = {"cnn", "lstm", "transformer"}
    view_result = (three_lenses_view(TASKS["motif-pair"](0), lens_view)
                   if lens_view and wanted <= set(lens_view) else None)
    single, edges, reach = [], [], []
    for n in task_names:
        task = TASKS[n](0)
        if hasattr(task, "single_element_posterior"):
            x_test, y_test, _ = test_data(task, _scaling(task))
            single.append((n, max(_score(task, task.single_element_posterior(x_test, e), y_test)
                                  for e in ("nearer enhancer", "promoter"))))
        if hasattr(task, "band_edges"):
            edges.append((n, task.band_edges))
            config = LensConfig(task.channels, task.length, width=WIDTH)
            reach.append((n, (build("cnn", config).window_bins - 1) * config.pool))
    return MatrixResult(task_names, arch_names, seeds, tuple((n, protocols[n]) for n in task_names),
                        tuple((n, MANUSCRIPT_PICK[n]) for n in task_names), TEST_SIZE, tuple(cells), view_result,
                        tuple(curves), tuple(single), tuple(edges), tuple(reach))


def _cell_job(job: tuple, threads: bool = True) -> tuple[Cell, nn.Module, Curve | None]:
    """One cell of ``lens_matrix`` (a worker's job): the cell, its seed-0 model, its curve."""
    name, architecture, seeds, protocol, sizes = job
    if threads:
        torch.set_num_threads(1)
    cell, models, curve = train_cell(name, TASKS[name](0), architecture, seeds, protocol, sizes)
    return cell, models[seeds.index(0)], curve


def three_lenses_view(task: pair.PairTask, models: dict[str, nn.Module], *, filters: int = 4,
                      units: int = 4) -> LensView:
    """What trained CNN, LSTM and Transformer lenses see on one near-pair sequence.

    The sequence is the first positive of a fixed draw (seed ``TEST_SEED + 2``),
    not a chosen one.
    """
    planted = task.sample_planted(64, torch.Generator().manual_seed(TEST_SEED + 2))
    i = int((planted.case == 0).nonzero()[0])
    x = planted.x[i:i + 1]                                       # (1, 4, L)
    cnn, lstm, transformer = models["cnn"], models["lstm"], models["transformer"]
    config: LensConfig = cnn.config
    with evaluating(cnn), evaluating(lstm), evaluating(transformer), torch.no_grad():
        fmap = cnn.features(x)[0]                            # (width, L)
        top = torch.argsort(fmap.amax(dim=1), descending=True)[:filters]
        states = lstm.states(x)[0].T                         # (T, width) -> (width, T)
        varied = torch.argsort(states.std(dim=1), descending=True)[:units]
        pos_b = int(planted.pos_b[i])
        query = (pos_b + task.pwm_b.shape[1] // 2) // config.pool
        row = transformer.attention(x)[0, query]             # (T,)
        scores = {name: float(torch.sigmoid(m(x))[0]) for name, m in models.items()}
    return LensView(
        sequence_length=task.length, pool=config.pool, kernel=config.stem_kernel, motif_names=task.motif_names,
        motif_widths=(task.pwm_a.shape[1], task.pwm_b.shape[1]),
        pos_a=int(planted.pos_a[i]), pos_b=pos_b,
        filters=tuple(int(f) for f in top), feature_map=fmap[top].numpy().copy(),
        units=tuple(int(u) for u in varied), hidden=states[varied].numpy().copy(),
        query_bin=int(query), attention=row.numpy().copy(), scores=scores,
    )


@experiment("lens_matrix")
def lens_matrix_build() -> MatrixResult:
    """The build's lens matrix: all tasks, all lenses, seeds 0-4, ``PROTOCOLS``; learning curves on ``CURVE_TASKS``.

    Its 16 cells train in parallel processes, one per core, so that the
    matrix, the build's largest experiment, does not hold one worker alone
    for the whole build.
    """
    return lens_matrix(curve_sizes={task: CURVE_SIZES for task in CURVE_TASKS}, workers=os.cpu_count() or 1)


def bench_matrix(tasks: str | Sequence[str] | None = None, architectures: str | Sequence[str] | None = None,
                 *, seeds: Sequence[int] = SEEDS, protocols: dict[str, Protocol] | None = None) -> list[dict]:
    """Wall-clock seconds of every cell of the matrix (the build's settings by default).

    Seconds depend on the machine and its load, so they live here, for
    ``make bench``, and never on the site.

    Returns
    -------
    list of dict
        One row per cell: ``task``, ``lens``, ``seconds`` (the grid and all
        seeds together) and ``per_seed`` (divided by the number of trainings);
        a last row ``total``.
    """
    task_names = _select(tasks, list(TASKS), "tasks")
    arch_names = _select(architectures, ARCHITECTURES, "architectures")
    protocols = {**PROTOCOLS, **(protocols or {})}
    rows = []
    for name in task_names:
        task = TASKS[name](0)
        for architecture in arch_names:
            start = time.perf_counter()
            train_cell(name, task, architecture, seeds, protocols[name])
            seconds = time.perf_counter() - start
            runs = len(protocols[name].lr_grid) + len(seeds) - 1
            rows.append({"task": name, "lens": architecture, "seconds": seconds, "per_seed": seconds / runs})
    total = sum(r["seconds"] for r in rows)
    rows.append({"task": "total", "lens": "", "seconds": total, "per_seed": total / max(1, len(rows))})
    return rows
