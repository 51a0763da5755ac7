import numpy as np
import pytest
import torch

from lensbook import dna


def test_one_hot_shape_and_order():
    x = dna.one_hot("ACGT")
    assert x.shape == (4, 4)
    assert x.dtype == torch.float32
    assert torch.equal(x, torch.eye(4))  # A, C, G, T rows, channels first


def test_one_hot_batch_is_channels_first():
    x = dna.one_hot(["GATA", "TTTT"])
    assert x.shape == (2, 4, 4)
    assert x[1, 3].tolist() == [1, 1, 1, 1]


def test_n_is_a_zero_column_and_decodes_back():
    x = dna.one_hot("GNA")
    assert x[:, 1].sum() == 0
    assert dna.decode(x) == "GNA"


def test_decode_round_trip_batch():
    seqs = ["ACGTN", "TTGCA"]
    assert dna.decode(dna.one_hot(seqs)) == seqs


@pytest.mark.parametrize("seq, char, pos", [("ACGX", "X", 3), ("acgt", "a", 0), ("AC GT", " ", 2)])
def test_invalid_character_is_named_with_its_position(seq, char, pos):
    with pytest.raises(ValueError, match=rf"invalid character {char!r} at position {pos}"):
        dna.one_hot(seq)


def test_lower_case_gets_a_hint():
    with pytest.raises(ValueError, match=r"upper\(\)"):
        dna.validate_sequence("gata")


def test_empty_and_non_string_rejected():
    with pytest.raises(ValueError, match="non-empty"):
        dna.one_hot("")
    with pytest.raises(ValueError, match="a str over ACGT"):
        dna.validate_sequence(42)


def test_batch_lengths_must_match():
    with pytest.raises(ValueError, match=r"sequences\[1\].*length 4"):
        dna.one_hot(["ACGT", "ACG"])


def test_decode_rejects_wrong_shape():
    with pytest.raises(ValueError, match=r"\(4, L\)"):
        dna.decode(torch.zeros(3, 5))


def test_reverse_complement():
    assert dna.reverse_complement("GATAAG") == "CTTATC"
    assert dna.reverse_complement("ANT") == "ANT"


def test_random_sequence_is_seeded_and_respects_gc():
    a = dna.random_sequence(2000, np.random.default_rng(1), gc=0.7)
    b = dna.random_sequence(2000, np.random.default_rng(1), gc=0.7)
    assert a == b
    gc = (a.count("G") + a.count("C")) / len(a)
    assert 0.66 < gc < 0.74
    with pytest.raises(ValueError, match="gc"):
        dna.random_sequence(10, np.random.default_rng(0), gc=1.5)


def test_plant_writes_motif_and_checks_bounds():
    assert dna.plant("AAAAAA", "GT", 2) == "AAGTAA"
    with pytest.raises(ValueError, match="position"):
        dna.plant("AAAA", "GATAAG", 0)
