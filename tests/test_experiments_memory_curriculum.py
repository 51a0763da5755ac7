"""A reader taken through growing gaps, run tiny."""

import pytest
import torch

from lensbook.experiments.memory_curriculum import order_curriculum, scores
from lensbook.models.lstm import LSTMConfig, LSTMReader
from lensbook.train import seeded

TINY = dict(lr=1e-2, first_steps=6, stage_steps=4, first_batch=8, batch=8, test_size=32)


def _lstm(seed: int = 0) -> LSTMReader:
    with seeded(seed):
        return LSTMReader(LSTMConfig(hidden=4, forget_bias=3.0))


def test_curriculum_is_seeded_and_scored():
    a = order_curriculum(_lstm(), 0, (0, 3), **TINY)
    b = order_curriculum(_lstm(), 0, (0, 3), **TINY)
    assert a == b
    assert a.gaps == (0, 3) and len(a.accuracy) == len(a.first) == len(a.second) == 2
    assert all(0.0 <= v <= 1.0 for v in a.accuracy + a.first + a.second)


def test_curriculum_trains_the_model_in_place():
    model = _lstm()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    order_curriculum(model, 0, (0,), **TINY)
    assert any(not torch.equal(before[k], v) for k, v in model.state_dict().items())


def test_scores_split_the_two_donors():
    y = torch.tensor([0, 1, 2, 3])
    assert scores(torch.tensor([0, 1, 2, 3]), y) == (1.0, 1.0, 1.0)
    assert scores(torch.tensor([1, 0, 3, 2]), y) == (0.0, 1.0, 0.0)   # second donor always wrong
    assert scores(torch.tensor([2, 3, 0, 1]), y) == (0.0, 0.0, 1.0)   # first donor always wrong


def test_gaps_must_increase():
    with pytest.raises(ValueError, match="gaps"):
        order_curriculum(_lstm(), 0, (10, 5), **TINY)
