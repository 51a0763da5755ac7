import pytest
import torch

from lensbook.models import parameter_counts
from lensbook.models.deepsea import DeepSEA, DeepSEAConfig
from lensbook.train import seeded


def _expected(config: DeepSEAConfig) -> dict[str, int]:
    """Weights and biases of each layer, from the layout alone."""
    c1, c2, c3 = config.channels
    w = config.width
    *_, final = config.lengths()
    return {
        "conv1": 4 * w * c1 + c1,
        "conv2": c1 * w * c2 + c2,
        "conv3": c2 * w * c3 + c3,
        "fc": c3 * final * config.n_hidden + config.n_hidden,
        "out": config.n_hidden * config.n_outputs + config.n_outputs,
    }


def test_published_deepsea_has_52843119_parameters():
    config = DeepSEAConfig.deepsea()
    with torch.device("meta"):          # shapes only: no 200 MB allocation
        model = DeepSEA(config)
    counts = parameter_counts(model)
    assert sum(counts.values()) == 52_843_119
    assert counts == _expected(config)


def test_published_lengths_and_the_dense_layer_share():
    config = DeepSEAConfig.deepsea()
    assert config.lengths() == (248, 60, 53)
    counts = _expected(config)
    assert counts["fc"] == 960 * 53 * 925 + 925
    share = counts["fc"] / sum(counts.values())
    assert 0.89 < share < 0.891                     # 89.07%: "about 91%" is both dense layers
    assert 0.906 < (counts["fc"] + counts["out"]) / sum(counts.values()) < 0.907


def test_tiny_preset_runs_and_is_counted():
    config = DeepSEAConfig.tiny()
    model = DeepSEA(config).eval()
    assert parameter_counts(model) == _expected(config)
    assert model(torch.zeros(2, 4, 200)).shape == (2, 3)


def test_dropout_only_in_training():
    with seeded(0):
        model = DeepSEA(DeepSEAConfig.tiny())
    x = torch.rand(2, 4, 200)
    model.eval()
    assert torch.equal(model(x), model(x))
    model.train()
    assert not torch.equal(model(x), model(x))


def test_errors():
    with pytest.raises(ValueError, match=r"shape \(N, 4, 200\)"):
        DeepSEA(DeepSEAConfig.tiny())(torch.zeros(1, 4, 1000))
    with pytest.raises(ValueError, match="long enough"):
        DeepSEA(DeepSEAConfig(length=60))
