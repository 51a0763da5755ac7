import itertools
import math

import numpy as np
import pytest
import torch

from lensbook.metrics import auroc
from lensbook.tasks import Task
from lensbook.tasks.pair import DEFAULT_MOTIFS, PairTask, jaspar_pwm, pu1_cebpb_task


@pytest.fixture(scope="module")
def task():
    return pu1_cebpb_task()


@pytest.fixture(scope="module")
def batch(task):
    return task.sample_planted(2000, torch.Generator().manual_seed(0))


def centre_distance(task, pos_a, pos_b):
    wa, wb = task.pwm_a.shape[1], task.pwm_b.shape[1]
    return ((pos_b + wb / 2) - (pos_a + wa / 2)).abs()


def test_pu1_cebpb_task_follows_the_protocol(task):
    assert isinstance(task, Task)
    assert (task.name, task.target, task.channels, task.length) == ("motif-pair", "binary", 4, 500)
    x, y = task.sample(8, torch.Generator().manual_seed(1))
    assert x.shape == (8, 4, 500) and x.dtype == torch.float32
    assert y.shape == (8,) and y.dtype == torch.float32
    assert torch.equal(x.sum(dim=1), torch.ones(8, 500))          # one-hot: one base per position
    assert set(y.tolist()) <= {0.0, 1.0}


def test_batches_are_reproducible_from_the_generator(task):
    a = task.sample(16, torch.Generator().manual_seed(3))
    b = task.sample(16, torch.Generator().manual_seed(3))
    c = task.sample(16, torch.Generator().manual_seed(4))
    assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])
    assert not torch.equal(a[0], c[0])


def test_default_motifs_are_the_jaspar_matrices():
    name_a, pwm_a = jaspar_pwm(DEFAULT_MOTIFS[0])
    name_b, pwm_b = jaspar_pwm(DEFAULT_MOTIFS[1])
    assert (name_a, name_b) == ("Spi1", "CEBPB")
    assert pwm_a.shape == (4, 13) and pwm_b.shape == (4, 10)
    np.testing.assert_allclose(pwm_a.sum(axis=0), 1.0)
    assert (pwm_a > 0).all() and (pwm_b > 0).all()                # the pseudocount
    # the most likely bases spell the JASPAR consensus cores
    assert "GGAAGT" in "".join("ACGT"[i] for i in pwm_a.argmax(axis=0))
    assert "TTGCGCAA" in "".join("ACGT"[i] for i in pwm_b.argmax(axis=0))


def test_cases_follow_the_generative_model(task, batch):
    case, y = batch.case, batch.y
    assert torch.equal(y == 1, case == 0)
    # half positives, then a quarter each of the four negative cases (binomial error ~0.01)
    assert abs(float(y.mean()) - 0.5) < 0.04
    for c in (1, 2, 3, 4):
        assert abs(float((case == c).float().mean()) - 0.125) < 0.03
    has_a, has_b = batch.pos_a >= 0, batch.pos_b >= 0
    assert torch.equal(has_a, (case == 0) | (case == 2) | (case == 4))
    assert torch.equal(has_b, (case == 0) | (case == 3) | (case == 4))
    distance = centre_distance(task, batch.pos_a, batch.pos_b)
    assert (distance[case == 0] <= task.near).all()
    assert (distance[case == 4] >= task.far).all()
    wa, wb = task.pwm_a.shape[1], task.pwm_b.shape[1]
    both = has_a & has_b
    apart = (batch.pos_a + wa <= batch.pos_b) | (batch.pos_b + wb <= batch.pos_a)
    assert apart[both].all()                                        # planted sites never overlap
    assert (batch.pos_a[has_a] <= task.length - wa).all() and (batch.pos_b[has_b] <= task.length - wb).all()


def test_planted_sites_are_drawn_from_the_matrices(task, batch):
    for pos, pwm in ((batch.pos_a, task.pwm_a), (batch.pos_b, task.pwm_b)):
        rows = (pos >= 0).nonzero().flatten()
        w = pwm.shape[1]
        windows = torch.stack([batch.x[r, :, pos[r]:pos[r] + w] for r in rows.tolist()])  # (k, 4, w)
        frequencies = windows.mean(dim=0).numpy()
        # ~1000 draws per column: the empirical frequencies are within a few percent of the matrix
        assert np.abs(frequencies - pwm).max() < 0.06


def test_oracle_separates_the_classes(task, batch):
    score = task.oracle(batch.x)
    assert score.shape == (2000,) and torch.isfinite(score).all()
    assert auroc(score, batch.y) > 0.95
    # a site alone is not evidence for the pair: sequences with one site score low
    single = (batch.case == 2) | (batch.case == 3)
    assert float(score[single].median()) < float(score[batch.case == 0].median())


def _brute_force_log_odds(task, x):
    """P(x | class) summed over every configuration the generator can draw, base by base."""
    codes = x.argmax(dim=1).numpy()                                 # (n, L)
    pa, pb = task.pwm_a, task.pwm_b
    wa, wb, length = pa.shape[1], pb.shape[1], task.length

    def site(pwm, seq, start):
        return math.prod(pwm[seq[start + j], j] / 0.25 for j in range(pwm.shape[1]))

    near, far = [], []
    for p, q in itertools.product(range(length - wa + 1), range(length - wb + 1)):
        if not (p + wa <= q or q + wb <= p):
            continue
        d = abs((q + wb / 2) - (p + wa / 2))
        if d <= task.near:
            near.append((p, q))
        if d >= task.far:
            far.append((p, q))
    out = []
    for seq in codes:
        a = [site(pa, seq, p) for p in range(length - wa + 1)]
        b = [site(pb, seq, q) for q in range(length - wb + 1)]
        positive = sum(a[p] * b[q] for p, q in near) / len(near)
        negative = (1 + sum(a) / len(a) + sum(b) / len(b) + sum(a[p] * b[q] for p, q in far) / len(far)) / 4
        out.append(math.log(positive) - math.log(negative))
    return np.array(out)


def test_oracle_matches_brute_force_on_a_small_task():
    small = PairTask(length=40, near=12, far=20)
    planted = small.sample_planted(6, torch.Generator().manual_seed(5))
    np.testing.assert_allclose(small.oracle(planted.x).numpy(), _brute_force_log_odds(small, planted.x),
                               rtol=1e-4, atol=1e-4)


def test_pu1_cebpb_task_seed_must_be_an_int():
    with pytest.raises(ValueError, match="seed"):
        pu1_cebpb_task(seed="0")


def test_unknown_matrix_id_is_rejected():
    with pytest.raises(ValueError, match="matrix_id"):
        PairTask(motifs=("MA9999.9", "MA0466.4"))


def test_motifs_must_be_a_pair():
    with pytest.raises(ValueError, match="motifs"):
        PairTask(motifs=("MA0080.7",))


def test_near_must_fit_two_sites_side_by_side():
    with pytest.raises(ValueError, match="near"):
        PairTask(near=5)


def test_far_must_exceed_near():
    with pytest.raises(ValueError, match="far"):
        PairTask(near=100, far=100)


def test_length_must_fit_a_far_pair():
    with pytest.raises(ValueError, match="length"):
        PairTask(length=150)


def test_batch_size_must_be_positive(task):
    with pytest.raises(ValueError, match="n: expected an int >= 1"):
        task.sample(0, torch.Generator())


def test_oracle_rejects_a_wrong_shape(task):
    with pytest.raises(ValueError, match=r"x: expected one-hot DNA of shape \(N, 4, 500\)"):
        task.oracle(torch.zeros(2, 4, 200))
