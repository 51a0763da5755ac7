import pytest
import torch
import torch.nn.functional as F

from lensbook.models import parameter_count
from lensbook.models.lenses import ARCHITECTURES, LensConfig, build
from lensbook.train import seeded

DNA = LensConfig(channels=4, length=500, width=16)
SERIES = LensConfig(channels=1, length=12, width=16)


def make(name, config):
    with seeded(0):
        return build(name, config)


def test_derived_sizes():
    assert (DNA.pool, DNA.tokens, DNA.stem_kernel) == (16, 32, 9)
    assert (SERIES.pool, SERIES.tokens, SERIES.stem_kernel) == (1, 12, 1)   # short input: no pooling
    odd = LensConfig(4, 1000)
    assert (odd.pool, odd.tokens) == (32, 32)
    assert LensConfig(4, 200).tokens * LensConfig(4, 200).pool >= 200


@pytest.mark.parametrize("config", [DNA, SERIES], ids=["dna", "series"])
@pytest.mark.parametrize("name", ARCHITECTURES)
def test_every_lens_maps_a_batch_to_one_score_each_and_learns(name, config):
    model = make(name, config)
    x = torch.randn(5, config.channels, config.length)
    out = model(x)
    assert out.shape == (5,)
    F.mse_loss(out, torch.zeros(5)).backward()
    assert all(p.grad is not None for p in model.parameters())


def test_parameter_counts_are_pinned():
    counts = {name: parameter_count(make(name, DNA)) for name in ARCHITECTURES}
    assert counts == {"fully-connected": 132_289, "cnn": 3_297, "lstm": 2_321, "transformer": 3_409}
    # the fully connected lens's first layer alone: C * L * hidden weights + hidden biases
    assert make("fully-connected", DNA).net[0].weight.numel() == 4 * 500 * 64


def test_lstm_forget_gate_bias():
    model = make("lstm", LensConfig(4, 500, width=16, forget_bias=2.5))
    units = 8
    for name, bias in model.lstm.named_parameters():
        if name.startswith("bias_ih"):
            assert torch.all(bias[units:2 * units] == 2.5)
        elif name.startswith("bias_hh"):
            assert torch.all(bias[units:2 * units] == 0.0)


def test_views_for_the_figure():
    x = torch.randn(3, 4, 500)
    assert make("cnn", DNA).features(x).shape == (3, 16, 500)
    assert make("lstm", DNA).states(x).shape == (3, 32, 16)
    weights = make("transformer", DNA).attention(x)
    assert weights.shape == (3, 32, 32)
    torch.testing.assert_close(weights.sum(dim=-1), torch.ones(3, 32))


def test_cnn_scores_a_planted_pattern_the_same_wherever_it_sits():
    """Shared filters and a global maximum: a pattern scores the same at two interior positions."""
    model = make("cnn", DNA).eval()
    background = torch.zeros(1, 4, 500)
    background[0, 0] = 1.0                                    # poly-A: every interior bin looks alike
    def planted(start):
        x = background.clone()
        x[0, :, start:start + 8] = torch.eye(4).repeat(1, 2)   # ACGTACGT
        return x
    stem = model.stem
    a, b = stem(planted(160)), stem(planted(240))               # 240 - 160 = 5 bins of 16 bp
    torch.testing.assert_close(a.amax(dim=2), b.amax(dim=2))


def test_forward_leaves_the_training_mode_alone():
    model = make("cnn", DNA).eval()
    model.features(torch.randn(2, 4, 500))
    assert not model.training


def test_unknown_architecture_lists_the_valid_names():
    with pytest.raises(ValueError, match=r"architecture: expected one of \['fully-connected', 'cnn', 'lstm', 'transformer'\]"):
        build("resnet", DNA)


def test_width_must_divide_into_heads():
    with pytest.raises(ValueError, match="width: expected a multiple of heads"):
        LensConfig(4, 500, width=18, heads=4)


def test_width_must_be_even():
    with pytest.raises(ValueError, match="width: expected an even int"):
        LensConfig(4, 500, width=9, heads=3)


def test_sizes_must_be_positive_ints():
    with pytest.raises(ValueError, match="length: expected an int >= 1"):
        LensConfig(4, 0)
