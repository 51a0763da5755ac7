import itertools

import numpy as np
import pytest
import torch

from lensbook import dna, metrics
from lensbook.tasks.base import Task
from lensbook.tasks.motif import (
    MOTIF_IDS,
    LocalMotifTask,
    PlantedMotifs,
    generating_pfm,
    log_likelihood_ratios,
    gata_task,
    plant,
)


def test_planted_motifs_sample_shapes_labels_and_sites():
    task = PlantedMotifs()
    assert task.motif_ids == MOTIF_IDS and task.n_classes == 4
    x, y, starts, strands = task.sample_with_sites(400, torch.Generator().manual_seed(0))
    assert x.shape == (400, 4, 200) and x.dtype == torch.float32
    assert torch.equal(x.sum(dim=1), torch.ones(400, 200))
    assert set(y.tolist()) == {0, 1, 2, 3}
    assert ((starts == -1) == (y == 0)).all() and ((strands == -1) == (y == 0)).all()
    width = task.motifs[0].width
    assert (starts[y == 1] <= 200 - width).all()


def test_same_generator_seed_same_batch():
    task = PlantedMotifs()
    a = task.sample(8, torch.Generator().manual_seed(3))
    b = task.sample(8, torch.Generator().manual_seed(3))
    assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])


def test_plant_writes_the_motif_or_its_reverse_complement():
    pfm = torch.from_numpy(dna.one_hot("GATAAGG").numpy())        # a matrix with one possible instance
    x = dna.one_hot(["A" * 30] * 20)
    rows = torch.arange(20)
    starts, strands, _ = plant(x, pfm, rows, torch.Generator().manual_seed(1))
    for seq, start, strand in zip(dna.decode(x), starts.tolist(), strands.tolist()):
        window = seq[start:start + 7]
        assert window == ("GATAAGG" if strand == 0 else dna.reverse_complement("GATAAGG"))
        assert seq[:start] == "A" * start
    assert set(strands.tolist()) == {0, 1}


def test_plant_rejects_starts_outside_the_sequence():
    pfm = torch.full((4, 5), 0.25)
    with pytest.raises(ValueError, match=r"window starts in \[0, 5\]"):
        plant(dna.one_hot(["A" * 10]), pfm, torch.tensor([0]), torch.Generator(), starts=torch.tensor([6]))


def test_log_likelihood_ratio_matches_a_brute_force_sum():
    """The oracle against the definition: average over windows and strands of prod p / b."""
    pfm = torch.from_numpy(generating_pfm(PlantedMotifs(("MA0108.3",), length=12).motifs[0])).float()
    seqs = ["TATAAAAGCGTA", "GGGCGCGCTATA", "ACGTTTTTATAT"]
    got = log_likelihood_ratios(dna.one_hot(seqs), [pfm])[:, 0]
    p = pfm.double().numpy()
    rc = p[::-1, ::-1]
    for seq, value in zip(seqs, got.tolist()):
        codes = ["ACGT".index(b) for b in seq]
        terms = [np.prod([m[codes[i + j], j] / 0.25 for j in range(p.shape[1])])
                 for i, m in itertools.product(range(len(seq) - p.shape[1] + 1), (p, rc))]
        assert value == pytest.approx(np.log(np.mean(terms)), rel=1e-5)


def test_log_posteriors_are_a_distribution_and_find_a_consensus():
    task = PlantedMotifs()
    background = dna.random_sequence(200, np.random.default_rng(0))
    seqs = [dna.plant(background, m.consensus, 80) for m in task.motifs]
    posteriors = task.log_posteriors(dna.one_hot(seqs)).exp()
    assert torch.allclose(posteriors.sum(dim=1), torch.ones(3))
    assert posteriors.argmax(dim=1).tolist() == [1, 2, 3]


def test_oracle_is_better_than_chance_and_below_one():
    task = PlantedMotifs()
    x, y = task.sample(1500, torch.Generator().manual_seed(5))
    posteriors = task.log_posteriors(x)
    for k in range(1, 4):
        assert 0.8 < metrics.auroc(posteriors[:, k], y == k) < 1.0


def test_gata_task_follows_the_task_protocol():
    task = gata_task(seed=0)
    assert isinstance(task, Task) and isinstance(task, LocalMotifTask)
    assert (task.name, task.target, task.channels, task.length) == ("local-motif", "binary", 4, 200)
    x, y = task.sample(300, torch.Generator().manual_seed(0))
    assert x.shape == (300, 4, 200) and x.dtype == torch.float32
    assert y.shape == (300,) and y.dtype == torch.float32 and set(y.tolist()) == {0.0, 1.0}
    score = task.oracle(x)
    assert score.shape == (300,)
    assert metrics.auroc(score, y) > 0.85


def test_gata_task_oracle_is_the_log_likelihood_ratio():
    task = gata_task()
    x, _ = task.sample(5, torch.Generator().manual_seed(2))
    assert torch.allclose(task.oracle(x), log_likelihood_ratios(x, task._planted.pfms)[:, 0])


def test_errors():
    with pytest.raises(ValueError, match="at least one JASPAR ID"):
        PlantedMotifs(())
    with pytest.raises(ValueError, match="longest motif"):
        PlantedMotifs(length=5)
    with pytest.raises(ValueError, match="present in JASPAR2024"):
        PlantedMotifs(("MA9999.9",))
    with pytest.raises(ValueError, match="n: expected an int >= 1"):
        PlantedMotifs().sample(0, torch.Generator())
    with pytest.raises(ValueError, match="seed"):
        gata_task(seed="0")
    with pytest.raises(ValueError, match="at least 8 bp"):
        log_likelihood_ratios(torch.zeros(1, 4, 5), PlantedMotifs().pfms)
