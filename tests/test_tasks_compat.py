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


def test_the_label_is_the_compatible_pair_and_each_class_alone_is_balanced(batch):
    assert torch.equal(batch.y, (batch.enhancer_class == batch.promoter_class).float())
    for classes in (batch.enhancer_class, batch.promoter_class):
        for k in (0, 1):
            share = batch.y[classes == k].mean()
            assert abs(float(share) - 0.5) < 0.1        # each class alone carries no label
    assert batch.distance.min() >= TASK.min_distance and batch.distance.max() <= TASK.max_distance


def _brute_force(task, x):
    """P(y = 1 | x) by enumerating every hypothesis (enhancer class, promoter class, distance).

    Each hypothesis that spells both elements where it puts them has the same
    likelihood (4^-(L - 2w)) and the same prior, so the posterior counts them.
    """
    seq, w = x.argmax(0), task.width

    def spells(start, element):
        return bool(torch.equal(seq[start:start + w], torch.tensor(["ACGT".index(b) for b in element])))

    compatible = total = 0
    for ce, cp in itertools.product((0, 1), (0, 1)):
        if not spells(task.promoter_start, task.promoters[cp]):
            continue
        hits = sum(spells(task.promoter_start - d, task.enhancers[ce])
                   for d in range(task.min_distance, task.max_distance + 1))
        total += hits
        compatible += hits if ce == cp else 0
    return compatible / total


def test_the_oracle_is_exact(batch):
    posterior = TASK.posterior(batch.x)
    for i in range(40):
        assert float(posterior[i]) == pytest.approx(_brute_force(TASK, batch.x[i]), abs=1e-12)
    # with one exact match per class, the oracle knows the label
    assert metrics.auroc(TASK.oracle(batch.x), batch.y) > 0.99


def test_a_single_element_detector_is_at_chance_exactly(batch):
    for element in ("enhancer", "promoter"):
        p = TASK.single_element_posterior(batch.x, element)
        assert torch.equal(p, torch.full_like(p, 0.5))
        assert metrics.auroc(p, batch.y) == pytest.approx(0.5, abs=1e-12)


def test_elements_must_not_overlap():
    with pytest.raises(ValueError, match="min_distance"):
        CompatibilityTask(min_distance=4)
    with pytest.raises(ValueError, match="max_distance"):
        CompatibilityTask(max_distance=600)
