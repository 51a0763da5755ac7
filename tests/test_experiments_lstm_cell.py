"""The sizes of the memory experiment's LSTM, for the cell diagram."""

import pytest

from lensbook.experiments.lstm_cell import cell_sketch
from lensbook.experiments.memory import FORGET_BIAS, HIDDEN


def test_cell_sketch_reads_the_trained_config():
    c = cell_sketch()
    assert (c.channels, c.hidden, c.outputs, c.forget_bias) == (4, HIDDEN, 4, FORGET_BIAS)
    assert c.weights == {gate: (c.hidden, c.hidden + c.channels) for gate in ("f", "i", "c", "o")}
    assert c.params_cell == 4 * (c.hidden * (c.hidden + c.channels) + c.hidden)
    assert c.params_torch == c.params_cell + 4 * c.hidden           # PyTorch keeps a second bias vector
    assert c.forget_start == pytest.approx(0.9526, abs=1e-4)
