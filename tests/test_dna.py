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


def test_reverse_complement_of_one_hot_matches_the_string():
    sequences = ["GATAAGC", "ACGTNAC"]
    x = dna.one_hot(sequences)
    assert dna.decode(dna.reverse_complement(x)) == [dna.reverse_complement(s) for s in sequences]
    assert dna.decode(dna.reverse_complement(x[0])) == "GCTTATC"         # one (4, L) sequence
    assert torch.equal(dna.reverse_complement(dna.reverse_complement(x)), x)


def test_reverse_complement_of_a_matrix_swaps_rows_and_reverses_columns():
    pwm = torch.arange(8.0).reshape(4, 2)                                 # rows A, C, G, T
    assert dna.reverse_complement(pwm).tolist() == [[7.0, 6.0], [5.0, 4.0], [3.0, 2.0], [1.0, 0.0]]


def test_reverse_complement_rejects_a_wrong_layout():
    with pytest.raises(ValueError, match="4 channels in dimension 1"):
        dna.reverse_complement(torch.zeros(2, 7, 4))
    with pytest.raises(ValueError, match="invalid character"):
        dna.reverse_complement("GATX")


def test_indices_round_trip_with_n():
    codes = dna.to_indices(["GATAN", "TTACG"])
    assert codes.tolist() == [[2, 0, 3, 0, 4], [3, 3, 0, 1, 2]] and codes.dtype == torch.int64
    assert dna.to_indices("GATA").tolist() == [2, 0, 3, 0]
    x = dna.from_indices(codes)
    assert x.shape == (2, 4, 5) and x.dtype == torch.float32
    assert torch.equal(x, dna.one_hot(["GATAN", "TTACG"]))
    assert torch.equal(dna.to_indices(x), codes)
    assert torch.equal(dna.from_indices(codes[0]), dna.one_hot("GATAN"))   # one (L,) sequence


def test_indices_of_one_hot_are_argmax_over_the_bases():
    codes = torch.randint(0, 4, (3, 50), generator=torch.Generator().manual_seed(0))
    x = torch.nn.functional.one_hot(codes, 4).transpose(1, 2).float()
    assert torch.equal(dna.from_indices(codes), x)
    assert torch.equal(dna.to_indices(x), x.argmax(dim=1))


def test_indices_are_validated():
    with pytest.raises(ValueError, match=r"base codes in 0\.\.4"):
        dna.from_indices(torch.tensor([0, 5]))
    with pytest.raises(ValueError, match=r"base codes in 0\.\.4"):
        dna.from_indices(torch.tensor([-1, 0]))
    with pytest.raises(ValueError, match="an int tensor"):
        dna.from_indices(torch.zeros(3))
    with pytest.raises(ValueError, match="an int tensor"):
        dna.from_indices(torch.zeros(1, 2, 3, dtype=torch.long))
    with pytest.raises(ValueError, match=r"shape \(4, L\) or \(N, 4, L\)"):
        dna.to_indices(torch.zeros(5))
