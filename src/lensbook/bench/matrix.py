"""Wall-clock seconds of the lens matrix's cells (``make bench``).

Seconds depend on the machine and its load, so they never reach the site:
the page reports each cell's training cost in FLOPs, counted by
``lensbook.experiments.matrix_training.step_flops``.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from ..experiments.matrix import SEEDS, TASKS, select_names
from ..experiments.matrix_protocol import PROTOCOLS, Protocol
from ..experiments.matrix_training import train_cell
from ..models.lenses import ARCHITECTURES


def bench_matrix(tasks: str | Sequence[str] | None = None, architectures: str | Sequence[str] | None = None,
                 *, seeds: Sequence[int] = SEEDS, protocols: dict[str, Protocol] | None = None) -> list[dict]:
    """Wall-clock seconds of every cell of the matrix (the build's settings by default).

    Returns
    -------
    list of dict
        One row per cell: ``task``, ``lens``, ``seconds`` (the grid and all
        seeds together) and ``per_seed`` (divided by the number of trainings);
        a last row ``total``.
    """
    task_names = select_names(tasks, list(TASKS), "tasks")
    arch_names = select_names(architectures, ARCHITECTURES, "architectures")
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
