"""Training the lens matrix's cells (docs/choosing.md, "How we measure").

``fit`` trains one lens at one seed and learning rate on a task's fixed
training set, with early stopping on its validation set (``Protocol``);
``pretrain_stem`` trains the stem that long-range's lenses start from;
``choose_lr`` picks the learning rate on seed 0's validation score. A cell
(``train_cell``) is the chosen rate, every seed trained at it and, only then,
the test set scored once per model; its training cost is counted in FLOPs
(``step_flops``), not timed, so two builds give the same table.
"""

from __future__ import annotations

import copy
import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from .._validate import require
from ..models import parameter_count
from ..models.lenses import LensConfig, build
from ..tasks.base import Task
from ..train import seeded
from .matrix_cells import Cell, Curve
from .matrix_protocol import (
    TRAIN_SEED, WIDTH, Fitting, Protocol, band_scores, fitting_data, predict, task_score, test_data,
)


def _loss(task: Task) -> Callable[[torch.Tensor, torch.Tensor], torch.Tensor]:
    return F.binary_cross_entropy_with_logits if task.target == "binary" else F.mse_loss


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
            score = task_score(task, predict(model, data.x_val), data.y_val)
            trace.append(score)
            if score > best:
                best, best_state, best_step, since = score, copy.deepcopy(model.state_dict()), step, 0
            else:
                since += 1
            if since >= protocol.patience and step >= protocol.min_steps:
                break
    model.load_state_dict(best_state)
    model.eval()
    train_score = task_score(task, predict(model, x_train), y_train)
    return Fit(model=model, val_score=float(best), steps=step, best_step=best_step, trace=tuple(trace),
               train_score=float(train_score))


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
               curve_sizes: Sequence[int] = (), curve_seeds: Sequence[int] = (),
               ) -> tuple[Cell, list[nn.Module], Curve | None]:
    """One cell: the learning rate chosen on seed 0, every seed trained at it, the test set scored once.

    With ``curve_sizes``, also the cell's learning curve: ``curve_seeds`` (some
    of ``seeds``) trained at the same rate on the first ``size`` sequences of
    the training set for each size, the cell's own seeds as its largest point.
    """
    if curve_sizes:
        require(len(curve_seeds) > 0 and all(s in seeds for s in curve_seeds), "curve_seeds", curve_seeds,
                f"seeds of the cell {seeds}")
        require(max(curve_sizes) < protocol.train_size, "curve_sizes", curve_sizes,
                f"sizes below the training set's {protocol.train_size}")
    data = fitting_data(task, protocol)
    lr, grid, first = choose_lr(task, architecture, protocol, data)
    fits = [first if seed == 0 else fit(task, architecture, seed, lr, protocol, data) for seed in seeds]
    small = {size: [fit(task, architecture, seed, lr, protocol, data, size=size) for seed in curve_seeds]
             for size in curve_sizes}
    # model selection is over: the test set is drawn and scored now, once per trained model
    x_test, y_test, oracle = test_data(task, data.scale)
    predictions = [predict(f.model, x_test) for f in fits]
    scores = tuple(task_score(task, p, y_test) for p in predictions)
    steps = tuple(f.steps for f in fits)
    bands, oracle_bands = (), ()
    if hasattr(task, "band_edges"):
        bands = tuple(band_scores(task, p, x_test, y_test) for p in predictions)
        oracle_bands = band_scores(task, task.oracle(x_test), x_test, y_test)
    cell = Cell(
        task=name, architecture=architecture, metric="AUROC" if task.target == "binary" else "R²",
        scores=scores, oracle=oracle, parameters=parameter_count(fits[0].model),
        flops=step_flops(fits[0].model, task, protocol.batch) * (protocol.warmup_steps + int(round(np.mean(steps)))),
        val_scores=tuple(f.val_score for f in fits), steps=steps, best_steps=tuple(f.best_step for f in fits),
        lr=lr, grid=grid, train_scores=tuple(f.train_score for f in fits), traces=tuple(f.trace for f in fits),
        band_scores=bands, oracle_bands=oracle_bands,
    )
    curve = None
    if curve_sizes:
        sizes = tuple(sorted(curve_sizes))
        test = [tuple(task_score(task, predict(f.model, x_test), y_test) for f in small[s]) for s in sizes]
        train = [tuple(f.train_score for f in small[s]) for s in sizes]
        test.append(tuple(scores[seeds.index(s)] for s in curve_seeds))
        train.append(tuple(fits[seeds.index(s)].train_score for s in curve_seeds))
        curve = Curve(task=name, architecture=architecture, sizes=(*sizes, protocol.train_size), test=tuple(test),
                      train=tuple(train), oracle=oracle)
    return cell, [f.model for f in fits], curve
