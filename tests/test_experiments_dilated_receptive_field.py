"""SpliceAI's dilated receptive field, from its configuration."""

from lensbook.experiments.dilated_receptive_field import dilated_receptive_field


def test_dilated_receptive_field_follows_the_spliceai_config():
    from lensbook.models.spliceai import SpliceAIConfig

    r = dilated_receptive_field()
    config = SpliceAIConfig.preset("10k")
    assert r.units == config.units and r.context[-1] == config.context == 10_000
    assert r.presets == {"80": (4, 80), "400": (8, 400), "2k": (12, 2000), "10k": (16, 10_000)}
    for name, (n, cl) in r.presets.items():
        assert r.context[n - 1] == cl == SpliceAIConfig.preset(name).context
    assert r.undilated[-1] == 2 * sum(w - 1 for w, _ in config.units) == 640
    assert r.stack == ((11, 1), (11, 4)) and r.stack_field == 1 + 10 + 40
    assert r.stack_measured == tuple(range(-25, 26))
    assert r.n_convolutions == 32 and r.gain == 10_000 / 640
    small = dilated_receptive_field("400")
    assert small.context[-1] == 400 and small.stack == r.stack
