import pytest
import torch
import torch.nn.functional as F

from lensbook.models.spliceai import PRESETS, SpliceAI, SpliceAIConfig


@pytest.mark.parametrize("name, context, units", [
    ("80", 80, 4), ("400", 400, 8), ("2k", 2000, 12), ("10k", 10000, 16),
])
def test_published_context_lengths(name, context, units):
    config = SpliceAIConfig.preset(name)
    assert config.context == context
    assert len(config.units) == units
    assert config.channels == 32
    # by hand: 2 * sum(D * (W - 1)) over the residual units
    assert config.context == 2 * sum(d * (w - 1) for w, d in config.units)


def test_each_preset_extends_the_previous_one():
    names = ["80", "400", "2k", "10k"]
    for small, large in zip(names, names[1:]):
        assert PRESETS[large].units[:len(PRESETS[small].units)] == PRESETS[small].units


@pytest.mark.parametrize("name", ["80", "400"])
def test_receptive_field_is_the_context(name):
    config = SpliceAIConfig.preset(name)
    model = SpliceAI(config).eval()
    bases = torch.randint(0, 4, (1, config.context + 21), generator=torch.Generator().manual_seed(0))
    x = F.one_hot(bases, 4).float().transpose(1, 2).requires_grad_(True)
    out = model(x)
    assert out.shape == (1, 3, 21)
    out[0, :, 10].sum().backward()
    seen = (x.grad.abs().sum(dim=1)[0] > 0).nonzero().flatten()
    assert seen.min() == 10 and seen.max() == 10 + config.context
    assert len(seen) == config.context + 1


def test_bad_names_and_specs_are_rejected():
    with pytest.raises(ValueError, match="one of"):
        SpliceAIConfig.preset("5k")
    with pytest.raises(ValueError, match="odd window"):
        SpliceAIConfig(((10, 1),))
    with pytest.raises(ValueError, match="at least one residual unit"):
        SpliceAIConfig(())


def test_input_must_cover_the_context():
    model = SpliceAI(SpliceAIConfig.preset("80"))
    with pytest.raises(ValueError, match="more than CL = 80"):
        model(torch.zeros(1, 4, 80))
    with pytest.raises(ValueError, match="4 channels"):
        model(torch.zeros(1, 100, 4))
