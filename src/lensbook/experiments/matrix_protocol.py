"""The lens matrix's protocol and fixed data sets (docs/choosing.md, "How we measure").

Each task's training, validation and test sets are drawn once, from fixed
seeds (``TRAIN_SEED``, ``VAL_SEED``, ``TEST_SEED``), the same for every lens
and seed. Model selection sees the training and validation sets only
(``fitting_data``); the test set (``test_data``) is drawn and scored once,
after all training and selection. A lens is scored by AUROC on a binary task
and by R² on the regression task (``task_score``).

``Protocol`` says how a lens trains on these sets; ``PROTOCOLS`` holds the
build's protocol for each task.

Every reader looks ``TEST_SIZE`` and the seeds up in this module when it
runs: a test that changes one changes it here.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from .. import metrics
from .._validate import require
from ..tasks.base import Task
from ..train import evaluating

#: The lenses' width (filters, LSTM units, model dimension): small, so the whole matrix trains in the build.
WIDTH = 16
#: The three fixed sets of every task, each drawn once from its own seed (the same for every lens and seed).
TRAIN_SEED, VAL_SEED, TEST_SEED = 20_000, 30_000, 10_000
#: Held-out sequences per task (the test set), scored once, after training and model selection.
TEST_SIZE = 1000


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


# -- scoring -----------------------------------------------------------------------------


def task_score(task: Task, predicted: torch.Tensor, y: torch.Tensor) -> float:
    """The task's score of ``predicted`` against ``y``: AUROC for a binary task, R² for regression."""
    return metrics.auroc(predicted, y) if task.target == "binary" else metrics.r2(predicted, y)


def predict(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """``model``'s outputs on ``x`` in eval mode, without gradients, in chunks of 500 (mode restored)."""
    with evaluating(model), torch.no_grad():
        return torch.cat([model(chunk) for chunk in x.split(500)])


# -- the fixed sets ----------------------------------------------------------------------


@dataclass(frozen=True)
class Scaling:
    """z-scores for a regression task's inputs and targets, from its training set (identity by default)."""

    x_mean: float = 0.0
    x_sd: float = 1.0
    y_mean: float = 0.0
    y_sd: float = 1.0

    def __call__(self, x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return (x - self.x_mean) / self.x_sd, (y - self.y_mean) / self.y_sd


def scaling(task: Task, y: torch.Tensor | None = None, x: torch.Tensor | None = None) -> Scaling:
    """Identity for binary (one-hot) tasks; for regression, z-scores of the training set ``x, y``."""
    if task.target == "binary" or x is None or y is None:
        return Scaling()
    return Scaling(x_mean=float(x.mean()), x_sd=float(x.std()), y_mean=float(y.mean()), y_sd=float(y.std()))


@dataclass(frozen=True)
class Fitting:
    """What model selection may see: the training and validation sets (scaled), never the test set."""

    x_train: torch.Tensor
    y_train: torch.Tensor
    x_val: torch.Tensor
    y_val: torch.Tensor
    scale: Scaling
    x_warmup: torch.Tensor | None = None    # the curriculum's warm-up version of x_train (same labels)


def fitting_data(task: Task, protocol: Protocol) -> Fitting:
    """The task's fixed training set (``TRAIN_SEED``) and validation set (``VAL_SEED``), scaled."""
    x, y = task.sample(protocol.train_size, torch.Generator().manual_seed(TRAIN_SEED))
    xv, yv = task.sample(protocol.val_size, torch.Generator().manual_seed(VAL_SEED))
    scale = scaling(task, y, x)
    warmup = None
    if protocol.warmup_steps:
        require(hasattr(task, "sample_warmup"), "protocol.warmup_steps", protocol.warmup_steps,
                f"0 for a task without a warm-up version ({task.name})")
        warmup, y_warmup = task.sample_warmup(protocol.train_size, torch.Generator().manual_seed(TRAIN_SEED))
        require(bool(torch.equal(y_warmup, y)), "task.sample_warmup", task.name, "the training set's labels")
        warmup = scale(warmup, y)[0]
    x_train, y_train = scale(x, y)
    x_val, y_val = scale(xv, yv)
    return Fitting(x_train=x_train, y_train=y_train, x_val=x_val, y_val=y_val, scale=scale, x_warmup=warmup)


def test_data(task: Task, scale: Scaling, size: int | None = None) -> tuple[torch.Tensor, torch.Tensor, float]:
    """The task's fixed test set (``TEST_SEED``), scaled as the training set was, and the oracle's score on it."""
    x, y = task.sample(TEST_SIZE if size is None else size, torch.Generator().manual_seed(TEST_SEED))
    oracle = task_score(task, task.oracle(x), y)
    return *scale(x, y), oracle


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
        out.append(task_score(task, predicted[band], y_test[band]))
    return tuple(out)
