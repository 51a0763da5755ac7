"""The RNN/LSTM page experiments, run tiny: the machinery, not the build's numbers."""

import numpy as np
import pytest
import torch

from lensbook.experiments import expression as E
from lensbook.experiments import memory as M
from lensbook.figures import style
from lensbook.figures.registry import load_all
from lensbook.tasks.memory import DonorOrderTask


@pytest.fixture(scope="module")
def tiny_memory():
    return M.run_memory(gaps=(0, 4), seeds=(0, 1), first_steps=8, stage_steps=4)


@pytest.fixture(scope="module")
def tiny_boundary():
    return M.boundary_tagging(seeds=(0,), steps=4, test_size=64)


@pytest.fixture(scope="module")
def tiny_expression():
    return E.run_expression(seeds=(0, 1), steps=8, test_size=64)


@pytest.mark.parametrize("kind", ["rnn", "lstm"])
def test_gradient_profile_matches_unit_by_unit_autograd(kind):
    model = M.make_reader(kind, seed=1, hidden=5)
    x, _ = DonorOrderTask(3).sample(3, torch.Generator().manual_seed(0))      # (3, 4, 25)
    profile = M.gradient_profile(model, x)
    layer = (model.rnn if kind == "rnn" else model.lstm).double()
    inputs = x.transpose(1, 2).double().requires_grad_(True)
    last = layer(inputs)[0][:, -1]                                          # (3, 5)
    squares = torch.zeros(3, 25, dtype=torch.float64)
    for j in range(5):
        (grad,) = torch.autograd.grad(last[:, j].sum(), inputs, retain_graph=True)
        squares += grad.square().sum(dim=2)
    expected = squares.sqrt().mean(dim=0).flip(0).numpy()
    assert profile.shape == (25,)
    np.testing.assert_allclose(profile, expected, rtol=1e-4)


def test_decay_summary_of_a_geometric_fall():
    profile = 10.0 ** (-np.arange(40) / 5)              # tenfold every 5 steps
    k, per_decade = M.decay_summary(profile)
    assert k == 11                                      # 10 ** (-11 / 5) is the first value below 1%
    assert per_decade == pytest.approx(5.0)
    assert M.decay_summary(np.ones(10)) == (None, None)


def test_curriculum_is_seeded_and_scored():
    a, _ = M.order_curriculum("lstm", 0, (0, 3), first_steps=6, stage_steps=4, test_size=32)
    b, _ = M.order_curriculum("lstm", 0, (0, 3), first_steps=6, stage_steps=4, test_size=32)
    assert a == b
    assert a.gaps == (0, 3) and len(a.accuracy) == len(a.first) == len(a.second) == 2
    assert all(0.0 <= v <= 1.0 for v in a.accuracy + a.first + a.second)


def test_scores_split_the_two_donors():
    y = torch.tensor([0, 1, 2, 3])
    assert M.scores(torch.tensor([0, 1, 2, 3]), y) == (1.0, 1.0, 1.0)
    assert M.scores(torch.tensor([1, 0, 3, 2]), y) == (0.0, 1.0, 0.0)   # second donor always wrong
    assert M.scores(torch.tensor([2, 3, 0, 1]), y) == (0.0, 0.0, 1.0)   # first donor always wrong


def test_memory_result(tiny_memory):
    r = tiny_memory
    assert r.gaps == (0, 4) and len(r.rnn) == len(r.lstm) == 2 and len(r.rnn[0]) == 2
    assert r.chance == 0.25 and r.oracle == 1.0 and r.max_distance == 24
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
    assert d.seed_index(1) == 1
    e = r.erasure
    assert e.seeds == (0, 1) and e.ks == (0, 1, 4, r.hidden_lstm) and e.position == 13
    for slot in ("first", "second"):
        assert all(len(e.accuracy[slot][k]) == 2 for k in e.ks)
        assert e.loss(slot, 0) == (0.0, 0.0)
        assert all(0 <= c <= r.hidden_lstm for c in e.carriers[slot])
    g = r.gates
    assert g.forget.shape == g.input.shape == g.output.shape == (r.hidden_lstm, 26)
    assert g.bands.shape == (2, 2, 26) and g.traced_cell.shape == (2, 26)
    assert g.first == 0 and g.distance == 24 and set(g.units) == {"first", "second"}
    assert 0.0 < g.forget_gap["first"] < 1.0
    for slot in ("first", "second"):
        assert len(g.forget_variant[slot]) == len(g.cell_variant[slot]) == len(g.write_variant[slot]) == 2
        assert all(0.0 < f < 1.0 for f in g.forget_variant[slot])
        assert all(k <= 0.0 for k in g.log10_kept[slot])
        assert g.held[slot] in (0, 1)
    assert g.gap_bases == 4
    assert r.params_lstm > r.params_rnn


def test_cell_state_balance_and_what_is_left():
    # with the forget gate pinned at f and the write at w, C settles at w / (1 - f), and log10_kept is
    # the gap's length times log10(f)
    model = M.make_reader("lstm", seed=0, hidden=4)
    with torch.no_grad():
        for name, parameter in model.lstm.named_parameters():
            parameter.zero_()
        model.lstm.bias_ih_l0[4:8] = 2.0                  # f = sigmoid(2)
        model.lstm.bias_ih_l0[0:4] = 20.0                 # i = 1
        model.lstm.bias_ih_l0[8:12] = 0.5                 # g = tanh(0.5)
    trace = M.gate_trace(model, gap=200, batch=32)
    f, w = torch.sigmoid(torch.tensor(2.0)).item(), torch.tanh(torch.tensor(0.5)).item()
    assert trace.forget_variant["first"][0] == pytest.approx(f, rel=1e-5)
    assert trace.cell_variant["first"][0] == pytest.approx(w / (1 - f), rel=0.02)
    assert trace.log10_kept["first"][0] == pytest.approx(200 * np.log10(f), rel=1e-4)


def test_erasing_nothing_gives_the_models_own_answers():
    model = M.make_reader("lstm", seed=0, hidden=3)
    accuracy, carriers = M.erase_units(model, gap=4, ks=(0, 3), batch=64)
    planted = DonorOrderTask(4).sample_planted(64, torch.Generator().manual_seed(0))
    _, first, second = M.scores(M.predict(model, planted.x), planted.y)
    assert accuracy["first"][0] == pytest.approx(first) and accuracy["second"][0] == pytest.approx(second)
    assert all(0.0 <= accuracy[slot][3] <= 1.0 and 0 <= carriers[slot] <= 3 for slot in ("first", "second"))


def test_cell_sketch_reads_the_trained_config():
    c = M.cell_sketch()
    assert (c.channels, c.hidden, c.outputs, c.forget_bias) == (4, M.HIDDEN["lstm"], 4, M.FORGET_BIAS)
    assert c.weights == {gate: (c.hidden, c.hidden + c.channels) for gate in ("f", "i", "c", "o")}
    assert c.params_cell == 4 * (c.hidden * (c.hidden + c.channels) + c.hidden)
    assert c.params_torch == c.params_cell + 4 * c.hidden           # PyTorch keeps a second bias vector
    assert c.forget_start == pytest.approx(0.9526, abs=1e-4)


def test_gate_trace_reads_the_trained_weights():
    model = M.make_reader("lstm", seed=0, hidden=6)
    trace = M.gate_trace(model, gap=5, batch=32)
    assert trace.sequence[trace.first:trace.first + 2] == "GT"
    assert len(trace.sequence) == 27
    with torch.no_grad():
        model.lstm.bias_ih_l0[6:12] = 20.0              # forget gates wide open
    assert M.gate_trace(model, gap=5, batch=32).forget_gap["first"] > 0.99


def test_boundary_result(tiny_boundary):
    r = tiny_boundary
    assert len(r.uni) == len(r.bi) == 1
    assert 0.5 <= r.majority <= 1.0 and r.oracle == 1.0
    assert r.hidden_bi * 2 == r.hidden_uni


def test_expression_result(tiny_expression):
    r = tiny_expression
    assert r.n_seeds == 2 and len(r.member_mean) == 2
    assert r.oracle_mean == pytest.approx(5.87, abs=0.05)
    assert r.ensemble_sd >= min(r.member_sd)
    assert len(r.band_low) == len(r.band_hours) == 25
    assert all(lo <= mid <= hi for lo, mid, hi in zip(r.band_low, r.band_mid, r.band_high))
    assert set(r.guess_within) == {"ensemble", "oracle"}
    assert r.guess_within["oracle"] == (abs(5.5 - r.oracle_mean) <= r.oracle_sd)
    assert r.oracle_draws == 32768 and 0 < r.oracle_ess <= r.oracle_draws


@pytest.mark.parametrize("name", ["expression-forecast", "gradient-decay", "memory-over-gap", "lstm-gates",
                                  "bidirectional", "lstm-cell"])
def test_figures_draw_in_both_themes(name, tiny_memory, tiny_boundary, tiny_expression):
    results = {"memory": tiny_memory, "bidirectional": tiny_boundary, "expression_forecast": tiny_expression,
               "lstm_cell": M.cell_sketch()}
    spec = load_all()[name]
    result = results[spec.experiment]
    for theme in style.THEMES:
        with style.themed(theme):
            assert style.to_svg(spec.draw(result)).startswith(b"<?xml")


def test_cell_diagram_text_is_legible():
    with style.themed("light"):
        fig = load_all()["lstm-cell"].draw(M.cell_sketch())
    sizes = [t.get_fontsize() for t in fig.axes[0].texts]
    assert min(sizes) >= 9                                     # no smaller than the other figures' labels
    assert any("32×36" in t.get_text() for t in fig.axes[0].texts)


def test_bad_arguments():
    with pytest.raises(ValueError, match="kind"):
        M.make_reader("gru", 0)
    with pytest.raises(ValueError, match="gaps"):
        M.order_curriculum("rnn", 0, (10, 5))
    with pytest.raises(ValueError, match="seeds"):
        M.run_memory(seeds=())
