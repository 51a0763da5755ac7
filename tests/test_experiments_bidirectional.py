"""One-way against two-way LSTM taggers, run tiny."""

import pytest

from lensbook.experiments.bidirectional import BoundaryResult, boundary_tagging


def test_boundary_result():
    r = boundary_tagging(seeds=(0,), steps=4, test_size=64)
    assert len(r.uni) == len(r.bi) == r.n_seeds == 1
    assert 0.5 <= r.majority <= 1.0 and r.oracle == 1.0
    assert r.hidden_bi * 2 == r.hidden_uni and r.params_bi < r.params_uni


def test_derived_numbers():
    r = BoundaryResult(seeds=(0, 1), uni=(0.5, 0.7), bi=(0.9, 1.0), donor_fraction=0.3, steps=1, batch=1,
                       length=32, hidden_uni=32, params_uni=1, params_bi=1)
    assert r.majority == 0.7 and r.hidden_bi == 16
    assert r.uni_mean == pytest.approx(0.6) and r.bi_mean == pytest.approx(0.95)
