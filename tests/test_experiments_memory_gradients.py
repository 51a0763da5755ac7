"""The vanishing gradient, measured: profiles and their summaries."""

import numpy as np
import pytest
import torch

from lensbook.experiments.memory_gradients import GradientDecay, decay_summary, gradient_decay, gradient_profile
from lensbook.models.lstm import LSTMConfig, LSTMReader
from lensbook.models.rnn import RNNConfig, RNNReader
from lensbook.tasks.memory import DonorOrderTask
from lensbook.train import seeded


def _reader(kind: str, seed: int = 1, hidden: int = 5):
    with seeded(seed):
        return RNNReader(RNNConfig(hidden=hidden)) if kind == "rnn" else LSTMReader(LSTMConfig(hidden=hidden))


@pytest.mark.parametrize("kind", ["rnn", "lstm"])
def test_gradient_profile_matches_unit_by_unit_autograd(kind):
    model = _reader(kind)
    x, _ = DonorOrderTask(3).sample(3, torch.Generator().manual_seed(0))      # (3, 4, 25)
    profile = gradient_profile(model, x)
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
    k, per_decade = decay_summary(profile)
    assert k == 11                                      # 10 ** (-11 / 5) is the first value below 1%
    assert per_decade == pytest.approx(5.0)
    assert decay_summary(np.ones(10)) == (None, None)


def test_summaries_are_computed_from_the_profiles():
    fall = 10.0 ** (-np.arange(40) / 5)                 # below 1% after 11 steps
    flat = np.ones(40)                                  # never
    donors = np.concatenate([np.ones(20), np.full(20, 0.5)])   # the last 20 distances: the donor window
    d = GradientDecay(names=("a_trained", "b"), labels={"a_trained": "A", "b": "B"},
                      profiles={"a_trained": fall, "b": flat}, seeds=(3, 4, 5),
                      seed_profiles={"a_trained": np.stack([fall, flat, donors])})
    assert d.trained == {"a_trained": True, "b": False} and d.length == 40
    assert d.to_1_percent == {"a_trained": 11, "b": -1}
    assert d.per_decade["a_trained"] == pytest.approx(5.0) and np.isnan(d.per_decade["b"])
    assert d.gap_level["b"] == 1.0 and d.gap_level["a_trained"] == pytest.approx(np.median(fall[10:16]))
    assert d.seed_to_1_percent["a_trained"] == (11, -1, -1)
    assert d.seed_donor_gain["a_trained"][1:] == (1.0, 0.5)
    assert d.faded("a_trained") == (3,) and d.kept("a_trained") == (4, 5)
    assert d.seed_index(4) == 1


def test_fresh_readers_take_the_trained_sizes():
    trained = {"rnn": [_reader("rnn", 0, 3)], "lstm": [_reader("lstm", 0, 3)]}
    x, _ = DonorOrderTask(2).sample(2, torch.Generator().manual_seed(0))
    d = gradient_decay(trained, x, seeds=(0,))
    assert d.names == ("rnn_default", "rnn_orthogonal", "lstm_bias_0", "lstm_bias_used", "rnn_trained",
                       "lstm_trained")
    assert d.labels["lstm_bias_used"] == "LSTM, forget bias 1 (trained from here)"   # the trained LSTM's bias
    np.testing.assert_array_equal(d.seed_profiles["rnn_trained"][0], d.profiles["rnn_trained"])
    with pytest.raises(ValueError, match="trained"):
        gradient_decay(trained, x, seeds=(0, 1))
