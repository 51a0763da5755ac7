"""The GATA example: a hand-set filter slid along one sequence."""

import pytest
import torch
from lensbook.experiments.gata_scan import ScanResult, scan_motif


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


def test_the_peak_is_read_from_the_scores_first_on_a_tie():
    r = ScanResult(sequence="GATAAGATAA", motif="GATA", scores=(4.0, 0.0, 1.0, 0.0, 4.0, 0.0, 0.0))
    assert (r.peak_start, r.peak_score, r.peak_first, r.peak_last, r.window) == (0, 4.0, 1, 4, "GATA")
