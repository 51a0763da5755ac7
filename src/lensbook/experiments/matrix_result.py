"""The lens matrix's result (docs/choosing.md): its cells, learning curves and verdicts.

``MatrixResult`` is what ``lens_matrix`` returns and what the page's tables,
claims and figures read: one ``Cell`` per task and lens, the learning
curves, the build's protocol of each task and the manuscript's pick, and,
for the long-range row, the baselines its distance figure draws.
"""

from __future__ import annotations

from dataclasses import dataclass

from .lens_view import LensView
from .matrix_cells import Cell, Curve, overlap, verdict
from .matrix_protocol import Protocol


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
