import torch
from torch import nn

from lensbook import models
from lensbook.models import parameter_count, parameter_counts
from lensbook.models.deepsea import DeepSEA, DeepSEAConfig


def test_parameter_count_counts_weights_and_biases():
    assert parameter_count(nn.Linear(10, 3)) == 10 * 3 + 3
    assert parameter_count(nn.Sequential(nn.Conv1d(4, 8, 5), nn.ReLU(), nn.Linear(8, 1))) == 4 * 8 * 5 + 8 + 8 + 1
    assert parameter_count(nn.ReLU()) == 0


def test_parameter_count_trainable_only_leaves_out_frozen_parameters():
    model = nn.Sequential(nn.Linear(10, 3), nn.Linear(3, 1))
    model[0].requires_grad_(False)
    assert parameter_count(model) == 33 + 4
    assert parameter_count(model, trainable_only=True) == 4


def test_a_shared_tensor_is_counted_once():
    layer = nn.Linear(5, 5)
    model = nn.Sequential(layer, nn.ReLU(), layer)
    assert parameter_count(model) == 30


def test_parameter_counts_is_per_child_and_skips_layers_without_parameters():
    model = nn.Sequential(nn.Conv1d(4, 8, 5), nn.ReLU(), nn.Linear(8, 1))
    assert parameter_counts(model) == {"0": 168, "2": 9}
    model[0].requires_grad_(False)
    assert parameter_counts(model, trainable_only=True) == {"2": 9}


def test_counts_work_on_the_meta_device():
    with torch.device("meta"):                          # shapes only, nothing allocated
        model = DeepSEA(DeepSEAConfig.deepsea())
    assert parameter_count(model) == 52_843_119 == sum(parameter_counts(model).values())


def test_the_package_exports_the_counts():
    assert models.parameter_count is parameter_count and models.parameter_counts is parameter_counts
