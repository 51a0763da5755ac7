import dataclasses
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pytest
import torch

from lensbook.bench.matrix import bench_matrix
from lensbook.experiments import matrix, matrix_protocol, matrix_training
from lensbook.experiments.matrix import MatrixResult, lens_matrix
from lensbook.experiments.matrix_cells import Cell, Curve, verdict
from lensbook.experiments.matrix_protocol import Fitting, Protocol, Scaling, fitting_data, scaling
from lensbook.experiments.matrix_training import fit, pretrain_stem, step_flops, train_cell
from lensbook.experiments.registry import EXPERIMENTS
from lensbook.figures import choosing, index, style
from lensbook.models.lenses import ARCHITECTURES, LensConfig, build
from lensbook.tasks import Task
from lensbook.tasks.compat import CompatibilityTask
from lensbook.train import seeded

TINY = Protocol(train_size=96, val_size=64, batch=8, eval_every=2, patience=1, max_steps=4, lr_grid=(1e-3, 1e-2))


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
        mp.setattr(matrix_protocol, "TEST_SIZE", 200)
        return lens_matrix(["motif-pair", "drift"], seeds=(0, 1, 2), protocols={"motif-pair": TINY, "drift": TINY},
                           curve_sizes={"motif-pair": (16, 32)})


def test_the_stand_in_follows_the_protocol():
    assert isinstance(Drift(), Task)


def test_every_cell_is_filled(result):
    assert result.tasks == ("motif-pair", "drift")
    assert result.architectures == ARCHITECTURES
    assert result.seeds == (0, 1, 2) and result.n_seeds == 3
    assert result.test_size == 200                               # the patched size, read where it is defined
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
    for task, config in (("motif-pair", LensConfig(4, 500, width=matrix_protocol.WIDTH)),
                         ("drift", LensConfig(1, 6, width=matrix_protocol.WIDTH))):
        for name in ARCHITECTURES:
            expected = sum(p.numel() for p in build(name, config).parameters())
            assert result.cell(task, name).parameters == expected


def test_training_flops_are_counted_deterministically_and_include_the_lstm():
    task = matrix.TASKS["motif-pair"](0)
    config = LensConfig(4, 500, width=16)
    with seeded(0):
        lstm = build("lstm", config)
    first, second = step_flops(lstm, task, 8), step_flops(lstm, task, 8)
    assert first == second
    # the recurrent matrix products alone, forward only: 2 directions x T steps x 2 matmuls (input, hidden)
    units, tokens = config.width // 2, config.tokens
    recurrent = 2 * tokens * 2 * 8 * (4 * units) * (config.width + units)
    assert first >= recurrent
    assert all(p.grad is None for p in lstm.parameters())          # counting leaves no gradients behind


def test_the_same_seed_gives_the_same_model():
    task = matrix.TASKS["motif-pair"](0)
    data = fitting_data(task, TINY)
    a = fit(task, "cnn", 0, 1e-2, TINY, data).model
    b = fit(task, "cnn", 0, 1e-2, TINY, data).model
    for p, q in zip(a.parameters(), b.parameters()):
        assert torch.equal(p, q)


def test_the_fixed_sets_are_drawn_once_from_fixed_seeds():
    task = matrix.TASKS["motif-pair"](0)
    a, b = fitting_data(task, TINY), fitting_data(task, TINY)
    assert torch.equal(a.x_train, b.x_train) and torch.equal(a.x_val, b.x_val)
    assert a.x_train.shape[0] == TINY.train_size and a.x_val.shape[0] == TINY.val_size
    x_test = matrix_protocol.test_data(task, a.scale, 64)[0]
    assert not any(torch.equal(x_test[i], a.x_train[j]) for i in range(8) for j in range(TINY.train_size))


def test_model_selection_never_sees_the_test_set(one_thread):
    """The chosen rate, the grid and the validation scores do not change with the test set;
    the test set is drawn only after every model is trained."""
    task = matrix.TASKS["motif-pair"](0)
    calls = []
    real_fit, real_test = matrix_training.fit, matrix_training.test_data
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(matrix_training, "fit", lambda *a, **k: (calls.append("fit"), real_fit(*a, **k))[1])
        mp.setattr(matrix_training, "test_data", lambda *a, **k: (calls.append("test"), real_test(*a, **k))[1])
        mp.setattr(matrix_protocol, "TEST_SIZE", 100)
        first = train_cell("motif-pair", task, "cnn", (0, 1), TINY, (16,), (0,))[0]
        mp.setattr(matrix_protocol, "TEST_SEED", 12_345)
        second = train_cell("motif-pair", task, "cnn", (0, 1), TINY, (16,), (0,))[0]
    assert calls.count("test") == 2 and calls[len(calls) // 2 - 1] == "test" and calls[-1] == "test"
    assert (first.lr, first.grid, first.val_scores) == (second.lr, second.grid, second.val_scores)
    assert first.scores != second.scores                         # the test sets did differ
    assert first.lr == max(first.grid, key=lambda g: g[1])[0]    # the rate with the best validation score


def test_a_curve_trains_on_prefixes_of_the_training_set(one_thread):
    """Nested, fixed sets: a fit of size n never touches the rows after n."""
    task = matrix.TASKS["motif-pair"](0)
    data = fitting_data(task, TINY)
    poisoned = Fitting(x_train=torch.cat([data.x_train[:32], torch.full_like(data.x_train[32:], float("nan"))]),
                       y_train=data.y_train, x_val=data.x_val, y_val=data.y_val, scale=data.scale)
    f = fit(task, "cnn", 0, 1e-2, TINY, poisoned, size=32)
    assert all(torch.isfinite(p).all() for p in f.model.parameters())
    assert np.isfinite(f.train_score) and np.isfinite(f.val_score)
    with pytest.raises(ValueError, match="size"):
        fit(task, "cnn", 0, 1e-2, TINY, data, size=TINY.train_size + 1)


def test_learning_curves_end_at_the_cell(result):
    assert result.curve_tasks == ("motif-pair",)
    for a in result.architectures:
        c, cell = result.curve("motif-pair", a), result.cell("motif-pair", a)
        assert c.sizes == (16, 32, TINY.train_size)
        assert list(c.sizes) == sorted(c.sizes)
        assert c.test[-1] == tuple(cell.scores[s] for s in matrix.CURVE_SEEDS)
        assert c.train[-1] == tuple(cell.train_scores[s] for s in matrix.CURVE_SEEDS)
        assert all(len(s) == len(matrix.CURVE_SEEDS) for s in c.test + c.train)
    with pytest.raises(ValueError, match="no learning curve"):
        result.curve("drift", "cnn")


def test_data_needed_is_the_first_size_at_the_fraction():
    c = Curve(task="t", architecture="cnn", sizes=(10, 20, 40), test=((0.5, 0.5), (0.8, 0.9), (0.95, 0.95)),
              train=((1, 1),) * 3, oracle=1.0)
    assert c.data_needed(0.85) == 20 and c.data_needed(0.9) == 40 and c.data_needed(0.99) is None
    assert c.gap[0] == pytest.approx(0.5)


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
    cells = tuple(_cell(s, task="local-motif", architecture=a) for a, s in scores.items())
    return MatrixResult(tasks=("local-motif",), architectures=tuple(scores), seeds=(0, 1, 2),
                        protocols=(("local-motif", TINY),), picks=(("local-motif", ("cnn",)),), test_size=10,
                        cells=cells, view=None)


def _cell(scores: tuple[float, ...], task: str = "t", architecture: str = "cnn") -> Cell:
    return Cell(task=task, architecture=architecture, metric="AUROC", scores=scores, oracle=0.9, parameters=10,
                flops=100)


def test_the_interval_is_a_t_interval_over_seeds():
    c = _cell((0.80, 0.84, 0.88))
    assert c.half_width == pytest.approx(4.303 * 0.04 / np.sqrt(3))
    assert c.interval == pytest.approx((0.84 - c.half_width, 0.84 + c.half_width))
    assert _cell((0.8,)).half_width == 0.0


def test_the_verdict_is_undetermined_when_the_two_best_intervals_overlap():
    r = _result({"cnn": (0.80, 0.84, 0.88), "transformer": (0.85, 0.86, 0.87), "lstm": (0.5, 0.5, 0.5)})
    assert r.best("local-motif").architecture == "transformer"
    assert r.verdict("local-motif") == "undetermined" and r.undetermined == ("local-motif",)
    assert verdict(r.cells) == "undetermined"
    assert r.tied("local-motif", "cnn")
    assert r.agreement("local-motif") == "undetermined"
    assert r.agrees == {"local-motif": False} and r.disagreeing == ()


def test_a_separated_best_lens_is_the_verdict():
    r = _result({"cnn": (0.60, 0.61, 0.62), "transformer": (0.85, 0.86, 0.87)})
    assert r.verdict("local-motif") == "transformer"
    assert not r.tied("local-motif", "cnn")
    assert r.agreement("local-motif") == "disagrees"
    assert r.agrees == {"local-motif": False}
    assert r.disagreeing == ("local-motif",)
    r = _result({"cnn": (0.85, 0.86, 0.87), "transformer": (0.60, 0.61, 0.62)})
    assert r.verdict("local-motif") == "cnn" and r.agrees == {"local-motif": True}


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
    with pytest.raises(ValueError, match="seeds: expected ints including 0"):
        lens_matrix("motif-pair", "cnn", seeds=())
    with pytest.raises(ValueError, match="seeds: expected ints including 0"):
        lens_matrix("motif-pair", "cnn", seeds=(1, 2))


def test_unknown_cell_is_rejected(result):
    with pytest.raises(ValueError, match="no cell"):
        result.cell("motif-pair", "resnet")


def test_the_build_registers_the_matrix_with_all_four_tasks():
    assert EXPERIMENTS["lens_matrix"] is matrix.lens_matrix_build
    split = ("lensbook.experiments.matrix", "lensbook.experiments.lens_view")
    assert [n for n, f in EXPERIMENTS.items() if f.__module__.startswith(split)] == ["lens_matrix"]
    assert list(matrix.TASKS) == ["local-motif", "motif-pair", "next-step", "long-range"]
    for name, make in matrix.TASKS.items():
        task = make(0)
        assert isinstance(task, Task) and task.name == name


def test_the_fixed_sets_constants_live_in_one_module():
    """Readers look TEST_SIZE and TEST_SEED up in matrix_protocol: a patch of a copy elsewhere would
    silently miss them, so there is no copy (patching ``matrix.TEST_SIZE`` fails loudly)."""
    from lensbook.experiments import lens_view, matrix_cells, matrix_result

    for name in ("TEST_SIZE", "TEST_SEED"):
        assert hasattr(matrix_protocol, name)
        assert not any(hasattr(m, name) for m in (matrix, matrix_training, matrix_cells, matrix_result, lens_view))
    with pytest.raises(AttributeError), pytest.MonkeyPatch.context() as mp:
        mp.setattr(matrix, "TEST_SIZE", 10)


def test_scaling_is_the_identity_for_binary_tasks_and_z_scores_for_regression():
    x, y = torch.randn(50, 1, 6) * 3 + 2, torch.randn(50) * 5 - 1
    assert scaling(matrix.TASKS["motif-pair"](0), y, x) == Scaling()
    assert torch.equal(Scaling()(x, y)[0], x) and torch.equal(Scaling()(x, y)[1], y)
    zx, zy = scaling(Drift(), y, x)(x, y)
    assert float(zx.mean()) == pytest.approx(0, abs=1e-5) and float(zx.std()) == pytest.approx(1, abs=1e-5)
    assert float(zy.mean()) == pytest.approx(0, abs=1e-5) and float(zy.std()) == pytest.approx(1, abs=1e-5)


def test_a_curve_s_seeds_and_sizes_are_checked_before_any_training():
    task = matrix.TASKS["motif-pair"](0)
    with pytest.raises(ValueError, match="curve_seeds: expected seeds of the cell"):
        train_cell("motif-pair", task, "cnn", (0, 1), TINY, (16,), ())
    with pytest.raises(ValueError, match="curve_seeds: expected seeds of the cell"):
        train_cell("motif-pair", task, "cnn", (0, 1), TINY, (16,), (0, 2))
    with pytest.raises(ValueError, match="curve_sizes: expected sizes below"):
        train_cell("motif-pair", task, "cnn", (0, 1), TINY, (16, TINY.train_size), (0,))


def test_bench_times_each_cell():
    rows = bench_matrix("motif-pair", ["fully-connected", "cnn"], seeds=(0, 1), protocols={"motif-pair": TINY})
    assert [(r["task"], r["lens"]) for r in rows] == [("motif-pair", "fully-connected"), ("motif-pair", "cnn"),
                                                      ("total", "")]
    assert all(r["seconds"] > 0 for r in rows)
    assert rows[-1]["seconds"] == pytest.approx(rows[0]["seconds"] + rows[1]["seconds"])
    assert rows[0]["per_seed"] == pytest.approx(rows[0]["seconds"] / 3)   # two grid rates + seed 1


def test_make_bench_finds_the_matrix_benchmark():
    from lensbook.site.bench import micro_benchmarks

    assert micro_benchmarks()["matrix.bench_matrix"] is bench_matrix


def test_figures_draw(result):
    for draw in (index.three_lenses, choosing.lens_matrix, choosing.learning_curves):
        for theme in style.THEMES:
            with style.themed(theme):
                assert draw(result).axes


def test_workers_do_not_change_the_result(one_thread):
    """Every cell is seeded on its own: trained in parallel processes it is the same cell."""
    kwargs = dict(seeds=(0, 1), protocols={"motif-pair": TINY}, view=False)
    one = lens_matrix("motif-pair", ["fully-connected", "cnn"], **kwargs)
    two = lens_matrix("motif-pair", ["fully-connected", "cnn"], workers=2, **kwargs)
    for a, b in zip(one.cells, two.cells):
        assert (a.scores, a.grid, a.steps, a.train_scores) == (b.scores, b.grid, b.steps, b.train_scores)


SMALL_PAIRS = CompatibilityTask(length=160, promoter_start=140, min_distance=10, max_distance=130, min_separation=40)
WARM = Protocol(train_size=96, val_size=64, batch=8, eval_every=2, patience=1, max_steps=4, lr_grid=(1e-3,),
                warmup_steps=3, stem_steps=5)


def test_the_curriculum_warms_up_on_the_same_training_set_without_the_farther_enhancer():
    data = fitting_data(SMALL_PAIRS, WARM)
    pairs = SMALL_PAIRS.sample_pairs(96, torch.Generator().manual_seed(matrix_protocol.TRAIN_SEED))
    assert torch.equal(data.x_train, pairs.x)
    differs = (data.x_warmup != data.x_train).any(1)                 # (N, L): bases that differ
    far = SMALL_PAIRS.promoter_start - pairs.far_distance
    for i in range(96):
        changed = torch.nonzero(differs[i]).flatten()
        assert bool(((changed >= far[i]) & (changed < far[i] + SMALL_PAIRS.width)).all())
    assert differs.any(1).float().mean() > 0.9                 # the farther enhancer is (almost) always gone
    assert fitting_data(SMALL_PAIRS, TINY).x_warmup is None


def test_the_warm_up_changes_the_trained_model_and_needs_a_warm_up_version(one_thread):
    data = fitting_data(SMALL_PAIRS, WARM)
    warm = fit(SMALL_PAIRS, "cnn", 0, 1e-3, WARM, data)
    cold = fit(SMALL_PAIRS, "cnn", 0, 1e-3, dataclasses.replace(WARM, warmup_steps=0), data)
    assert any(not torch.equal(a, b) for a, b in zip(warm.model.state_dict().values(), cold.model.state_dict().values()))
    with pytest.raises(ValueError, match="warmup_steps"):
        fitting_data(Drift(), dataclasses.replace(TINY, warmup_steps=2))


def test_the_long_range_row_scores_distance_bands_and_the_single_element_detector(one_thread):
    with pytest.MonkeyPatch.context() as mp:
        mp.setitem(matrix.TASKS, "long-range", lambda seed=0: SMALL_PAIRS)
        mp.setattr(matrix_protocol, "TEST_SIZE", 300)
        r = lens_matrix("long-range", ["cnn", "transformer"], seeds=(0, 1), protocols={"long-range": WARM})
    assert r.single_element == (("long-range", 0.5),)                 # exactly chance
    assert dict(r.band_edges)["long-range"] == SMALL_PAIRS.band_edges == (10, 30, 50, 70, 90)
    for lens in ("cnn", "transformer"):
        c = r.cell("long-range", lens)
        assert len(c.band_scores) == 2 and all(len(b) == 4 for b in c.band_scores)
        assert len(c.mean_bands) == 4 and min(c.oracle_bands) > 0.9
    assert r.bands("long-range") == SMALL_PAIRS.band_edges and r.single_element_score("long-range") == 0.5
    assert list(r.row("long-range")) == ["cnn", "transformer"] and r.cnn_reach_bp("long-range") == 8 * 5
    assert dict(r.cnn_reach)["long-range"] == 8 * 5           # 9-bin window of 5-bp bins (160 bp, 32 tokens)
    from lensbook.figures.transformer import nearer_enhancer_distance
    for theme in style.THEMES:
        for layout in ("wide", "narrow"):
            with style.themed(theme), style.layout(layout):
                ax = nearer_enhancer_distance(r).axes[0]
                assert len(ax.lines) >= 2 + 2 * (2 + 1)      # oracle, single element; per lens seeds + mean


def test_the_pretrained_stem_is_trained_once_per_task_and_loaded_into_every_lens_with_a_stem(one_thread):
    config = LensConfig(SMALL_PAIRS.channels, SMALL_PAIRS.length, width=matrix_protocol.WIDTH)
    state = pretrain_stem(SMALL_PAIRS, config, 96, 5)
    assert pretrain_stem(SMALL_PAIRS, config, 96, 5) is state                      # once
    assert not torch.equal(pretrain_stem(SMALL_PAIRS, config, 96, 6)["conv.weight"], state["conv.weight"])
    with seeded(0):
        fresh = build("cnn", config).stem.state_dict()
    assert not torch.equal(fresh["conv.weight"], state["conv.weight"])                   # it did train
    with pytest.raises(ValueError, match="stem_steps"):
        pretrain_stem(Drift(), LensConfig(1, 6), 96, 5)
