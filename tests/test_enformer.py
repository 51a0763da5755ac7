import dataclasses

import pytest

from lensbook.models.enformer import ENFORMER, EnformerConfig, exponential_linspace_int


def test_published_constants():
    assert ENFORMER.sequence_length == 196_608
    assert ENFORMER.target_length == 896
    assert ENFORMER.human_tracks == 5313
    assert ENFORMER.mouse_tracks == 1643
    assert ENFORMER.channels == 1536


def test_seven_poolings_of_two_make_128_bp_bins():
    assert ENFORMER.poolings == 7
    assert ENFORMER.bin_size == 2**7 == 128


def test_bins_cropping_and_output_span():
    assert ENFORMER.bins == 196_608 // 128 == 1536
    assert ENFORMER.cropped_bins_per_side == 320
    assert 2 * ENFORMER.cropped_bins_per_side + ENFORMER.target_length == ENFORMER.bins
    assert ENFORMER.output_bp == 896 * 128 == 114_688


def test_conv_tower_widths_and_heads():
    assert ENFORMER.tower_channels == (768, 896, 1024, 1152, 1280, 1536)
    assert ENFORMER.tower_channels[0] == ENFORMER.channels // 2
    assert ENFORMER.value_size * ENFORMER.heads == ENFORMER.channels


def test_attention_sizes():
    assert ENFORMER.attention_weights_per_layer == 8 * 1536**2
    # pooling first shrinks each attention map by a factor 128² = 16,384
    assert ENFORMER.attention_weights_at_bp_resolution // ENFORMER.attention_weights_per_layer == 128**2
    assert ENFORMER.human_outputs == 896 * 5313


def test_config_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        ENFORMER.bin_size_override = 1
    with pytest.raises(dataclasses.FrozenInstanceError):
        ENFORMER.heads = 4


def test_a_smaller_trunk_follows_the_same_arithmetic():
    small = EnformerConfig(sequence_length=2**14, tower_blocks=4, channels=256)
    assert small.bin_size == 32 and small.bins == 512


def test_linspace_endpoints():
    assert exponential_linspace_int(1, 1024, 11) == tuple(2**i for i in range(11))


def test_linspace_needs_two_points():
    with pytest.raises(ValueError, match="num: expected an int >= 2"):
        exponential_linspace_int(1, 10, 1)


def test_linspace_needs_positive_ends():
    with pytest.raises(ValueError, match="start: expected positive start and end"):
        exponential_linspace_int(0, 10, 3)
