import pytest
import torch
from torch import nn

from lensbook.models.lstm import (
    LSTM, TORCH_GATE_ORDER, LSTMCell, LSTMConfig, LSTMReader, LSTMTagger, set_forget_bias,
)


def torch_lstm(channels=4, hidden=6, seed=0):
    torch.manual_seed(seed)
    return nn.LSTM(channels, hidden, batch_first=True)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_hand_written_lstm_matches_torch(seed):
    reference = torch_lstm(seed=seed)
    ours = LSTM(4, 6).load_torch(reference)
    x = torch.randn(3, 4, 50, generator=torch.Generator().manual_seed(seed))
    with torch.no_grad():
        expected, (h_n, c_n) = reference(x.transpose(1, 2))
        gates = ours.trace(x)
    assert (gates.hidden - expected.transpose(1, 2)).abs().max() < 1e-5
    assert (gates.cell[:, :, -1] - c_n[0]).abs().max() < 1e-5


def test_gates_obey_the_equations():
    ours = LSTM(4, 6).load_torch(torch_lstm())
    g = ours.trace(torch.randn(2, 4, 20))
    for gate in (g.forget, g.input, g.output):
        assert ((gate > 0) & (gate < 1)).all()
    previous = torch.cat([torch.zeros(2, 6, 1), g.cell[:, :, :-1]], dim=2)
    assert torch.allclose(g.cell, g.forget * previous + g.input * g.candidate, atol=1e-6)
    assert torch.allclose(g.hidden, g.output * torch.tanh(g.cell), atol=1e-6)


def test_torch_gate_order_is_mapped():
    reference = torch_lstm()
    ours = LSTM(4, 6).load_torch(reference)
    assert TORCH_GATE_ORDER == ("i", "f", "g", "o")
    forget_ih = reference.weight_ih_l0[6:12]                       # block 1 of (i, f, g, o)
    assert torch.equal(ours.cell.W_f[:, 6:], forget_ih)             # [h | x]: x part last
    assert torch.equal(ours.cell.W_c[:, :6], reference.weight_hh_l0[12:18])
    assert torch.allclose(ours.cell.b_o, reference.bias_ih_l0[18:] + reference.bias_hh_l0[18:])


def test_cell_forward_returns_h_and_c():
    cell = LSTMCell(3, 5)
    h, c = cell(torch.randn(2, 3), (torch.zeros(2, 5), torch.zeros(2, 5)))
    assert h.shape == c.shape == (2, 5)


def test_forget_bias_is_set_on_the_sum():
    lstm = nn.LSTM(4, 8, bidirectional=True)
    set_forget_bias(lstm, 3.0)
    for suffix in ("l0", "l0_reverse"):
        total = getattr(lstm, f"bias_ih_{suffix}") + getattr(lstm, f"bias_hh_{suffix}")
        assert torch.allclose(total[8:16], torch.full((8,), 3.0))
    assert torch.sigmoid(torch.tensor(3.0)) > 0.95


def test_load_torch_rejects_mismatches():
    with pytest.raises(ValueError, match="hidden_size=6"):
        LSTM(4, 6).load_torch(nn.LSTM(4, 5))
    with pytest.raises(ValueError, match="one-direction"):
        LSTM(4, 6).load_torch(nn.LSTM(4, 6, bidirectional=True))


@pytest.mark.parametrize("x, match", [
    (torch.zeros(2, 4, 0), "empty sequence"),
    (torch.zeros(2, 30, 4), "4 channels in dimension 1"),
    (torch.zeros(4, 30), "shape \\(N, 4, L\\)"),
])
def test_bad_input_is_a_clear_value_error(x, match):
    for model in (LSTM(4, 6), LSTMReader(), LSTMTagger()):
        with pytest.raises(ValueError, match=match):
            model(x)


def test_reader_and_tagger_shapes():
    x = torch.zeros(3, 4, 25)
    assert LSTMReader(LSTMConfig(hidden=8, outputs=4))(x).shape == (3, 4)
    assert LSTMTagger(LSTMConfig(hidden=8, outputs=1))(x).shape == (3, 1, 25)
    assert LSTMTagger(LSTMConfig(hidden=8, outputs=2, bidirectional=True))(x).shape == (3, 2, 25)


def test_bidirectional_tagger_sees_the_future_and_one_way_does_not():
    x = torch.randn(1, 4, 10)
    later = x.clone()
    later[:, :, 7:] += 1.0                                          # change only positions 7..9
    for bidirectional, changes in ((False, False), (True, True)):
        model = LSTMTagger(LSTMConfig(hidden=8, outputs=1, bidirectional=bidirectional))
        with torch.no_grad():
            before = model(x)[0, 0, :7]
            after = model(later)[0, 0, :7]
        assert (not torch.allclose(before, after)) == changes


def test_reader_refuses_two_directions_and_config_is_validated():
    with pytest.raises(ValueError, match="bidirectional"):
        LSTMReader(LSTMConfig(bidirectional=True))
    with pytest.raises(ValueError, match="forget_bias"):
        LSTMConfig(forget_bias=float("nan"))
    with pytest.raises(ValueError, match="hidden"):
        LSTMConfig(hidden=0)
    with pytest.raises(ValueError, match="hidden"):
        LSTMCell(4, 0)


def test_rnn_and_lstm_readers_share_one_reading():
    from lensbook.models.rnn import RecurrentReader, RNNConfig, RNNReader

    x = torch.randn(3, 4, 9)
    for model, layer in ((RNNReader(RNNConfig(hidden=6, outputs=2)), "rnn"),
                         (LSTMReader(LSTMConfig(hidden=6, outputs=2)), "lstm")):
        assert isinstance(model, RecurrentReader) and model.recurrent is getattr(model, layer)
        with torch.no_grad():
            states, _ = getattr(model, layer)(x.transpose(1, 2))
            assert torch.equal(model.states(x), states)                  # (N, L, H)
            assert torch.equal(model(x), model.head(states[:, -1]))       # read from h(L)
    with pytest.raises(NotImplementedError):
        RecurrentReader().recurrent
