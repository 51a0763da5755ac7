import numpy as np
import pytest
import torch

from lensbook import dna, motifs


# --- conversions -----------------------------------------------------------------------------


def test_counts_to_pfm_normalises_each_column():
    counts = [[3, 0, 10], [1, 0, 0], [0, 4, 0], [0, 0, 10]]
    pfm = motifs.counts_to_pfm(counts)
    assert np.allclose(pfm.sum(axis=0), 1.0)
    assert pfm[:, 0].tolist() == [0.75, 0.25, 0.0, 0.0]


def test_pseudocount_removes_zeros_and_is_spread_evenly():
    pfm = motifs.counts_to_pfm([[4], [0], [0], [0]], pseudocount=4.0)
    assert pfm[:, 0].tolist() == [5 / 8, 1 / 8, 1 / 8, 1 / 8]


def test_counts_errors():
    with pytest.raises(ValueError, match="counts >= 0"):
        motifs.counts_to_pfm([[-1], [1], [0], [0]])
    with pytest.raises(ValueError, match=r"shape \(4, w\)"):
        motifs.counts_to_pfm([[1, 2, 3]])
    with pytest.raises(ValueError, match="at least one count"):
        motifs.counts_to_pfm([[1, 0], [0, 0], [0, 0], [0, 0]])
    with pytest.raises(ValueError, match="pseudocount"):
        motifs.counts_to_pfm([[1], [0], [0], [0]], pseudocount=-1)


def test_validate_pfm_names_the_bad_column():
    bad = np.full((4, 3), 0.25)
    bad[:, 2] = [0.5, 0.5, 0.5, 0.0]
    with pytest.raises(ValueError, match="column 2 sums to 1.5"):
        motifs.validate_pfm(bad)


def test_validate_pfm_other_errors():
    with pytest.raises(ValueError, match="probabilities >= 0"):
        motifs.validate_pfm([[1.2], [-0.2], [0.0], [0.0]])
    with pytest.raises(ValueError, match="finite"):
        motifs.validate_pfm([[np.nan], [0.5], [0.5], [0.0]])
    with pytest.raises(ValueError, match=r"shape \(4, w\)"):
        motifs.validate_pfm(np.full((3, 2), 1 / 3))


def test_pwm_round_trip_and_background():
    pfm = motifs.counts_to_pfm([[5, 1], [1, 1], [1, 6], [1, 0]], pseudocount=1.0)
    background = [0.3, 0.2, 0.2, 0.3]
    pwm = motifs.pfm_to_pwm(pfm, background)
    assert np.allclose(pwm[:, 0], np.log2(pfm[:, 0] / np.array(background)))
    assert np.allclose(motifs.pwm_to_pfm(pwm, background), pfm)


def test_pwm_of_a_zero_is_minus_infinity_and_inverts():
    pfm = np.array([[1.0], [0.0], [0.0], [0.0]])
    pwm = motifs.pfm_to_pwm(pfm)
    assert pwm[0, 0] == 2.0 and np.isneginf(pwm[1:, 0]).all()
    assert np.allclose(motifs.pwm_to_pfm(pwm), pfm)


def test_pwm_to_pfm_rejects_a_matrix_that_is_not_log_odds():
    with pytest.raises(ValueError, match="column 0 sums to"):
        motifs.pwm_to_pfm(np.ones((4, 2)))
    with pytest.raises(ValueError, match="finite or -inf"):
        motifs.pwm_to_pfm(np.full((4, 1), np.inf))
    with pytest.raises(ValueError, match=r"shape \(4, w\)"):
        motifs.pwm_to_pfm(np.ones(4))
    with pytest.raises(ValueError, match="background"):
        motifs.pwm_to_pfm(np.zeros((4, 1)), background=[0.5, 0.5, 0.5, 0.5])


def test_information_content_and_logo_heights():
    pfm = np.array([[1.0, 0.25, 0.5], [0.0, 0.25, 0.5], [0.0, 0.25, 0.0], [0.0, 0.25, 0.0]])
    ic = motifs.information_content(pfm)
    assert np.allclose(ic, [2.0, 0.0, 1.0])
    heights = motifs.logo_heights(pfm)
    assert np.allclose(heights.sum(axis=0), ic)
    assert np.allclose(heights[:, 2], [0.5, 0.5, 0.0, 0.0])


def test_consensus_and_reverse_complement():
    pfm = dna.one_hot("GATAAG").numpy().astype(np.float64)
    assert motifs.consensus(pfm) == "GATAAG"
    assert motifs.consensus(motifs.reverse_complement_pfm(pfm)) == "CTTATC"


# --- JASPAR ----------------------------------------------------------------------------------


def test_load_jaspar_gata5_holds_the_gataag_core():
    gata5 = motifs.load_jaspar("MA0766.3")
    assert gata5.name == "GATA5"
    assert gata5.family == ("C4-GATA-related",)
    assert "GATAAG" in gata5.consensus
    assert np.allclose(gata5.pfm.sum(axis=0), 1.0)


def test_jaspar2024_gata1_is_not_the_wgatar_core():
    assert motifs.load_jaspar("MA0035.5").consensus == "CTAATCT"


def test_base_id_gives_the_latest_version():
    assert motifs.load_jaspar("MA0108").matrix_id == "MA0108.3"


def test_unknown_and_malformed_ids_are_rejected():
    with pytest.raises(ValueError, match="present in JASPAR2024"):
        motifs.load_jaspar("MA9999.1")
    with pytest.raises(ValueError, match="JASPAR CORE matrix ID"):
        motifs.load_jaspar("GATA1")


def test_core_vertebrates():
    targets = motifs.jaspar_core_vertebrates()
    assert len(targets) == 879
    ids = {m.matrix_id for m in targets}
    assert {"MA0766.3", "MA0108.3", "MA0060.4"} <= ids
    for m in targets[:50]:
        motifs.validate_pfm(m.pfm)


# --- learned filters -------------------------------------------------------------------------


def test_filter_to_pfm_collects_the_windows_that_fire():
    seqs = ["TTGATAAGTT", "CCCCGATAAG", "ACACACACAC"]
    x = dna.one_hot(seqs)
    activations = torch.zeros(3, 10 - 6 + 1)
    activations[0, 2] = 4.0           # GATAAG at 2
    activations[1, 4] = 3.0           # GATAAG at 4
    activations[2, 0] = 1.0           # below half the maximum: ignored
    pfm, n_sites = motifs.filter_to_pfm(activations, x, 6, pseudocount=0.0)
    assert n_sites == 2
    assert motifs.consensus(pfm) == "GATAAG"
    assert np.allclose(pfm.max(axis=0), 1.0)


def test_filter_that_never_fires_gives_a_uniform_pfm():
    x = dna.one_hot(["ACGTACGT"])
    pfm, n_sites = motifs.filter_to_pfm(torch.zeros(1, 5), x, 4)
    assert n_sites == 0 and np.allclose(pfm, 0.25)


def test_filter_to_pfm_errors():
    x = dna.one_hot(["ACGTACGT"])
    with pytest.raises(ValueError, match=r"activations: expected shape \(1, 5\)"):
        motifs.filter_to_pfm(torch.zeros(1, 6), x, 4)
    with pytest.raises(ValueError, match="sequences are 8 bp"):
        motifs.filter_to_pfm(torch.zeros(1, 1), x, 9)
    with pytest.raises(ValueError, match=r"one-hot DNA of shape \(N, 4, L\)"):
        motifs.filter_to_pfm(torch.zeros(1, 5), x[0], 4)
    with pytest.raises(ValueError, match="threshold"):
        motifs.filter_to_pfm(torch.zeros(1, 5), x, 4, threshold=1.5)


# --- Tomtom ----------------------------------------------------------------------------------
# memelite compiles for tens of seconds on its first call, so the unit tests check the wrapper
# against a stand-in; the real search runs in the build (lensbook.experiments.cnn.motif_cnn).


def test_tomtom_wrapper_passes_pfms_and_unpacks_the_result(monkeypatch):
    import memelite

    seen = {}

    def fake(queries, targets, n_jobs):
        seen.update(queries=queries, targets=targets)
        out = np.zeros((5, len(queries), len(targets)))
        out[0] = 0.5
        out[0, 0, 3] = 1e-9
        out[2, 0, 3], out[3, 0, 3], out[4, 0, 3] = -2, 6, 1
        return out

    monkeypatch.setattr(memelite, "tomtom", fake)
    targets = motifs.jaspar_core_vertebrates()[:30]
    hits = motifs.tomtom([np.full((4, 6), 0.25)], targets)
    assert hits.best(0) == 3
    assert (hits.offsets[0, 3], hits.overlaps[0, 3], hits.strands[0, 3]) == (-2, 6, 1)
    assert len(seen["targets"]) == 30 and np.allclose(seen["targets"][0], targets[0].pfm)


def test_tomtom_needs_a_database_of_targets_and_valid_queries():
    targets = motifs.jaspar_core_vertebrates()[:30]
    with pytest.raises(ValueError, match="at least 25 target matrices"):
        motifs.tomtom([np.full((4, 6), 0.25)], targets[:5])
    with pytest.raises(ValueError, match="queries"):
        motifs.tomtom([], targets)
    with pytest.raises(ValueError, match=r"queries\[0\]: expected each column to sum to 1"):
        motifs.tomtom([np.ones((4, 6))], targets)
