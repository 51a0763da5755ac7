"""The lens matrix: every lens trained on every task, the same budget for all (docs/choosing.md).

The manuscript (section 4.5) says which lens fits which data. Here that advice
is measured: the four lenses of ``lensbook.models.lenses`` are trained on four
synthetic tasks whose oracle is known,

* ``local-motif``: one JASPAR motif (GATA5) planted or not in 200 bp
  (``lensbook.tasks.motif``);
* ``motif-pair``: two motifs within 100 bp, or not (``lensbook.tasks.pair``,
  the manuscript's question 1);
* ``next-step``: an expression time course, predict the next measurement
  (``lensbook.tasks.expression``);
* ``long-range``: an enhancer hundreds of bp upstream of a promoter, or not
  (``lensbook.tasks.long_range``),

each with several seeds. Every cell records the held-out score (AUROC for a
binary task, R² for the regression task) for each seed, the oracle's score on
the same held-out set, the parameter count, and the training cost in FLOPs,
counted by ``torch.utils.flop_counter`` (a count, not a timing, so two builds
give the same table). Wall-clock seconds are measured by ``bench_matrix``
for ``make bench`` only.

The same run also keeps what the three lenses see on one sequence of the
motif-pair task (``LensView``), for the figure on the chapter's opening page.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from .. import metrics
from .._validate import require
from ..models.lenses import ARCHITECTURES, LensConfig, build, parameter_count
from ..tasks import expression, long_range, motif, pair
from ..tasks.base import Task
from ..train import seeded, train
from .registry import experiment

#: The task constructors of the matrix, by task name, in the order the tables show them.
TASKS: dict[str, Callable[[int], Task]] = {
    "local-motif": motif.matrix_task,
    "motif-pair": pair.matrix_task,
    "next-step": expression.matrix_task,
    "long-range": long_range.matrix_task,
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
SEEDS = (0, 1, 2)
#: The lenses' width (filters, LSTM units, model dimension): small, so the whole matrix trains in the build.
WIDTH = 16
#: Held-out sequences per task, drawn once from this seed (the same set for every lens and seed).
TEST_SIZE, TEST_SEED = 500, 10_000


@dataclass(frozen=True)
class Budget:
    """The training budget every lens gets on a task: AdamW, fresh batches, clipping at 1."""

    steps: int = 80
    batch: int = 64
    lr: float = 1e-2


#: The build's budget for each task (the same for every lens on that task).
BUDGETS: dict[str, Budget] = {name: Budget() for name in TASKS}


@dataclass(frozen=True)
class Cell:
    """One lens on one task.

    ``scores`` holds the held-out score of each seed; ``oracle`` the oracle's
    score on the same held-out set; ``flops`` the training cost (one step's
    forward and backward pass, counted, times the number of steps).
    """

    task: str
    architecture: str
    metric: str
    scores: tuple[float, ...]
    oracle: float
    parameters: int
    flops: int

    @property
    def mean(self) -> float:
        """Mean score over seeds."""
        return float(np.mean(self.scores))

    @property
    def sd(self) -> float:
        """Standard deviation of the score over seeds (ddof 1; 0 for one seed)."""
        return float(np.std(self.scores, ddof=1)) if len(self.scores) > 1 else 0.0

    @property
    def fraction(self) -> float:
        """Mean score as a fraction of the oracle's score."""
        return self.mean / self.oracle

    @property
    def label(self) -> str:
        """The lens's display name ("Fully connected", "CNN", ...)."""
        return LABELS[self.architecture]


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
    budgets: tuple[tuple[str, Budget], ...]
    picks: tuple[tuple[str, tuple[str, ...]], ...]
    test_size: int
    cells: tuple[Cell, ...]
    view: LensView | None

    @property
    def n_seeds(self) -> int:
        """Number of seeds per cell."""
        return len(self.seeds)

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

    @property
    def budget(self) -> Budget:
        """The budget shared by every task (raises if the tasks had different budgets)."""
        budgets = {b for _, b in self.budgets}
        require(len(budgets) == 1, "budgets", self.budgets, "one budget shared by every task")
        return budgets.pop()

    def picked(self, task: str) -> tuple[Cell, ...]:
        """The cells of the manuscript's pick(s) for ``task`` (``MANUSCRIPT_PICK``), in that order."""
        return tuple(self.cell(task, a) for a in dict(self.picks)[task] if a in self.architectures)

    def tied(self, task: str, architecture: str) -> bool:
        """Is the lens within the seeds' spread of the best lens on ``task``?

        "Within spread" means its mean is below the best mean by no more than
        the larger of the two cells' standard deviations over seeds (the best
        lens is tied with itself).
        """
        best, other = self.best(task), self.cell(task, architecture)
        return best.mean - other.mean <= max(best.sd, other.sd)

    @property
    def agrees(self) -> dict[str, bool]:
        """``agrees[task]``: is one of the manuscript's picks the best lens, or within the seeds' spread of it?"""
        return {task: any(self.tied(task, p.architecture) for p in self.picked(task)) for task in self.tasks}

    @property
    def disagreeing(self) -> tuple[str, ...]:
        """The tasks on which no pick of the manuscript is the best lens or within the seeds' spread of it."""
        return tuple(task for task in self.tasks if not self.agrees[task])


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


def _scaling(task: Task) -> _Scaling:
    """Identity for binary (one-hot) tasks; training-distribution z-scores for regression."""
    if task.target == "binary":
        return _Scaling(0.0, 1.0, 0.0, 1.0)
    x, y = task.sample(4096, torch.Generator().manual_seed(TEST_SEED + 1))
    return _Scaling(float(x.mean()), float(x.std()), float(y.mean()), float(y.std()))


def _score(task: Task, predicted: torch.Tensor, y: torch.Tensor) -> float:
    return metrics.auroc(predicted, y) if task.target == "binary" else metrics.r2(predicted, y)


def _predict(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    was = model.training
    model.eval()
    try:
        with torch.no_grad():
            return torch.cat([model(chunk) for chunk in x.split(500)])
    finally:
        model.train(was)


def training_flops(model: nn.Module, task: Task, budget: Budget) -> int:
    """FLOPs of training ``model`` on ``task`` for ``budget.steps`` steps, counted, not timed.

    One step (forward, loss, backward) on one batch is run under
    ``torch.utils.flop_counter.FlopCounterMode``, which counts matrix products,
    convolutions and attention; oneDNN's fused LSTM kernel is switched off for
    that step so that its matrix products are visible to the counter. The
    model's weights are left as they were (no optimiser step is taken).
    """
    x, y = _scaling(task)(*task.sample(budget.batch, torch.Generator().manual_seed(0)))
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
    return int(counter.get_total_flops()) * budget.steps


def train_lens(task: Task, architecture: str, seed: int, budget: Budget) -> nn.Module:
    """A lens trained on ``task`` with ``budget`` (seeded initialisation and batches)."""
    scale = _scaling(task)
    with seeded(seed):
        model = build(architecture, LensConfig(task.channels, task.length, width=WIDTH))
    train(model, lambda g, step: scale(*task.sample(budget.batch, g)), _loss(task),
          steps=budget.steps, lr=budget.lr, seed=1000 + seed)
    return model


def _test_set(task: Task) -> tuple[torch.Tensor, torch.Tensor, float]:
    x, y = task.sample(TEST_SIZE, torch.Generator().manual_seed(TEST_SEED))
    oracle = _score(task, task.oracle(x), y)
    return *_scaling(task)(x, y), oracle


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
                *, seeds: Sequence[int] = SEEDS, budgets: dict[str, Budget] | None = None,
                view: bool = True) -> MatrixResult:
    """Train every lens on every task and score it against the oracle (section 4.5).

    Parameters
    ----------
    tasks : str or sequence of str, optional
        Task names from ``TASKS``. Default is all of them.
    architectures : str or sequence of str, optional
        Lens names from ``lensbook.models.lenses.ARCHITECTURES``. Default is all.
    seeds : sequence of int, optional
        One trained model per seed and cell. Default is ``SEEDS`` (0, 1, 2).
    budgets : dict, optional
        ``task name -> Budget``; tasks not in it get ``BUDGETS[task]``.
    view : bool, optional
        Also record the ``LensView`` of seed ``seeds[0]``'s models on the
        motif-pair task (when it and the three sequence lenses are selected).
        Default is True.

    Returns
    -------
    MatrixResult

    Raises
    ------
    ValueError
        For an unknown task or lens name (the message lists the valid ones),
        or no seeds.
    """
    task_names = _select(tasks, list(TASKS), "tasks")
    arch_names = _select(architectures, ARCHITECTURES, "architectures")
    seeds = tuple(seeds)
    require(len(seeds) > 0 and all(isinstance(s, int) for s in seeds), "seeds", seeds, "at least one int")
    budgets = {**BUDGETS, **(budgets or {})}
    cells, lens_view = [], None
    for name in task_names:
        task, budget = TASKS[name](0), budgets[name]
        x_test, y_test, oracle = _test_set(task)
        for architecture in arch_names:
            scores, models = [], []
            for seed in seeds:
                model = train_lens(task, architecture, seed, budget)
                scores.append(_score(task, _predict(model, x_test), y_test))
                models.append(model)
            cells.append(Cell(name, architecture, "AUROC" if task.target == "binary" else "R²",
                              tuple(scores), oracle, parameter_count(models[0]),
                              training_flops(models[0], task, budget)))
            if name == "motif-pair" and view:
                lens_view = (lens_view or {}) | {architecture: models[0]}
    wanted = {"cnn", "lstm", "transformer"}
    view_result = (three_lenses_view(TASKS["motif-pair"](0), lens_view)
                   if lens_view and wanted <= set(lens_view) else None)
    return MatrixResult(task_names, arch_names, seeds, tuple((n, budgets[n]) for n in task_names),
                        tuple((n, MANUSCRIPT_PICK[n]) for n in task_names), TEST_SIZE, tuple(cells), view_result)


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
    was = {m: m.training for m in models.values()}
    for m in was:
        m.eval()
    try:
        with torch.no_grad():
            fmap = cnn.features(x)[0]                            # (width, L)
            top = torch.argsort(fmap.amax(dim=1), descending=True)[:filters]
            states = lstm.states(x)[0].T                         # (T, width) -> (width, T)
            varied = torch.argsort(states.std(dim=1), descending=True)[:units]
            pos_b = int(planted.pos_b[i])
            query = (pos_b + task.pwm_b.shape[1] // 2) // config.pool
            row = transformer.attention(x)[0, query]             # (T,)
            scores = {name: float(torch.sigmoid(m(x))[0]) for name, m in models.items()}
    finally:
        for m, mode in was.items():
            m.train(mode)
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
    """The build's lens matrix: all tasks, all lenses, seeds 0-2, ``BUDGETS``."""
    return lens_matrix()


def bench_matrix(tasks: str | Sequence[str] | None = None, architectures: str | Sequence[str] | None = None,
                 *, seeds: Sequence[int] = SEEDS, budgets: dict[str, Budget] | None = None) -> list[dict]:
    """Wall-clock training seconds of every cell of the matrix (the build's settings by default).

    Seconds depend on the machine and its load, so they live here, for
    ``make bench``, and never on the site.

    Returns
    -------
    list of dict
        One row per cell: ``task``, ``lens``, ``seconds`` (all seeds together)
        and ``per_seed`` (their mean); a last row ``total``.
    """
    task_names = _select(tasks, list(TASKS), "tasks")
    arch_names = _select(architectures, ARCHITECTURES, "architectures")
    budgets = {**BUDGETS, **(budgets or {})}
    rows = []
    for name in task_names:
        task = TASKS[name](0)
        for architecture in arch_names:
            seconds = []
            for seed in seeds:
                start = time.perf_counter()
                train_lens(task, architecture, seed, budgets[name])
                seconds.append(time.perf_counter() - start)
            rows.append({"task": name, "lens": architecture, "seconds": sum(seconds),
                         "per_seed": sum(seconds) / len(seconds)})
    total = sum(r["seconds"] for r in rows)
    rows.append({"task": "total", "lens": "", "seconds": total, "per_seed": total / max(1, len(seeds))})
    return rows
