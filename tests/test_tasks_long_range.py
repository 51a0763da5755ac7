import inspect
import math

import numpy as np
import pytest
import torch

from lensbook import dna, metrics
from lensbook.tasks.base import Task
from lensbook.tasks.long_range import ENHANCER, ORACLE_FLOOR, PROMOTER, LongRangeTask, matrix_task


def generator(seed=0):
    return torch.Generator().manual_seed(seed)


def test_matrix_task_follows_the_protocol():
    task = matrix_task()
    assert isinstance(task, Task)
    assert (task.name, task.target, task.channels, task.length) == ("long-range", "binary", 4, 1000)
    assert inspect.signature(matrix_task).parameters["seed"].default == 0
    x, y = task.sample(16, generator())
    assert x.shape == (16, 4, 1000) and x.dtype == torch.float32
    assert y.shape == (16,) and y.dtype == torch.float32
    assert task.oracle(x).shape == (16,)
    assert matrix_task(3) == matrix_task(0)


def test_sites_are_where_the_task_says():
    task = LongRangeTask()
    sites = task.sample_sites(200, generator())
    assert torch.all(sites.x.sum(1) == 1)                       # one-hot
    text = dna.decode(sites.x)
    for seq, y, start, d in zip(text, sites.y.tolist(), sites.enhancer_start.tolist(), sites.distance.tolist()):
        assert seq[800:808] == PROMOTER
        if y == 1:
            assert 50 <= d <= 750 and start == 800 - d
            assert seq[start:start + 8] == ENHANCER
        else:
            assert start == -1 and d == -1
    assert 60 < sites.y.sum() < 140


def test_same_generator_same_batch():
    task = LongRangeTask()
    a, b = task.sample(8, generator(5)), task.sample(8, generator(5))
    assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])


def test_fixed_distance_and_class():
    task = LongRangeTask()
    sites = task.sample_sites(20, generator(), positive=True, distance=300)
    assert torch.all(sites.y == 1) and torch.all(sites.distance == 300)
    assert torch.all(task.sample_sites(20, generator(), positive=False).y == 0)


def test_mutation_rate():
    task = LongRangeTask(mutation=0.5)
    sites = task.sample_sites(400, generator(), positive=True)
    text = dna.decode(sites.x)
    changed = [sum(a != b for a, b in zip(seq[s:s + 8], ENHANCER)) for seq, s in zip(text, sites.enhancer_start.tolist())]
    assert abs(np.mean(changed) / 8 - 0.5) < 0.05


def brute_force_log_odds(task, seq):
    """log mean over allowed starts of P(window | enhancer) / P(window | background), by loops."""
    ratios = []
    for d in task.distances:
        s = task.promoter_start - d
        p = 1.0
        for base, want in zip(seq[s:s + 8], task.enhancer):
            p *= ((1 - task.mutation) if base == want else task.mutation / 3) / 0.25
        ratios.append(p)
    mean = sum(ratios) / len(ratios)
    return math.log(mean) if mean > 0 else ORACLE_FLOOR


@pytest.mark.parametrize("mutation", [0.0, 0.15])
def test_oracle_equals_the_likelihood_ratio_by_hand(mutation):
    task = LongRangeTask(mutation=mutation)
    sites = task.sample_sites(6, generator(1))
    oracle = task.oracle(sites.x)
    for seq, value in zip(dna.decode(sites.x), oracle.tolist()):
        assert value == pytest.approx(max(brute_force_log_odds(task, seq), ORACLE_FLOOR), rel=1e-4, abs=1e-4)


def test_oracle_is_calibrated_log_odds():
    task = LongRangeTask(mutation=0.2)
    sites = task.sample_sites(4000, generator(2))
    p = torch.sigmoid(task.oracle(sites.x))
    assert abs(float(p.mean()) - float(sites.y.mean())) < 0.02
    confident = p > 0.9
    assert float(sites.y[confident].mean()) > 0.9


def test_oracle_beats_counting_exact_matches_when_noisy():
    task = LongRangeTask(mutation=0.15)
    sites = task.sample_sites(1500, generator(3))
    exact = torch.tensor([seq[50:758].count(ENHANCER) for seq in dna.decode(sites.x)], dtype=torch.float32)
    assert metrics.auroc(task.oracle(sites.x), sites.y) > metrics.auroc(exact, sites.y) + 0.05


def test_oracle_is_nearly_perfect_without_mutations():
    task = LongRangeTask()
    sites = task.sample_sites(2000, generator(4))
    assert metrics.auroc(task.oracle(sites.x), sites.y) > 0.98


@pytest.mark.parametrize("kwargs, match", [
    ({"length": 4}, "length: expected an int >= the promoter's 8 bp"),
    ({"promoter_start": 995}, r"promoter_start: expected an int in \[0, 992\]"),
    ({"min_distance": 5}, "min_distance: expected an int >= the enhancer's 8 bp"),
    ({"max_distance": 900}, r"max_distance: expected an int in \[min_distance, promoter_start\]"),
    ({"mutation": 0.8}, r"mutation: expected a rate in \[0, 0.75\)"),
    ({"enhancer": "GATX"}, "enhancer: invalid character 'X' at position 3"),
])
def test_bad_task_is_rejected(kwargs, match):
    with pytest.raises(ValueError, match=match):
        LongRangeTask(**kwargs)


def test_bad_batch_size_is_rejected():
    with pytest.raises(ValueError, match="n: expected an int >= 1"):
        LongRangeTask().sample(0, generator())


def test_distance_outside_the_range_is_rejected():
    with pytest.raises(ValueError, match=r"distance: expected None or an int in \[50, 750\]"):
        LongRangeTask().sample_sites(4, generator(), distance=20)


def test_oracle_rejects_the_wrong_shape():
    with pytest.raises(ValueError, match=r"x: expected one-hot DNA of shape \(N, 4, 1000\)"):
        LongRangeTask().oracle(torch.zeros(2, 4, 500))
    with pytest.raises(ValueError, match="x: expected a floating-point tensor"):
        LongRangeTask().oracle(torch.zeros(2, 4, 1000, dtype=torch.int64))


def test_matrix_task_rejects_a_non_int_seed():
    with pytest.raises(ValueError, match="seed: expected an int"):
        matrix_task("0")
