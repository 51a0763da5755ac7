from dataclasses import dataclass
from typing import Literal

import numpy as np
import pytest
import torch

from lensbook.experiments import matrix
from lensbook.experiments.matrix import (
    Budget, Cell, MatrixResult, bench_matrix, lens_matrix, training_flops,
)
from lensbook.experiments.registry import EXPERIMENTS
from lensbook.figures import choosing, index, style
from lensbook.models.lenses import ARCHITECTURES, LensConfig, build
from lensbook.tasks import Task
from lensbook.train import seeded

TINY = Budget(steps=3, batch=8, lr=1e-2)


@dataclass(frozen=True)
class Drift:
    """Stand-in regression task (tests only): y = mean of the series + noise, oracle known exactly."""

    name: str = "drift"
    target: Literal["binary", "regression"] = "regression"
    channels: int = 1
    length: int = 6
    noise: float = 0.5

    def sample(self, n, generator):
        x = torch.randn(n, 1, self.length, generator=generator)
        return x, x.mean(dim=(1, 2)) + self.noise * torch.randn(n, generator=generator)

    def oracle(self, x):
        return x.mean(dim=(1, 2))


@pytest.fixture(scope="module")
def result(one_thread):
    """A tiny matrix: the motif-pair task and the stand-in, every lens, three seeds."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setitem(matrix.TASKS, "drift", lambda seed=0: Drift())
        mp.setitem(matrix.MANUSCRIPT_PICK, "drift", ("lstm",))
        mp.setattr(matrix, "TEST_SIZE", 200)
        return lens_matrix(["motif-pair", "drift"], budgets={"motif-pair": TINY, "drift": TINY})


def test_the_stand_in_follows_the_protocol():
    assert isinstance(Drift(), Task)


def test_every_cell_is_filled(result):
    assert result.tasks == ("motif-pair", "drift")
    assert result.architectures == ARCHITECTURES
    assert result.seeds == (0, 1, 2) and result.n_seeds == 3
    assert len(result.cells) == 2 * 4
    for c in result.cells:
        assert len(c.scores) == 3 and all(np.isfinite(c.scores))
        assert c.parameters > 0 and c.flops > 0
        assert c.fraction == pytest.approx(c.mean / c.oracle)
    assert {c.metric for c in result.cells} == {"AUROC", "R²"}


def test_oracles_are_scored_on_the_held_out_set(result):
    # motif-pair's exact oracle is near 1; the stand-in's R² is var(signal) / var(y) = (1/6) / (1/6 + 1/4)
    assert result.cell("motif-pair", "cnn").oracle > 0.95
    assert result.cell("drift", "cnn").oracle == pytest.approx(0.4, abs=0.12)
    for task in result.tasks:                                    # one held-out set per task
        assert len({result.cell(task, a).oracle for a in result.architectures}) == 1


def test_parameter_counts_match_the_models(result):
    for task, config in (("motif-pair", LensConfig(4, 500, width=matrix.WIDTH)),
                         ("drift", LensConfig(1, 6, width=matrix.WIDTH))):
        for name in ARCHITECTURES:
            expected = sum(p.numel() for p in build(name, config).parameters())
            assert result.cell(task, name).parameters == expected


def test_training_flops_are_counted_deterministically_and_include_the_lstm():
    task = matrix.TASKS["motif-pair"](0)
    config = LensConfig(4, 500, width=16)
    with seeded(0):
        lstm = build("lstm", config)
    first, second = training_flops(lstm, task, TINY), training_flops(lstm, task, TINY)
    assert first == second
    # the recurrent matrix products alone, forward only: 2 directions x T steps x 2 matmuls (input, hidden)
    units, tokens = config.width // 2, config.tokens
    recurrent = 2 * tokens * 2 * TINY.batch * (4 * units) * (config.width + units)
    assert first >= TINY.steps * recurrent
    assert all(p.grad is None for p in lstm.parameters())          # counting leaves no gradients behind


def test_the_same_seed_gives_the_same_model():
    task = matrix.TASKS["motif-pair"](0)
    a = matrix.train_lens(task, "cnn", 0, TINY)
    b = matrix.train_lens(task, "cnn", 0, TINY)
    for p, q in zip(a.parameters(), b.parameters()):
        assert torch.equal(p, q)


def test_best_is_the_highest_mean_and_labels_name_the_lenses(result):
    for task in result.tasks:
        best = result.best(task)
        assert best.mean == max(result.cell(task, a).mean for a in result.architectures)
        assert result.tied(task, best.architecture)
    assert [result.cell("drift", a).label for a in result.architectures] == [
        "Fully connected", "CNN", "LSTM", "Transformer"]


def test_view_of_three_lenses(result):
    v = result.view
    assert v is not None and v.motif_names == ("Spi1", "CEBPB")
    assert v.feature_map.shape == (4, 500) and v.hidden.shape == (4, 32)
    assert v.attention.shape == (32,) and v.attention.sum() == pytest.approx(1.0, abs=1e-5)
    assert v.distance <= 100
    assert 1 <= v.attention_rank_a <= 32
    assert v.site(v.pos_a) == "Spi1" and v.site(v.pos_b + 2) == "CEBPB"
    assert set(v.scores) == set(ARCHITECTURES)


def _result(scores: dict[str, tuple[float, ...]]) -> MatrixResult:
    cells = tuple(Cell("local-motif", a, "AUROC", s, 0.9, 10, 100) for a, s in scores.items())
    return MatrixResult(("local-motif",), tuple(scores), (0, 1, 2), (("local-motif", TINY),),
                        (("local-motif", ("cnn",)),), 10, cells, None)


def test_a_pick_within_the_seeds_spread_agrees():
    r = _result({"cnn": (0.80, 0.84, 0.88), "transformer": (0.85, 0.86, 0.87)})
    assert r.best("local-motif").architecture == "transformer"
    assert [c.architecture for c in r.picked("local-motif")] == ["cnn"]
    assert r.tied("local-motif", "cnn")
    assert r.agrees == {"local-motif": True}
    assert r.disagreeing == ()


def test_a_pick_beyond_the_spread_disagrees():
    r = _result({"cnn": (0.60, 0.61, 0.62), "transformer": (0.85, 0.86, 0.87)})
    assert not r.tied("local-motif", "cnn")
    assert r.agrees == {"local-motif": False}
    assert r.disagreeing == ("local-motif",)


def test_budget_property_needs_one_shared_budget():
    r = _result({"cnn": (0.6, 0.7, 0.8)})
    assert r.budget == TINY
    mixed = MatrixResult(r.tasks, r.architectures, r.seeds, (("a", TINY), ("b", Budget())), r.picks, 10,
                         r.cells, None)
    with pytest.raises(ValueError, match="budgets: expected one budget"):
        mixed.budget


def test_unknown_task_lists_the_valid_names():
    with pytest.raises(ValueError, match=r"tasks: expected one of \['local-motif', 'motif-pair', 'next-step', 'long-range'\]"):
        lens_matrix("splicing")


def test_unknown_architecture_lists_the_valid_names():
    with pytest.raises(ValueError, match=r"architectures: expected one of \['fully-connected', 'cnn', 'lstm', 'transformer'\]"):
        lens_matrix("motif-pair", ["cnn", "mamba"])


def test_an_empty_selection_is_rejected():
    with pytest.raises(ValueError, match="tasks: expected at least one of"):
        lens_matrix([])


def test_seeds_are_required():
    with pytest.raises(ValueError, match="seeds: expected at least one int"):
        lens_matrix("motif-pair", "cnn", seeds=())


def test_unknown_cell_is_rejected(result):
    with pytest.raises(ValueError, match="no cell"):
        result.cell("motif-pair", "resnet")


def test_the_build_registers_the_matrix_with_all_four_tasks():
    assert EXPERIMENTS["lens_matrix"] is matrix.lens_matrix_build
    assert list(matrix.TASKS) == ["local-motif", "motif-pair", "next-step", "long-range"]
    for name, make in matrix.TASKS.items():
        task = make(0)
        assert isinstance(task, Task) and task.name == name


def test_bench_times_each_cell():
    rows = bench_matrix("motif-pair", ["fully-connected", "cnn"], seeds=(0, 1), budgets={"motif-pair": TINY})
    assert [(r["task"], r["lens"]) for r in rows] == [("motif-pair", "fully-connected"), ("motif-pair", "cnn"),
                                                      ("total", "")]
    assert all(r["seconds"] > 0 for r in rows)
    assert rows[-1]["seconds"] == pytest.approx(rows[0]["seconds"] + rows[1]["seconds"])
    assert rows[0]["per_seed"] == pytest.approx(rows[0]["seconds"] / 2)


def test_figures_draw(result):
    for draw in (index.three_lenses, choosing.lens_matrix):
        for theme in style.THEMES:
            with style.themed(theme):
                assert draw(result).axes
