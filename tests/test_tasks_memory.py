import numpy as np
import pytest
import torch

from lensbook import dna
from lensbook.dna import decode
from lensbook.tasks.memory import (
    ACCEPTOR, CLASSES, DONORS, EXON_END, INTRON_START, DonorBoundaryTask, DonorOrderTask, find,
)


def generator(seed=0):
    return torch.Generator().manual_seed(seed)


def count(sequence, motif):
    return sum(sequence.startswith(motif, i) for i in range(len(sequence)))


def test_find_agrees_with_str():
    rng = np.random.default_rng(0)
    sequences = [dna.random_sequence(60, rng) for _ in range(20)]
    tokens = dna.one_hot(sequences).argmax(dim=1)
    for motif in ("GT", "CAG", "GTAAGT"):
        hits = find(tokens, motif)
        assert [int(h.sum()) for h in hits] == [count(s, motif) for s in sequences]


@pytest.mark.parametrize("gap", [0, 7, 120])
def test_order_task_layout_and_labels(gap):
    task = DonorOrderTask(gap)
    batch = task.sample_planted(300, generator())
    assert batch.x.shape == (300, 4, gap + 22) and task.length == gap + 22
    assert torch.equal(batch.x.sum(dim=1), torch.ones(300, gap + 22))    # one-hot
    for sequence, label, first, second in zip(decode(batch.x), batch.y, batch.first, batch.second):
        assert 0 <= first <= 4 and 10 <= second <= 14
        pair = sequence[first:first + 6], sequence[second:second + 6]
        assert CLASSES[label] == pair[0][2] + pair[1][2]
        assert sequence.endswith(ACCEPTOR)
        # the two planted donors are the only copies of either variant
        assert sum(count(sequence, d) for d in DONORS) == 2
    assert set(batch.y.tolist()) == {0, 1, 2, 3}


def test_order_oracle_is_always_right_and_sampling_is_seeded():
    task = DonorOrderTask(50)
    x, y = task.sample(500, generator(3))
    assert torch.equal(task.oracle(x), y)
    x2, y2 = task.sample(500, generator(3))
    assert torch.equal(x, x2) and torch.equal(y, y2)
    assert not torch.equal(task.sample(500, generator(4))[0], x)


def test_order_task_validation():
    with pytest.raises(ValueError, match="gap"):
        DonorOrderTask(-1)
    with pytest.raises(ValueError, match="n"):
        DonorOrderTask(5).sample(0, generator())
    with pytest.raises(ValueError, match="one-hot"):
        DonorOrderTask(5).oracle(torch.zeros(2, 27))


def test_boundary_labels_follow_the_rule():
    task = DonorBoundaryTask(length=40, sites=2)
    x, y = task.sample(400, generator())
    assert x.shape == (400, 4, 40) and y.shape == (400, 40)
    for sequence, labels in zip(decode(x), y):
        expected = [int(sequence[max(p - 2, 0):p + 1] == EXON_END and sequence[p + 1:p + 7] == INTRON_START)
                    for p in range(40)]
        assert labels.int().tolist() == expected
    assert torch.equal(task.oracle(x), y)
    candidates = task.candidates(x)
    assert not (y.bool() & ~candidates).any()                 # every donor is a candidate
    fraction = float(y[candidates].mean())
    assert 0.3 < fraction < 0.5                               # about half the planted CAGs, plus chance CAGs


def test_boundary_task_validation():
    with pytest.raises(ValueError, match="length"):
        DonorBoundaryTask(length=20, sites=3)
    with pytest.raises(ValueError, match="p_donor"):
        DonorBoundaryTask(p_donor=1.5)
    with pytest.raises(ValueError, match="sites"):
        DonorBoundaryTask(sites=0)
