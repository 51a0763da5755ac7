import pytest
import torch
from torch import nn

from lensbook.experiments import long_range_training as training
from lensbook.experiments import qkv_schematic as qkv
from lensbook.tasks.long_range import LongRangeTask


def test_qkv_shapes_rejects_other_models_and_batches():
    task = LongRangeTask()
    model = training.build_head("Transformer", training.pretrain_stem(task, steps=1), 20, seed=0)
    with pytest.raises(ValueError, match="model: expected a HybridTransformer"):
        qkv.qkv_shapes(nn.Linear(2, 2), torch.zeros(1, 4, 1000))
    with pytest.raises(ValueError, match=r"x: expected one one-hot sequence of shape \(1, 4, L\)"):
        qkv.qkv_shapes(model, torch.zeros(2, 4, 1000))


def test_qkv_shapes_rejects_channels_last_input():
    task = LongRangeTask()
    model = training.build_head("Transformer", training.pretrain_stem(task, steps=1), 20, seed=0)
    with pytest.raises(ValueError, match="x: expected 4 channels in dimension 1"):
        qkv.qkv_shapes(model, torch.zeros(1, 1000, 4))


def test_qkv_shapes_restore_every_submodules_mode():
    task = LongRangeTask()
    model = training.build_head("Transformer", training.pretrain_stem(task, steps=1), 20, seed=0)
    assert model.training and not model.stem.training            # a trainable head on a frozen stem
    qkv.qkv_shapes(model, task.sample(1, torch.Generator())[0])
    assert model.training and not model.stem.training
