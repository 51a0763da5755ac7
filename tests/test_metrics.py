import numpy as np
import pytest

from lensbook import metrics


def test_auroc_matches_pairwise_count():
    rng = np.random.default_rng(0)
    s, y = rng.normal(size=200), rng.integers(0, 2, size=200)
    s[:20] = 0.0  # ties
    pairs = [(a > b) + 0.5 * (a == b) for a, ya in zip(s, y) if ya for b, yb in zip(s, y) if not yb]
    assert metrics.auroc(s, y) == pytest.approx(np.mean(pairs))


def test_auroc_edges():
    assert metrics.auroc([1, 2, 3, 4], [0, 0, 1, 1]) == 1.0
    assert metrics.auroc([4, 3, 2, 1], [0, 0, 1, 1]) == 0.0
    assert metrics.auroc([1, 1, 1, 1], [0, 1, 0, 1]) == 0.5


@pytest.mark.parametrize("scores, labels, match", [
    ([1, 2], [1, 1], "at least one positive"),
    ([1, 2], [0, 2], "only 0 and 1"),
    ([1, 2, 3], [0, 1], "shape"),
    ([], [], "non-empty"),
    ([np.nan, 1], [0, 1], "finite"),
])
def test_auroc_rejects_bad_input(scores, labels, match):
    with pytest.raises(ValueError, match=match):
        metrics.auroc(scores, labels)


def test_r2_and_accuracy():
    assert metrics.r2([2, 2, 2], [1, 2, 3]) == 0.0
    assert metrics.accuracy([1, 0, 1, 1], [1, 0, 0, 1]) == 0.75
    with pytest.raises(ValueError, match="not all equal"):
        metrics.r2([1, 2], [3, 3])
