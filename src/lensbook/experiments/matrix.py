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

How every lens trains on a task's fixed sets is ``matrix_protocol``
(``Protocol``, ``PROTOCOLS``); how a cell is trained and its cost counted,
``matrix_training``; what a cell records and how two cells compare,
``matrix_cells``; the result, ``matrix_result``. Every cell records each
seed's test score next to the oracle's, a 95% t-interval of the mean over
seeds, the parameter count and the training cost in FLOPs (a count, not a
timing, so two builds give the same table). Wall-clock seconds are measured
by ``lensbook.bench.matrix`` for ``make bench`` only.

The same run also keeps what the three lenses see on one sequence of the
motif-pair task (``lens_view``), for the figure on the chapter's opening page:
seed 0's models of the matrix, not a second training.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor

import torch
from torch import nn

from .._validate import require
from ..models.lenses import ARCHITECTURES, LensConfig, build
from ..tasks import compat, expression, motif, pair
from ..tasks.base import Task
from . import matrix_protocol
from .lens_view import three_lenses_view
from .matrix_cells import Cell, Curve
from .matrix_protocol import PROTOCOLS, WIDTH, Protocol, scaling, task_score, test_data
from .matrix_result import MatrixResult
from .matrix_training import train_cell
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
#: Seeds of each cell: seed 0 picks the learning rate, and all five are trained at it.
SEEDS = (0, 1, 2, 3, 4)

#: Learning curves (``Curve``): these tasks, these smaller nested training-set sizes (the largest
#: point is the matrix cell, at ``Protocol.train_size``), these seeds, at the cell's chosen learning rate.
CURVE_TASKS = ("local-motif", "motif-pair")
CURVE_SIZES = (256, 512, 1024, 2048)
CURVE_SEEDS = (0, 1, 2)


def select_names(names: str | Sequence[str] | None, valid: Sequence[str], argument: str) -> tuple[str, ...]:
    """``names`` as a tuple, each checked against ``valid``; all of ``valid`` for None."""
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
    task_names = select_names(tasks, list(TASKS), "tasks")
    arch_names = select_names(architectures, ARCHITECTURES, "architectures")
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
    single, edges, reach = _long_range_baselines(task_names)
    return MatrixResult(
        tasks=task_names, architectures=arch_names, seeds=seeds,
        protocols=tuple((n, protocols[n]) for n in task_names),
        picks=tuple((n, MANUSCRIPT_PICK[n]) for n in task_names), test_size=matrix_protocol.TEST_SIZE,
        cells=tuple(cells), view=view_result, curves=tuple(curves),
        single_element=single, band_edges=edges, cnn_reach=reach,
    )


def _long_range_baselines(task_names: Sequence[str]) -> tuple[tuple, tuple, tuple]:
    """``MatrixResult.single_element``, ``band_edges`` and ``cnn_reach`` of the tasks that define them."""
    single, edges, reach = [], [], []
    for n in task_names:
        task = TASKS[n](0)
        if hasattr(task, "single_element_posterior"):
            x_test, y_test, _ = test_data(task, scaling(task))
            single.append((n, max(task_score(task, task.single_element_posterior(x_test, e), y_test)
                                  for e in ("nearer enhancer", "promoter"))))
        if hasattr(task, "band_edges"):
            edges.append((n, task.band_edges))
            config = LensConfig(task.channels, task.length, width=WIDTH)
            reach.append((n, (build("cnn", config).window_bins - 1) * config.pool))
    return tuple(single), tuple(edges), tuple(reach)


def _cell_job(job: tuple, threads: bool = True) -> tuple[Cell, nn.Module, Curve | None]:
    """One cell of ``lens_matrix`` (a worker's job): the cell, its seed-0 model, its curve."""
    name, architecture, seeds, protocol, sizes = job
    if threads:
        torch.set_num_threads(1)
    cell, models, curve = train_cell(name, TASKS[name](0), architecture, seeds, protocol, sizes, CURVE_SEEDS)
    return cell, models[seeds.index(0)], curve


@experiment("lens_matrix")
def lens_matrix_build() -> MatrixResult:
    """The build's lens matrix: all tasks, all lenses, seeds 0-4, ``PROTOCOLS``; learning curves on ``CURVE_TASKS``.

    Its 16 cells train in parallel processes, one per core, so that the
    matrix, the build's largest experiment, does not hold one worker alone
    for the whole build.
    """
    return lens_matrix(curve_sizes={task: CURVE_SIZES for task in CURVE_TASKS}, workers=os.cpu_count() or 1)
