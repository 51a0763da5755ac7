import pytest
import torch
from torch import nn

from lensbook.experiments import attention_costs as ac
from lensbook.models.attention import MultiHeadAttention


def test_flop_counts_match_the_formulas():
    r = ac.attention_costs_for(lengths=(64, 128), width=16, heads=2, kernel=5)
    d = 16
    for i, L in enumerate((64, 128)):
        assert r.flops["attention"][i] == 8 * L * d * d + 4 * L * L * d     # 4 projections, QKᵀ, αV
        assert r.flops["convolution"][i] == 2 * L * 5 * d * d
        assert r.flops["LSTM"][i] == 2 * L * 4 * d * (d + d)                 # 4 gates, input and hidden
        assert r.attention_matrix_bytes[i] == 2 * L * L * 4
    assert r.slope("convolution") == pytest.approx(1.0)
    assert 1.5 < r.slope("attention") < 2.0
    assert r.flops_ratio("attention", "convolution")[1] == pytest.approx(r.flops["attention"][1] / r.flops["convolution"][1])


def test_lstm_count_equals_an_unfused_lstm():
    lstm = nn.LSTM(8, 8, batch_first=True, device="meta")
    counter = torch.utils.flop_counter.FlopCounterMode(display=False)
    with counter:
        lstm(torch.zeros(1, 6, 8, device="meta"))                # on meta the LSTM runs step by step
    assert ac.count_flops(nn.LSTM(8, 8, batch_first=True), 6, 8) == counter.get_total_flops()


def test_cost_layers_have_the_same_width():
    layers = ac.cost_layers(width=32, heads=4, kernel=3)
    assert isinstance(layers["attention"], MultiHeadAttention) and layers["attention"].d_model == 32
    assert layers["convolution"].out_channels == 32 and layers["LSTM"].hidden_size == 32


def test_cost_lengths_are_checked():
    with pytest.raises(ValueError, match="lengths: expected at least two positive ints"):
        ac.attention_costs_for(lengths=(256,))
