import pytest
import torch
import torch.nn.functional as F

from lensbook import dna
from lensbook.experiments.cnn import scan_motif


def test_gata_example_peak_is_bases_4_to_9():
    r = scan_motif("ATCGATAAGCCG", "GATAAG")
    # check independently: the only exact occurrence, found by str.find
    start = "ATCGATAAGCCG".find("GATAAG")
    assert r.peak_start == start == 3
    assert (r.peak_first, r.peak_last) == (start + 1, start + 6)
    assert r.window == "GATAAG"
    assert r.peak_score == 6.0
    assert len(r.scores) == 12 - 6 + 1


def test_scores_count_matches_like_a_loop():
    seq, motif = "TTGATAAGGATTAG", "GATAAG"
    r = scan_motif(seq, motif)
    by_hand = [sum(a == b for a, b in zip(seq[i:i + len(motif)], motif)) for i in range(len(seq) - len(motif) + 1)]
    assert list(r.scores) == by_hand


def test_bias_and_relu():
    r = scan_motif("ATCGATAAGCCG", "GATAAG", bias=-5.0)
    assert r.scores == (0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0)


def test_sequence_shorter_than_motif_is_rejected():
    with pytest.raises(ValueError, match="at least as long as the motif"):
        scan_motif("GATA", "GATAAG")


def test_bad_character_is_rejected_with_position():
    with pytest.raises(ValueError, match="position 2"):
        scan_motif("ATXGATAAG", "GATAAG")


# --- the trained motif CNN ----------------------------------------------------------------------

import numpy as np  # noqa: E402

from lensbook import motifs  # noqa: E402
from lensbook.experiments import cnn as experiments  # noqa: E402
from lensbook.tasks.motif import MOTIF_IDS  # noqa: E402


def test_matching_rule():
    gata5 = motifs.load_jaspar("MA0766.3")
    assert experiments._rule(gata5, "MA0766.3", "GATA5", ("C4-GATA-related",)) == "same matrix"
    assert experiments._rule(gata5, "MA9999.1", "Gata5", ()) == "same TF"
    assert experiments._rule(gata5, "MA0482.3", "GATA4", ("C4-GATA-related",)) == "same family"
    assert experiments._rule(gata5, "MA0108.3", "TBP", ("TBP-related factors",)) == "none"


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


def test_deepsea_parameters_experiment():
    r = experiments.deepsea_parameters()
    assert r.total == 52_843_119
    assert r.names == ("conv1", "conv2", "conv3", "fc", "out")
    assert abs(r.share("fc") - 47_064_925 / 52_843_119) < 1e-12
    assert 0.906 < r.dense_share < 0.907 and abs(r.conv_share + r.dense_share - 1) < 1e-12
    assert r.fc_inputs == 960 * 53
    assert r.n_outputs == 919 and r.pool == 4 and r.fc_positions == 53


def test_deepsea_receptive_field_matches_autograd():
    """The last feature maps' receptive field and step, checked on the real (tiny) DeepSEA layout."""
    from lensbook.models.deepsea import DeepSEA, DeepSEAConfig

    r = experiments.deepsea_parameters()
    assert (r.fc_receptive_field, r.fc_step) == (163, 16)
    model = DeepSEA(DeepSEAConfig(length=400, channels=(2, 2, 2), n_hidden=2, n_outputs=1)).eval()
    torch.nn.init.constant_(model.conv1.weight, 1.0)   # no zero weight: every tap carries a gradient
    torch.nn.init.constant_(model.conv2.weight, 1.0)
    torch.nn.init.constant_(model.conv3.weight, 1.0)
    model.pool = torch.nn.AvgPool1d(4)  # same windows as the max pool, but every input gets a gradient
    x = torch.ones(1, 4, 400, requires_grad=True)
    seen = {}
    hook = model.conv3.register_forward_hook(lambda m, i, o: seen.update(out=o))
    model(x)
    hook.remove()
    for j in (0, 1, 5):
        if x.grad is not None:
            x.grad = None
        seen["out"][0, 0, j].backward(retain_graph=True)
        used = torch.nonzero(x.grad[0].abs().sum(dim=0)).flatten()
        assert (int(used[0]), len(used)) == (j * r.fc_step, r.fc_receptive_field)


def test_receptive_field_arithmetic():
    assert experiments.receptive_field([]) == (1, 1)
    assert experiments.receptive_field([(8, 1, 1), (2, 2, 1), (8, 1, 1), (2, 2, 1)]) == (25, 4)  # GenomicsCNN
    assert experiments.receptive_field([(3, 1, 1), (3, 1, 2), (3, 1, 4)]) == (15, 1)            # WaveNet's picture
    with pytest.raises(ValueError, match="stages"):
        experiments.receptive_field([(3, 0, 1)])


def test_dilated_receptive_field_follows_the_spliceai_config():
    from lensbook.models.spliceai import SpliceAIConfig

    r = experiments.dilated_receptive_field()
    config = SpliceAIConfig.preset("10k")
    assert r.units == config.units and r.context[-1] == config.context == 10_000
    assert r.presets == {"80": (4, 80), "400": (8, 400), "2k": (12, 2000), "10k": (16, 10_000)}
    for name, (n, cl) in r.presets.items():
        assert r.context[n - 1] == cl == SpliceAIConfig.preset(name).context
    assert r.undilated[-1] == 2 * sum(w - 1 for w, _ in config.units) == 640
    assert r.stack == ((11, 1), (11, 4)) and r.stack_field == 1 + 10 + 40
    assert r.stack_measured == tuple(range(-25, 26))
    assert r.n_convolutions == 32 and r.gain == 10_000 / 640
    small = experiments.dilated_receptive_field("400")
    assert small.context[-1] == 400 and small.stack == r.stack
