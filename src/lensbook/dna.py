"""DNA helpers: the one tensor convention shared from tasks to figures.

Sequences are upper-case ``str`` over ``ACGT``; positions are 0-based.
One-hot tensors are ``(N, 4, L)`` float32 in A, C, G, T order, channels first,
the layout ``torch.nn.Conv1d`` expects.

``N`` (an unknown base) is accepted and encoded as an all-zero column: it
carries no evidence for any base, so it adds nothing to a filter's score.
Any other character, lower-case bases included, raises ``ValueError`` naming
the character and its position (call ``.upper()`` on soft-masked sequence).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from ._validate import require

ALPHABET = "ACGT"
_INDEX = {base: i for i, base in enumerate(ALPHABET)}
_COMPLEMENT = str.maketrans("ACGTN", "TGCAN")


def validate_sequence(sequence: str, name: str = "sequence") -> str:
    """Check that ``sequence`` is a non-empty string over ``ACGTN``.

    Parameters
    ----------
    sequence : str
        The DNA sequence.
    name : str, optional
        The argument name used in the error message. Default is ``"sequence"``.

    Returns
    -------
    str
        The same sequence, unchanged.

    Raises
    ------
    ValueError
        If it is not a string, is empty, or holds a character outside ``ACGTN``;
        the message names the first bad character and its 0-based position.
    """
    require(isinstance(sequence, str), name, sequence, "a str over ACGT")
    require(len(sequence) > 0, name, sequence, "a non-empty sequence")
    for position, base in enumerate(sequence):
        if base not in _INDEX and base != "N":
            hint = " (lower case: call .upper() first)" if base.upper() in _INDEX else ""
            raise ValueError(
                f"{name}: invalid character {base!r} at position {position} "
                f"(0-based); expected one of A, C, G, T or N{hint}"
            )
    return sequence


def one_hot(sequences: str | Sequence[str]) -> torch.Tensor:
    """One-hot encode one sequence or a batch of equal-length sequences.

    Parameters
    ----------
    sequences : str or sequence of str
        One sequence, or several of the same length.

    Returns
    -------
    torch.Tensor
        ``(4, L)`` for one sequence, ``(N, 4, L)`` for a batch; float32,
        rows in A, C, G, T order, ``N`` encoded as a zero column.

    Examples
    --------
    >>> one_hot("GATA").argmax(0).tolist()
    [2, 0, 3, 0]
    """
    single = isinstance(sequences, str)
    batch = [sequences] if single else list(sequences)
    require(len(batch) > 0, "sequences", sequences, "at least one sequence")
    length = len(batch[0])
    for i, seq in enumerate(batch):
        validate_sequence(seq, name="sequence" if single else f"sequences[{i}]")
        require(len(seq) == length, f"sequences[{i}]", len(seq), f"length {length} like sequences[0]")
    codes = np.array([[_INDEX.get(b, 4) for b in seq] for seq in batch], dtype=np.int64)
    eye = np.vstack([np.eye(4, dtype=np.float32), np.zeros((1, 4), dtype=np.float32)])
    x = torch.from_numpy(eye[codes]).transpose(1, 2).contiguous()  # (N, L, 4) -> (N, 4, L)
    return x[0] if single else x


def decode(x: torch.Tensor) -> str | list[str]:
    """Turn a one-hot ``(4, L)`` or ``(N, 4, L)`` tensor back into sequence(s).

    An all-zero column decodes to ``N``.
    """
    require(isinstance(x, torch.Tensor) and x.dim() in (2, 3) and x.shape[-2] == 4,
            "x", getattr(x, "shape", x), "a tensor of shape (4, L) or (N, 4, L)")
    single = x.dim() == 2
    batch = x[None] if single else x
    index = batch.argmax(dim=1)                               # (N, 4, L) -> (N, L)
    empty = batch.abs().sum(dim=1) == 0                        # (N, L)
    out = ["".join("N" if e else ALPHABET[i] for i, e in zip(row.tolist(), em.tolist()))
           for row, em in zip(index, empty)]
    return out[0] if single else out


def reverse_complement(sequence: str) -> str:
    """Reverse complement of a DNA sequence (``N`` stays ``N``)."""
    validate_sequence(sequence)
    return sequence.translate(_COMPLEMENT)[::-1]


def random_sequence(length: int, rng: np.random.Generator, gc: float = 0.5) -> str:
    """Draw an i.i.d. background sequence.

    Parameters
    ----------
    length : int
        Number of bases, at least 1.
    rng : numpy.random.Generator
        The source of randomness (the library never seeds global state).
    gc : float, optional
        Probability of G or C at each position. Default is 0.5.
    """
    require(isinstance(length, int) and length >= 1, "length", length, "an int >= 1")
    require(0.0 <= gc <= 1.0, "gc", gc, "a probability in [0, 1]")
    p = np.array([1 - gc, gc, gc, 1 - gc]) / 2.0
    return "".join(np.array(list(ALPHABET))[rng.choice(4, size=length, p=p)])


def plant(sequence: str, motif: str, position: int) -> str:
    """Return ``sequence`` with ``motif`` written over it starting at ``position`` (0-based)."""
    validate_sequence(sequence)
    validate_sequence(motif, name="motif")
    require(isinstance(position, int) and 0 <= position <= len(sequence) - len(motif),
            "position", position, f"an int in [0, {len(sequence) - len(motif)}] so the motif fits")
    return sequence[:position] + motif + sequence[position + len(motif):]
