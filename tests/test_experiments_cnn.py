"""The trained motif CNN (docs/cnn.md), run small, with a stand-in for Tomtom."""

import numpy as np
import torch

from lensbook import dna, motifs
from lensbook.experiments import cnn as experiments
from lensbook.tasks.motif import MOTIF_IDS


def test_ism_of_a_linear_score_is_the_weight_difference():
    w = torch.arange(4 * 6, dtype=torch.float32).reshape(4, 6)
    x = dna.one_hot("GATAAG")
    delta = experiments._ism(lambda v: (v * w).sum(dim=(1, 2)), x)
    ref = x.argmax(dim=0)
    expected = (w - w[ref, torch.arange(6)]).numpy()
    assert delta.shape == (4, 6)
    assert np.allclose(delta, expected)
    assert np.allclose(delta[ref.numpy(), np.arange(6)], 0.0)


def _fake_tomtom(queries, targets):
    """Stand-in for memelite: query i's rank-1 match is planted motif i % 3, p = 1e-9."""
    ids = [t.matrix_id for t in targets]
    p = np.full((len(queries), len(targets)), 0.5)
    for i in range(len(queries)):
        p[i, ids.index(MOTIF_IDS[i % 3])] = 1e-9
    zeros = np.zeros_like(p, dtype=int)
    return motifs.TomtomHits(p_values=p, offsets=zeros, overlaps=zeros + 8, strands=zeros)


def test_motif_cnn_end_to_end_with_a_stand_in_for_tomtom(monkeypatch, one_thread):
    monkeypatch.setattr(motifs, "tomtom", _fake_tomtom)
    r = experiments.motif_cnn(steps=150, n_test=600, seed=0)
    assert r.motif_ids == MOTIF_IDS and len(r.cnn_auroc) == len(r.oracle_auroc) == 3
    assert all(0.5 < a <= 1.0 for a in r.cnn_auroc + r.oracle_auroc)
    assert len(r.filters) == r.n_filters == 8
    searched = [f for f in r.filters if f.searched]
    assert all(f.information >= experiments.MIN_INFORMATION for f in searched)
    assert all(f.match_id in MOTIF_IDS and f.p_value == 1e-9 for f in searched)
    for rec in r.recoveries:
        if rec.filter >= 0:
            assert rec.rule == "same matrix" and rec.recovered and rec.planted_rank == 1
    assert r.p_threshold == experiments.P_THRESHOLD and r.min_information == experiments.MIN_INFORMATION
    assert all(len(f.consensus) == r.width for f in r.filters)
    assert len(r.example_peaks) == r.n_filters and len(r.example_hits) == 3
    for (value, centre), maps in zip(r.example_peaks, r.example_maps):
        assert value == maps.max() and centre == int(maps.argmax()) + 1 + (r.width - 1) / 2
    assert r.example_maps.shape == (8, 200 - r.width + 1)
    assert [name for name, _, _ in r.example_sites] == list(r.motif_names)
    for (name, start, _), rec in zip(r.example_sites, r.recoveries):
        assert r.example[start:start + len(rec.consensus)] == rec.consensus
    assert r.ism_cnn.shape == r.ism_oracle.shape == (4, 200)
    assert r.ism_oracle_drop > 0 and r.ism_drop == -r.ism_cnn.min() and r.motif_names[r.ism_class - 1] == "GATA5"
    assert r.ism_outside_drop <= r.ism_drop
    site = r.ism_sequence[r.ism_start:r.ism_start + r.ism_width]
    assert len(site) == 8 and r.ism_start >= 0


