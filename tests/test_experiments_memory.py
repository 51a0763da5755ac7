"""The memory experiment, run tiny: the machinery, not the build's numbers; and the RNN/LSTM page figures."""

import dataclasses

import numpy as np
import pytest

from lensbook.experiments import memory as M
from lensbook.experiments.bidirectional import boundary_tagging
from lensbook.experiments.expression import run_expression
from lensbook.experiments.lstm_cell import cell_sketch
from lensbook.figures import style
from lensbook.figures.registry import load_all


@pytest.fixture(scope="module")
def tiny_memory():
    return M.run_memory(gaps=(0, 4), seeds=(0, 1), first_steps=8, stage_steps=4)


def test_memory_result(tiny_memory):
    r = tiny_memory
    assert r.gaps == (0, 4) and len(r.rnn) == len(r.lstm) == 2 and len(r.rnn[0]) == 2
    assert r.chance == 0.25 and r.oracle == 1.0 and r.max_gap == 4 and r.max_distance == 24
    assert r.n_seeds == 2 and r.seed_traced == 0 and r.hidden == M.HIDDEN
    assert set(r.gradients.names) == set(r.gradients.profiles) == set(r.gradients.labels)
    assert all(len(p) == r.gradients.length == 26 for p in r.gradients.profiles.values())
    d = r.gradients
    assert d.seeds == (0, 1)
    for name in ("rnn_trained", "lstm_trained"):
        assert d.seed_profiles[name].shape == (2, 26)
        np.testing.assert_array_equal(d.seed_profiles[name][0], d.profiles[name])   # seed 0 is the one drawn
        assert len(d.seed_to_1_percent[name]) == len(d.seed_gap_level[name]) == len(d.seed_donor_gain[name]) == 2
        assert set(d.faded(name)) | set(d.kept(name)) == {0, 1} and not set(d.faded(name)) & set(d.kept(name))
        assert d.seed_to_1_percent[name][0] == d.to_1_percent[name]
    e = r.erasure
    assert e.seeds == (0, 1) and e.ks == (0, 1, 4, r.hidden) and e.position == 13
    for slot in ("first", "second"):
        assert all(len(e.accuracy[slot][k]) == 2 for k in e.ks)
        assert all(0 <= c <= r.hidden for c in e.carriers[slot])
    g = r.gates
    assert g.forget.shape == (r.hidden, 26) and g.bands.shape == (2, 2, 26) and g.traced_cell.shape == (2, 26)
    assert g.first == 0 and g.distance == 24 and set(g.units) == {"first", "second"}
    for slot in ("first", "second"):
        assert len(g.forget_variant[slot]) == len(g.cell_variant[slot]) == len(g.write_variant[slot]) == 2
        assert all(0.0 < f < 1.0 for f in g.forget_variant[slot])
        assert all(k <= 0.0 for k in g.log10_kept[slot])
        assert g.held[slot] in (0, 1)
    assert g.gap_bases == 4
    assert r.params_lstm > r.params_rnn


def test_the_quoted_statistics_come_from_the_tables(tiny_memory):
    r = dataclasses.replace(tiny_memory, gaps=(0, 10, 40),
                            rnn=((0.98, 0.30, 0.26), (1.00, 0.40, 0.25)),
                            lstm=((1.00, 0.95, 0.92), (0.99, 0.97, 0.96)),
                            rnn_first=((1.0, 0.6, 0.5), (1.0, 0.6, 0.7)), rnn_second=((1.0, 0.5, 0.4), (1.0, 0.5, 0.6)))
    assert r.rnn_chance_gap == 40                       # at gap 10 one seed is still above chance + 0.1
    assert r.lstm_min_beyond == 0.92 and r.lstm_min_at_longest == 0.92
    assert r.rnn_max_at_longest == 0.26 and r.rnn_mean_at_longest == pytest.approx(0.255)
    assert r.rnn_mean_at_zero == pytest.approx(0.99)
    assert r.rnn_first_at_longest == pytest.approx(0.6) and r.rnn_second_at_longest == pytest.approx(0.5)
    never = dataclasses.replace(r, rnn=((1.0, 0.9, 0.8), (1.0, 0.9, 0.8)))
    assert never.rnn_chance_gap == -1 and np.isnan(never.lstm_min_beyond)


def test_at_least_one_seed():
    with pytest.raises(ValueError, match="seeds"):
        M.run_memory(seeds=())


@pytest.mark.parametrize("name", ["expression-forecast", "gradient-decay", "memory-over-gap", "lstm-gates",
                                  "bidirectional", "lstm-cell"])
def test_figures_draw_in_both_themes(name, tiny_memory):
    results = {"memory": tiny_memory, "lstm_cell": cell_sketch()}
    spec = load_all()[name]
    if spec.experiment == "bidirectional":
        results["bidirectional"] = boundary_tagging(seeds=(0,), steps=4, test_size=64)
    if spec.experiment == "expression_forecast":
        results["expression_forecast"] = run_expression(seeds=(0, 1), steps=8, test_size=64)
    result = results[spec.experiment]
    for theme in style.THEMES:
        with style.themed(theme):
            assert style.to_svg(spec.draw(result)).startswith(b"<?xml")


def test_cell_diagram_text_is_legible():
    with style.themed("light"):
        fig = load_all()["lstm-cell"].draw(cell_sketch())
    sizes = [t.get_fontsize() for t in fig.axes[0].texts]
    assert min(sizes) >= 9                                     # no smaller than the other figures' labels
    assert any("32×36" in t.get_text() for t in fig.axes[0].texts)
