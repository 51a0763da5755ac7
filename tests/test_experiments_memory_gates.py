"""How a trained LSTM holds the donors: gates traced, carrier units erased."""

import numpy as np
import pytest
import torch

from lensbook.experiments.memory_curriculum import predict, scores
from lensbook.experiments.memory_gates import erase_units, erasure, gate_trace
from lensbook.models.lstm import LSTMConfig, LSTMReader
from lensbook.tasks.memory import DonorOrderTask
from lensbook.train import seeded


def _lstm(hidden: int, seed: int = 0) -> LSTMReader:
    with seeded(seed):
        return LSTMReader(LSTMConfig(hidden=hidden, forget_bias=3.0))


def test_cell_state_balance_and_what_is_left():
    # with the forget gate pinned at f and the write at w, C settles at w / (1 - f), and log10_kept is
    # the gap's length times log10(f)
    model = _lstm(4)
    with torch.no_grad():
        for name, parameter in model.lstm.named_parameters():
            parameter.zero_()
        model.lstm.bias_ih_l0[4:8] = 2.0                  # f = sigmoid(2)
        model.lstm.bias_ih_l0[0:4] = 20.0                 # i = 1
        model.lstm.bias_ih_l0[8:12] = 0.5                 # g = tanh(0.5)
    trace = gate_trace(model, gap=200, batch=32)
    f, w = torch.sigmoid(torch.tensor(2.0)).item(), torch.tanh(torch.tensor(0.5)).item()
    assert trace.forget_variant["first"][0] == pytest.approx(f, rel=1e-5)
    assert trace.cell_variant["first"][0] == pytest.approx(w / (1 - f), rel=0.02)
    assert trace.log10_kept["first"][0] == pytest.approx(200 * np.log10(f), rel=1e-4)


def test_gate_trace_reads_the_trained_weights():
    model = _lstm(6)
    trace = gate_trace(model, gap=5, batch=32)
    assert trace.sequence[trace.first:trace.first + 2] == "GT"
    assert len(trace.sequence) == 27 and trace.first == 0 and trace.distance == 25 and trace.gap_bases == 5
    assert trace.forget.shape == trace.input.shape == trace.output.shape == (6, 27)
    assert set(trace.state) == set(model.state_dict())
    with torch.no_grad():
        model.lstm.bias_ih_l0[6:12] = 20.0              # forget gates wide open
    assert gate_trace(model, gap=5, batch=32).forget_gap["first"] > 0.99


def test_erasing_nothing_gives_the_models_own_answers():
    model = _lstm(3)
    accuracy, carriers = erase_units(model, gap=4, ks=(0, 3), batch=64)
    planted = DonorOrderTask(4).sample_planted(64, torch.Generator().manual_seed(0))
    _, first, second = scores(predict(model, planted.x), planted.y)
    assert accuracy["first"][0] == pytest.approx(first) and accuracy["second"][0] == pytest.approx(second)
    assert all(0.0 <= accuracy[slot][3] <= 1.0 and 0 <= carriers[slot] <= 3 for slot in ("first", "second"))


def test_erasure_gathers_the_seeds_and_erases_halfway():
    e = erasure([_lstm(3, 0), _lstm(3, 1)], seeds=(0, 1), gap=4, ks=(0, 1), batch=32)
    assert e.ks == (0, 1, 3) and e.length == 26 and e.position == 13
    assert e.loss("first", 0) == (0.0, 0.0)
    assert e.loss("second", 3) == tuple(a - b for a, b in zip(e.accuracy["second"][0], e.accuracy["second"][3]))
