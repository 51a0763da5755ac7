"""DNA helpers: the one tensor convention shared from tasks to figures.

Sequences are upper-case ``str`` over ``ACGT``; positions are 0-based.
One-hot tensors are ``(N, 4, L)`` float32 in A, C, G, T order, channels first,
the layout ``torch.nn.Conv1d`` expects.

``N`` (an unknown base) is accepted and encoded as an all-zero column: it
carries no evidence for any base, so it adds nothing to a filter's score.
Any other character, lower-case bases included, raises ``ValueError`` naming
the character and its position (call ``.upper()`` on soft-masked sequence).

Base codes (``to_indices``/``from_indices``) are 0, 1, 2, 3 for A, C, G, T
and 4 for ``N``, the form ``torch.randint(0, 4, (N, L))`` draws.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from ._validate import require, require_sequences

ALPHABET = "ACGT"
#: The base code of ``N`` (an unknown base) in :func:`to_indices` and :func:`from_indices`.
N_CODE = 4
_INDEX = {base: i for i, base in enumerate(ALPHABET)}
_COMPLEMENT = str.maketrans("ACGTN", "TGCAN")
_EYE = torch.cat([torch.eye(4), torch.zeros(1, 4)])      # (5, 4): row k is the column of code k


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
    >>> one_hot("GATA")
    tensor([[0., 1., 0., 1.],
            [0., 0., 0., 0.],
            [1., 0., 0., 0.],
            [0., 0., 1., 0.]])
    """
    single = isinstance(sequences, str)
    batch = [sequences] if single else list(sequences)
    require(len(batch) > 0, "sequences", sequences, "at least one sequence")
    length = len(batch[0])
    for i, seq in enumerate(batch):
        validate_sequence(seq, name="sequence" if single else f"sequences[{i}]")
        require(len(seq) == length, f"sequences[{i}]", len(seq), f"length {length} like sequences[0]")
    codes = torch.tensor([[_INDEX.get(b, N_CODE) for b in seq] for seq in batch], dtype=torch.int64)
    x = from_indices(codes).contiguous()                     # (N, L) -> (N, 4, L)
    return x[0] if single else x


def from_indices(codes: torch.Tensor) -> torch.Tensor:
    """One-hot encode base codes: 0, 1, 2, 3 for A, C, G, T and 4 (:data:`N_CODE`) for ``N``.

    Parameters
    ----------
    codes : torch.Tensor of int, shape (L,) or (N, L)
        Base codes, e.g. drawn by ``torch.randint(0, 4, (N, L))``.

    Returns
    -------
    torch.Tensor, shape (4, L) or (N, 4, L)
        float32, rows in A, C, G, T order, ``N`` a zero column. A transposed
        view of an ``(N, L, 4)`` tensor (call ``.contiguous()`` if a copy in
        this layout is needed).

    Examples
    --------
    >>> decode(from_indices(torch.tensor([2, 0, 3, 0, 4])))
    'GATAN'
    """
    require(isinstance(codes, torch.Tensor) and codes.dim() in (1, 2) and not codes.is_floating_point()
            and not codes.is_complex(), "codes", getattr(codes, "shape", codes),
            "an int tensor of shape (L,) or (N, L)")
    require(bool(((codes >= 0) & (codes <= N_CODE)).all()), "codes", codes,
            f"base codes in 0..{N_CODE} (A, C, G, T, N)")
    return _EYE[codes].transpose(-1, -2)                     # (N, L) -> (N, L, 4) -> (N, 4, L)


def to_indices(x: str | Sequence[str] | torch.Tensor) -> torch.Tensor:
    """Base codes of sequence(s) or of one-hot DNA: 0, 1, 2, 3 for A, C, G, T and 4 for ``N``.

    The inverse of :func:`from_indices`.

    Parameters
    ----------
    x : str, sequence of str, or torch.Tensor of shape (4, L) or (N, 4, L)
        Sequences, or one-hot DNA (an all-zero column is ``N``).

    Returns
    -------
    torch.Tensor of int64, shape (L,) or (N, L)

    Examples
    --------
    >>> to_indices("GATAN").tolist()
    [2, 0, 3, 0, 4]
    >>> to_indices(one_hot(["GATA", "TTAC"])).tolist()
    [[2, 0, 3, 0], [3, 3, 0, 1]]
    """
    if not isinstance(x, torch.Tensor):
        x = one_hot(x)
    require_sequences(x, "x", unbatched=True)
    codes = x.argmax(dim=-2)                                  # (N, 4, L) -> (N, L)
    return codes.masked_fill(x.abs().sum(dim=-2) == 0, N_CODE)  # an all-zero column is N


def decode(x: torch.Tensor) -> str | list[str]:
    """Turn a one-hot ``(4, L)`` or ``(N, 4, L)`` tensor back into sequence(s).

    An all-zero column decodes to ``N``.
    """
    codes = to_indices(x)                                     # (N, 4, L) -> (N, L)
    out = ["".join((ALPHABET + "N")[i] for i in row) for row in codes.reshape(-1, x.shape[-1]).tolist()]
    return out[0] if x.dim() == 2 else out


def reverse_complement(sequence: str | torch.Tensor) -> str | torch.Tensor:
    """The other strand: complement each base (A<->T, C<->G), then reverse the order.

    Parameters
    ----------
    sequence : str, or torch.Tensor of shape (4, L) or (N, 4, L)
        A sequence (``N`` stays ``N``), or anything in the one-hot layout, rows
        in A, C, G, T order: one-hot DNA, a PFM or PWM, a layer of filters
        ``(filters, 4, width)``.

    Returns
    -------
    str or torch.Tensor
        The same type and shape. For a tensor, the four rows and the
        positions are reversed: with rows A, C, G, T, reversing the rows
        swaps A with T and C with G.

    Examples
    --------
    >>> reverse_complement("GATAAG")
    'CTTATC'
    >>> decode(reverse_complement(one_hot("GATAAG")))
    'CTTATC'
    """
    if isinstance(sequence, torch.Tensor):
        require_sequences(sequence, "sequence", unbatched=True)
        return sequence.flip(-2, -1)                         # (N, 4, L) -> (N, 4, L)
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
