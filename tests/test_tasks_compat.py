import itertools

import pytest
import torch

from lensbook import metrics
from lensbook.tasks import Task
from lensbook.tasks.compat import CompatibilityTask

TASK = CompatibilityTask()


@pytest.fixture(scope="module")
def batch():
    return TASK.sample_pairs(600, torch.Generator().manual_seed(0))


def test_it_follows_the_task_protocol():
    assert isinstance(TASK, Task)


def test_the_label_is_the_nearer_enhancers_compatibility_and_each_class_alone_is_balanced(batch):
    assert torch.equal(batch.y, (batch.enhancer_class == batch.promoter_class).float())
    for classes in (batch.enhancer_class, batch.promoter_class):
        for k in (0, 1):
            share = batch.y[classes == k].mean()
            assert abs(float(share) - 0.5) < 0.1        # each class alone carries no label
    assert batch.distance.min() >= TASK.min_distance and batch.far_distance.max() <= TASK.max_distance
    assert bool((batch.far_distance - batch.distance >= TASK.min_separation).all())   # two enhancers, apart


def test_every_sequence_holds_one_element_of_each_class(batch):
    """So counting which elements are present cannot read the label (the first version's loophole)."""
    rows = torch.arange(len(batch.y))
    near_start = TASK.promoter_start - batch.distance
    far_start = TASK.promoter_start - batch.far_distance
    for e in (0, 1):
        near = TASK._matches(batch.x, TASK.enhancers[e])[rows, near_start]
        far = TASK._matches(batch.x, TASK.enhancers[e])[rows, far_start]
        assert torch.equal(near, batch.enhancer_class == e) and torch.equal(far, batch.enhancer_class != e)


def _brute_force(task, x):
    """P(y = 1 | x) by enumerating every hypothesis (promoter class, E0 distance, E1 distance).

    Each hypothesis that spells all three elements where it puts them, with
    the enhancers not overlapping, has the same likelihood (4^-(L - 3w)) and
    the same prior, so the posterior counts them.
    """
    seq, w = x.argmax(0), task.width

    def spells(start, element):
        return bool(torch.equal(seq[start:start + w], torch.tensor(["ACGT".index(b) for b in element])))

    distances = range(task.min_distance, task.max_distance + 1)
    e0 = [d for d in distances if spells(task.promoter_start - d, task.enhancers[0])]
    e1 = [d for d in distances if spells(task.promoter_start - d, task.enhancers[1])]
    compatible = total = 0
    for cp, a, b in itertools.product((0, 1), e0, e1):
        if not spells(task.promoter_start, task.promoters[cp]) or abs(a - b) < task.min_separation:
            continue
        nearer = 0 if a < b else 1
        total += 1
        compatible += nearer == cp
    return compatible / total


def test_the_oracle_is_exact(batch):
    posterior = TASK.posterior(batch.x)
    for i in range(40):
        assert float(posterior[i]) == pytest.approx(_brute_force(TASK, batch.x[i]), abs=1e-12)
    # sequences with a chance match of an enhancer in the window: the posterior is not 0 or 1 there
    ambiguous = torch.nonzero((posterior > 0) & (posterior < 1)).flatten()
    for i in ambiguous[:5].tolist():
        assert float(posterior[i]) == pytest.approx(_brute_force(TASK, batch.x[i]), abs=1e-12)
    # with one exact match per class, the oracle knows the label
    assert metrics.auroc(TASK.oracle(batch.x), batch.y) > 0.99


def test_a_single_element_detector_is_at_chance_exactly(batch):
    for element in ("nearer enhancer", "promoter"):
        p = TASK.single_element_posterior(batch.x, element)
        assert torch.equal(p, torch.full_like(p, 0.5))
        assert metrics.auroc(p, batch.y) == pytest.approx(0.5, abs=1e-12)


def test_elements_must_not_overlap():
    with pytest.raises(ValueError, match="min_distance"):
        CompatibilityTask(min_distance=4)
    with pytest.raises(ValueError, match="max_distance"):
        CompatibilityTask(max_distance=950)                      # past the sequence start
    with pytest.raises(ValueError, match="max_distance"):
        CompatibilityTask(min_distance=50, max_distance=240)     # two enhancers do not fit 200 bp apart
    with pytest.raises(ValueError, match="min_separation"):
        CompatibilityTask(min_separation=4)                      # they would overlap
