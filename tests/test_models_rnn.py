import pytest
import torch
from torch import nn

from lensbook.models.rnn import RNN, RNNCell, RNNConfig, RNNReader


def torch_pair(channels=3, hidden=7, outputs=2, seed=0):
    torch.manual_seed(seed)
    return nn.RNN(channels, hidden, batch_first=True), nn.Linear(hidden, outputs, bias=False)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_hand_written_rnn_matches_torch(seed):
    reference, readout = torch_pair(seed=seed)
    ours = RNN(3, 7, 2).load_torch(reference, readout)
    x = torch.randn(5, 3, 40, generator=torch.Generator().manual_seed(seed))
    with torch.no_grad():
        expected = readout(reference(x.transpose(1, 2))[0]).transpose(1, 2)   # (N, L, O) -> (N, O, L)
        got = ours(x)
    assert got.shape == (5, 2, 40)
    assert (got - expected).abs().max() < 1e-5


def test_cell_is_the_manuscript_equation():
    cell = RNNCell(2, 3)
    x, h = torch.randn(4, 2), torch.randn(4, 3)
    by_hand = torch.tanh(cell.W_x @ x.T + cell.W_h @ h.T + cell.b[:, None]).T
    assert torch.allclose(cell(x, h), by_hand, atol=1e-6)


def test_bias_is_the_sum_of_torch_biases():
    reference, readout = torch_pair()
    ours = RNN(3, 7, 2).load_torch(reference, readout)
    assert torch.allclose(ours.cell.b, reference.bias_ih_l0 + reference.bias_hh_l0)


def test_gradients_match_torch():
    reference, readout = torch_pair()
    ours = RNN(3, 7, 2).load_torch(reference, readout)
    x = torch.randn(2, 3, 15)
    readout(reference(x.transpose(1, 2))[0])[:, -1].sum().backward()
    ours(x)[:, :, -1].sum().backward()
    assert (ours.cell.W_h.grad - reference.weight_hh_l0.grad).abs().max() < 1e-5


def test_load_torch_rejects_mismatches():
    with pytest.raises(ValueError, match="hidden_size=7"):
        RNN(3, 7, 2).load_torch(nn.RNN(3, 5, batch_first=True), nn.Linear(5, 2, bias=False))
    with pytest.raises(ValueError, match="one-layer"):
        RNN(3, 7, 2).load_torch(nn.RNN(3, 7, num_layers=2), nn.Linear(7, 2, bias=False))
    with pytest.raises(ValueError, match="bias=False"):
        RNN(3, 7, 2).load_torch(nn.RNN(3, 7), nn.Linear(7, 2))


@pytest.mark.parametrize("x, match", [
    (torch.zeros(3, 10), "shape \\(N, 4, L\\)"),
    (torch.zeros(2, 10, 4), "4 channels in dimension 1"),
    (torch.zeros(2, 4, 0), "empty sequence"),
    (torch.zeros(0, 4, 5), "at least one sequence"),
    (torch.zeros(2, 4, 5, dtype=torch.long), "floating-point"),
    ([[0.0]], "torch.Tensor"),
])
def test_bad_input_is_a_clear_value_error(x, match):
    with pytest.raises(ValueError, match=match):
        RNNReader(RNNConfig())(x)


def test_reader_shapes_and_orthogonal_init():
    model = RNNReader(RNNConfig(channels=4, hidden=16, outputs=3))
    assert model(torch.zeros(5, 4, 12)).shape == (5, 3)
    assert model.states(torch.zeros(5, 4, 12)).shape == (5, 12, 16)
    w = model.rnn.weight_hh_l0
    assert torch.allclose(w @ w.T, torch.eye(16), atol=1e-5)
    default = RNNReader(RNNConfig(hidden=16, init="default")).rnn.weight_hh_l0
    assert default.abs().max() <= 1 / 16 ** 0.5


@pytest.mark.parametrize("kwargs, match", [
    ({"hidden": 0}, "hidden"), ({"channels": 2.5}, "channels"), ({"init": "xavier"}, "init"),
])
def test_config_is_validated(kwargs, match):
    with pytest.raises(ValueError, match=match):
        RNNConfig(**kwargs)


def test_cell_sizes_are_validated():
    with pytest.raises(ValueError, match="hidden"):
        RNNCell(4, 0)
    with pytest.raises(ValueError, match="outputs"):
        RNN(4, 8, 0)
