import math

import numpy as np
import pytest

from lensbook.experiments import positional_encoding as pe


def test_positional_encoding_result():
    r = pe.positional_encoding(positions=64, d_model=16, anchors=(10, 40))
    assert r.table.shape == (64, 16) and r.similarity.shape == (2, 64)
    assert r.similarity[0, 10] == pytest.approx(1.0)
    assert r.neighbour_similarity > r.far_similarity
    assert math.isclose(float(np.abs(r.table).max()), 1.0, abs_tol=1e-6)


def test_d_model_is_read_off_the_table():
    r = pe.positional_encoding(positions=8, d_model=6, anchors=(0,))
    assert r.d_model == 6 and r.positions == 8
