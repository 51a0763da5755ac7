"""The expression example, run tiny."""

import dataclasses

import numpy as np
import pytest

from lensbook.experiments import expression as E


@pytest.fixture(scope="module")
def tiny_expression():
    return E.run_expression(seeds=(0, 1), steps=8, test_size=64)


def test_expression_result(tiny_expression):
    r = tiny_expression
    assert r.n_seeds == 2 and len(r.member_mean) == 2
    assert r.oracle_mean == pytest.approx(5.87, abs=0.05)
    assert r.ensemble_sd >= min(r.member_sd)
    assert len(r.band_low) == len(r.band_hours) == 25
    assert all(lo <= mid <= hi for lo, mid, hi in zip(r.band_low, r.band_mid, r.band_high))
    assert set(r.guess_within) == {"ensemble", "oracle"}
    assert r.guess_within["oracle"] == (abs(5.5 - r.oracle_mean) <= r.oracle_sd)
    assert r.oracle_draws == 32768 and 0 < r.oracle_ess <= r.oracle_draws


def test_the_ensemble_is_the_equal_mixture_of_its_members(tiny_expression):
    r = dataclasses.replace(tiny_expression, member_mean=(4.0, 6.0), member_sd=(1.0, 1.0), oracle_mean=9.0,
                            oracle_sd=1.0)
    assert r.ensemble_mean == 5.0
    assert r.ensemble_sd == pytest.approx(np.sqrt(1.0 + 1.0))       # mean variance 1, variance of the means 1
    assert r.guess_within == {"ensemble": True, "oracle": False}
