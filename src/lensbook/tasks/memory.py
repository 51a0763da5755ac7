"""Splice-story memory tasks for the RNN and LSTM pages (docs/rnn.md, docs/lstm.md).

Two tasks, each generated from a known rule, so the best possible answer is
known exactly:

``DonorOrderTask`` (memory over a distance)
    Two donor-like motifs sit near the start of a random sequence, each one of
    two consensus variants, ``GTAAGT`` or ``GTGAGT`` (both match the donor
    consensus GTRAGT). Then come ``gap`` random bases and, at the end, the
    acceptor ``AG``. At the acceptor the model must say which variants came,
    in which order: four classes (AA, AG, GA, GG, named by each donor's third
    base), chance 1/4. This is the temporal-order problem of Hochreiter &
    Schmidhuber (1997, doi:10.1162/neco.1997.9.8.1735, experiment 6a) in
    genomic dress. A plain "was there a donor?" task is a one-bit latch that
    a well-initialised RNN can also hold; remembering two items and their
    order is what the gates are for.

``DonorBoundaryTask`` (context on both sides)
    A per-position task: position ``p`` is an exon end (label 1) when it ends
    ``CAG`` *and* is followed by the intron start ``GTAAGT``, the two halves of
    the donor consensus ``MAG|GTRAGT``. At the time a left-to-right reader
    reaches ``p`` it has seen the ``CAG`` but not what follows; the label
    depends on the downstream half.

Backgrounds are i.i.d. uniform bases with accidental copies of the motifs
removed (a random base inside each accidental copy is redrawn until none is
left), so the planted motifs are the only ones and the rule's answer is the
oracle's. Sequences are one-hot ``(N, 4, L)`` (``lensbook.dna``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from .._validate import require, require_sequences
from ..dna import decode, from_indices, to_indices  # noqa: F401  (decode: for callers importing it from here)

#: The two donor variants (consensus GTRAGT); class = 2 * first + second.
DONORS = ("GTAAGT", "GTGAGT")
#: Class names: the third base of the first and second donor.
CLASSES = ("AA", "AG", "GA", "GG")
ACCEPTOR = "AG"
#: The exon end and intron start of the boundary task (donor consensus MAG|GTRAGT).
EXON_END, INTRON_START = "CAG", "GTAAGT"

def _rng(generator: torch.Generator) -> np.random.Generator:
    """A NumPy generator seeded from ``generator`` (so a torch seed fixes the batch).

    The samplers work in NumPy: for arrays this small its calls cost a fraction
    of torch's, and the training loop draws a fresh batch every step.
    """
    return np.random.default_rng(int(torch.randint(0, 2 ** 62, (), generator=generator)))


def _keys(tokens: np.ndarray, width: int) -> np.ndarray:
    """Each window of ``width`` bases as one integer (base-4 digits): ``(N, L)`` -> ``(N, L - width + 1)``."""
    span = tokens.shape[1] - width + 1
    key = np.zeros((tokens.shape[0], max(span, 0)), dtype=np.int64)
    for j in range(width if span > 0 else 0):
        key = key * 4 + tokens[:, j:j + span]
    return key


def _key(motif: str) -> int:
    return sum(code * 4 ** (len(motif) - 1 - j) for j, code in enumerate(to_indices(motif).tolist()))


def find(tokens: torch.Tensor | np.ndarray, motif: str) -> torch.Tensor:
    """``hits[n, s]``: ``motif`` starts at ``s`` in row ``n`` of ``tokens`` ``(N, L)`` (0..3 codes).

    Returns a bool tensor ``(N, L - len(motif) + 1)`` (empty when the motif is longer).
    """
    tokens = tokens.numpy() if isinstance(tokens, torch.Tensor) else tokens
    return torch.from_numpy(_keys(tokens.astype(np.int64), len(motif)) == _key(motif))


def _scrub(tokens: np.ndarray, keep: np.ndarray, motifs: tuple[str, ...], allowed: np.ndarray,
           rng: np.random.Generator) -> None:
    """Redraw background bases until no copy of ``motifs`` starts outside ``allowed``; in place.

    ``keep`` ``(N, L)`` marks planted bases (never redrawn); ``allowed[m]`` ``(N, L)``
    marks the planted starts of ``motifs[m]``.
    """
    for _ in range(1000):
        bad = np.zeros_like(keep)
        keys = {width: _keys(tokens, width) for width in {len(m) for m in motifs}}
        for m, motif in enumerate(motifs):
            hits = (keys[len(motif)] == _key(motif)) & ~allowed[m][:, :tokens.shape[1] - len(motif) + 1]
            if hits.any():
                for offset in range(len(motif)):  # every base of an accidental copy
                    bad[:, offset:offset + hits.shape[1]] |= hits
        bad &= ~keep
        if not bad.any():
            return
        tokens[bad] = rng.integers(0, 4, int(bad.sum()))
    raise RuntimeError("could not remove accidental motif copies")  # pragma: no cover


# -- memory over a distance -----------------------------------------------------------


@dataclass(frozen=True)
class OrderBatch:
    """A batch of ``DonorOrderTask`` with where the donors were planted.

    ``x`` ``(N, 4, L)``, ``y`` ``(N,)`` class indices, ``first``/``second``
    ``(N,)`` donor start positions (0-based).
    """

    x: torch.Tensor
    y: torch.Tensor
    first: torch.Tensor
    second: torch.Tensor


@dataclass(frozen=True)
class DonorOrderTask:
    """Two donors, a gap of ``gap`` random bases, an acceptor: report the donors' variants in order.

    Layout (0-based): the first donor starts in ``[0, 4]``, the second in
    ``[10, 14]`` (so both lie in the first ``window = 20`` bases), then ``gap``
    random bases, then ``AG``. The answer is read at the last base, so the
    first donor is between ``gap + 16`` and ``gap + 22`` steps back.

    Parameters
    ----------
    gap : int
        Random bases between the donor window and the acceptor, >= 0.
    """

    gap: int
    window: int = 20

    def __post_init__(self) -> None:
        require(isinstance(self.gap, int) and self.gap >= 0, "gap", self.gap, "an int >= 0")

    @property
    def length(self) -> int:
        """``L = window + gap + 2``."""
        return self.window + self.gap + len(ACCEPTOR)

    def sample_planted(self, n: int, generator: torch.Generator) -> OrderBatch:
        """A fresh batch of ``n`` sequences, with the donor positions."""
        require(isinstance(n, int) and n >= 1, "n", n, "an int >= 1")
        rng = _rng(generator)
        tokens = rng.integers(0, 4, (n, self.length))
        variant = rng.integers(0, 2, (n, 2))
        first = rng.integers(0, 5, n)
        second = 10 + rng.integers(0, 5, n)
        keep = np.zeros((n, self.length), dtype=bool)
        allowed = np.zeros((len(DONORS), n, self.length), dtype=bool)
        rows = np.arange(n)
        donors = np.stack([to_indices(d).numpy() for d in DONORS])  # (2, 6)
        for slot, start in enumerate((first, second)):
            columns = start[:, None] + np.arange(6)                # (N, 6)
            tokens[rows[:, None], columns] = donors[variant[:, slot]]
            keep[rows[:, None], columns] = True
            allowed[variant[:, slot], rows, start] = True
        tokens[:, -2:] = to_indices(ACCEPTOR).numpy()
        keep[:, -2:] = True
        _scrub(tokens, keep, DONORS, allowed, rng)
        label = 2 * variant[:, 0] + variant[:, 1]
        return OrderBatch(from_indices(torch.from_numpy(tokens)), torch.from_numpy(label), torch.from_numpy(first),
                          torch.from_numpy(second))

    def sample(self, n: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        """``x`` ``(n, 4, L)`` float32 and ``y`` ``(n,)`` int64 in ``0..3`` (``CLASSES``)."""
        batch = self.sample_planted(n, generator)
        return batch.x, batch.y

    def oracle(self, x: torch.Tensor) -> torch.Tensor:
        """The rule itself: the class read from the donors in ``x`` ``(N, 4, L)`` -> ``(N,)``.

        The donors are the only copies of either variant, so this is always
        right (accuracy 1.0): the task has no noise, only distance.
        """
        require_sequences(x)
        tokens = to_indices(x)                                     # (N, 4, L) -> (N, L)
        hits = torch.stack([find(tokens, d) for d in DONORS])      # (2, N, L - 5)
        starts = hits.any(dim=0).float()                           # (N, L - 5)
        first = starts.argmax(dim=1)                               # the first donor's start
        variant_first = hits[1, torch.arange(len(x)), first].long()
        later = starts.clone()
        later[torch.arange(len(x)), first] = 0
        second = later.argmax(dim=1)
        variant_second = hits[1, torch.arange(len(x)), second].long()
        return 2 * variant_first + variant_second


# -- context on both sides ------------------------------------------------------------


@dataclass(frozen=True)
class DonorBoundaryTask:
    """Label every position: 1 where ``CAG`` ends and ``GTAAGT`` follows (an exon end).

    ``sites`` copies of ``CAG`` are planted at random, non-overlapping places;
    each is followed by ``GTAAGT`` with probability ``p_donor``, otherwise by
    random bases that are not ``GTAAGT``. Background ``CAG`` and ``GTAAGT``
    copies are left where chance puts them (except a complete ``CAGGTAAGT``):
    half a donor is not a donor.

    Parameters
    ----------
    length : int, optional
        ``L``. Default is 64.
    sites : int, optional
        Planted ``CAG`` sites per sequence. Default is 3.
    p_donor : float, optional
        Chance that a planted site is a real donor. Default is 0.5.
    """

    length: int = 64
    sites: int = 3
    p_donor: float = 0.5

    def __post_init__(self) -> None:
        require(isinstance(self.sites, int) and self.sites >= 1, "sites", self.sites, "an int >= 1")
        require(isinstance(self.length, int) and self.length >= 9 * self.sites + 2, "length", self.length,
                f"an int >= {9 * self.sites + 2} so that {self.sites} sites fit")
        require(0.0 <= self.p_donor <= 1.0, "p_donor", self.p_donor, "a probability in [0, 1]")

    def sample(self, n: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        """``x`` ``(n, 4, L)`` and per-position labels ``y`` ``(n, L)`` float32 (0 or 1)."""
        require(isinstance(n, int) and n >= 1, "n", n, "an int >= 1")
        rng = _rng(generator)
        tokens = rng.integers(0, 4, (n, self.length))
        # non-overlapping 9-base slots: random order statistics of the free room
        free = self.length - 9 * self.sites
        starts = np.sort(rng.integers(0, free + 1, (n, self.sites)), axis=1) + 9 * np.arange(self.sites)
        donor = rng.random((n, self.sites)) < self.p_donor         # (N, sites)
        keep = np.zeros((n, self.length), dtype=bool)
        allowed = np.zeros((1, n, self.length), dtype=bool)
        rows = np.broadcast_to(np.arange(n)[:, None], starts.shape)   # (N, sites)
        exon = starts[:, :, None] + np.arange(3)                   # (N, sites, 3)
        tokens[rows[:, :, None], exon] = to_indices(EXON_END).numpy()
        keep[rows[:, :, None], exon] = True
        intron = starts[donor][:, None] + 3 + np.arange(6)         # (D, 6): the real donors only
        tokens[rows[donor][:, None], intron] = to_indices(INTRON_START).numpy()
        keep[rows[donor][:, None], intron] = True
        allowed[0, rows[donor], starts[donor]] = True
        _scrub(tokens, keep, (EXON_END + INTRON_START,), allowed, rng)
        return from_indices(torch.from_numpy(tokens)), self.labels(torch.from_numpy(tokens))

    @staticmethod
    def labels(tokens: torch.Tensor) -> torch.Tensor:
        """Labels of base codes ``(N, L)``: 1 at the ``G`` of each ``CAG`` followed by ``GTAAGT``."""
        y = torch.zeros(tokens.shape, dtype=torch.float32)
        hits = find(tokens, EXON_END + INTRON_START)               # (N, L - 8)
        y[:, 2:2 + hits.shape[1]] = hits.float()
        return y

    @staticmethod
    def candidates(x: torch.Tensor) -> torch.Tensor:
        """``(N, L)`` bool: positions that end a ``CAG``, where the label is in question."""
        tokens = to_indices(x)                                     # (N, 4, L) -> (N, L)
        mask = torch.zeros(tokens.shape, dtype=torch.bool)
        hits = find(tokens, EXON_END)                              # (N, L - 2)
        mask[:, 2:] = hits
        return mask

    def oracle(self, x: torch.Tensor) -> torch.Tensor:
        """The rule applied to ``x`` ``(N, 4, L)``: labels ``(N, L)`` (always right)."""
        return self.labels(to_indices(x))                          # (N, 4, L) -> (N, L) -> (N, L)
