"""How far a stack of convolutions sees."""

import pytest

from lensbook.experiments.receptive_field import receptive_field


def test_receptive_field_arithmetic():
    assert receptive_field([]) == (1, 1)
    assert receptive_field([(8, 1, 1), (2, 2, 1), (8, 1, 1), (2, 2, 1)]) == (25, 4)  # GenomicsCNN
    assert receptive_field([(3, 1, 1), (3, 1, 2), (3, 1, 4)]) == (15, 1)            # WaveNet's picture
    with pytest.raises(ValueError, match="stages"):
        receptive_field([(3, 0, 1)])
