"""Planted JASPAR motifs in random DNA, with the Bayes-optimal oracle (docs/cnn.md).

The generative model is simple enough to score exactly. A sequence of length
``L`` is i.i.d. uniform background; with some probability one motif is then
written over it: a matrix ``k`` is chosen, a window start ``i`` uniformly from
the ``L - w + 1`` starts, a strand uniformly, and each of the ``w`` bases is
drawn from the matrix's column. The likelihood ratio of "motif ``k`` was
planted" against "background only" is then exactly the average, over the
``2 (L - w + 1)`` windows and strands, of ``prod_j p_j(x_(i+j)) / b(x_(i+j))``:
each window's PWM score, exponentiated (:func:`log_likelihood_ratios`).
Posteriors follow by Bayes' rule, and no score computed from ``x`` separates
the classes better (the Bayes-optimal score, the ceiling for any model).

The generating matrices carry a pseudocount (:data:`PSEUDOCOUNT`) so that no
base has probability 0: the oracle then never sees an impossible window.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import torch

from .. import motifs
from .._validate import require, require_sequences
from ..dna import from_indices, reverse_complement

#: Added to each column's total of the JASPAR counts (spread evenly over A, C, G, T).
PSEUDOCOUNT = 1.0
#: The planted matrices of the CNN page, chosen by content (see docs/cnn.md):
#: GATA5's AGATAAGG holds the manuscript's GATAAG (JASPAR2024's GATA1 matrix,
#: MA0035.5, is CTAATCT), TBP is the TATA box, NFYA the CCAAT box.
MOTIF_IDS = ("MA0766.3", "MA0108.3", "MA0060.4")
#: GATA5 (AGATAAGG), the matrix planted by :func:`gata_task`.
GATA5 = "MA0766.3"


def generating_pfm(motif: motifs.Motif) -> np.ndarray:
    """The PFM the task samples from: JASPAR counts plus :data:`PSEUDOCOUNT`."""
    return motifs.counts_to_pfm(motif.counts, pseudocount=PSEUDOCOUNT)


def plant(background: torch.Tensor, pfm: torch.Tensor, rows: torch.Tensor, generator: torch.Generator,
          starts: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Write one sampled motif instance into each selected row of a one-hot batch, in place.

    Parameters
    ----------
    background : torch.Tensor, shape (N, 4, L)
        One-hot sequences, changed in place.
    pfm : torch.Tensor, shape (4, w)
        The matrix to sample from (forward strand).
    rows : torch.Tensor of int, shape (m,)
        Which sequences receive an instance.
    generator : torch.Generator
    starts : torch.Tensor of int, shape (m,), optional
        0-based window starts; drawn uniformly when None. Default is None.

    Returns
    -------
    starts : torch.Tensor, shape (m,)
        0-based window start of each instance.
    strands : torch.Tensor, shape (m,)
        0 forward, 1 reverse complement.
    sites : torch.Tensor, shape (m, 4, w)
        The planted one-hot windows, as written (reverse-complemented where strand is 1).
    """
    m, (_, width), length = rows.numel(), pfm.shape, background.shape[2]
    if m == 0:
        return rows.clone(), rows.clone(), torch.zeros(0, 4, width)
    bases = torch.multinomial(pfm.T, m, replacement=True, generator=generator).T  # (w, m) -> (m, w)
    sites = from_indices(bases)                                            # (m, w) -> (m, 4, w)
    strands = torch.randint(0, 2, (m,), generator=generator)
    sites = torch.where(strands[:, None, None] == 1, reverse_complement(sites), sites)  # (m, 4, w)
    if starts is None:
        starts = torch.randint(0, length - width + 1, (m,), generator=generator)
    require(starts.shape == (m,) and bool(((starts >= 0) & (starts <= length - width)).all()), "starts",
            starts, f"{m} window starts in [0, {length - width}]")
    offsets = starts[:, None] + torch.arange(width)                        # (m, w)
    background[rows[:, None], :, offsets] = sites.transpose(1, 2)         # (m, w, 4) into (N, L, 4) view
    return starts, strands, sites


def log_likelihood_ratios(x: torch.Tensor, pfms: Sequence[torch.Tensor]) -> torch.Tensor:
    """Exact ``log P(x | motif k planted) - log P(x | background)`` for each ``k``.

    Parameters
    ----------
    x : torch.Tensor, shape (N, 4, L)
        One-hot sequences.
    pfms : sequence of torch.Tensor, each (4, w_k)
        The generating matrices; the background is uniform.

    Returns
    -------
    torch.Tensor, shape (N, K)
    """
    require_sequences(x)
    out = []
    for k, pfm in enumerate(pfms):
        width = pfm.shape[1]
        require(x.shape[2] >= width, "x", tuple(x.shape), f"sequences at least {width} bp long (pfms[{k}])")
        log_ratio = torch.log(pfm.double() / 0.25)                        # (4, w), natural log
        both = torch.stack([log_ratio, reverse_complement(log_ratio)])    # (2, 4, w): both strands
        scores = torch.nn.functional.conv1d(x.double(), both)            # (N, 4, L) -> (N, 2, L - w + 1)
        n_windows = 2 * scores.shape[2]
        out.append(torch.logsumexp(scores.flatten(1), dim=1) - np.log(n_windows))  # (N,)
    return torch.stack(out, dim=1).float()                                 # (N, K)


@dataclass(frozen=True, eq=False)
class PlantedMotifs:
    """Background-only sequences or sequences carrying one planted JASPAR motif.

    Labels are classes: 0 for background only, ``k`` (1..K) for motif ``k - 1``
    of ``motif_ids``; each of the ``K + 1`` classes has probability ``1 / (K + 1)``.

    Parameters
    ----------
    motif_ids : tuple of str
        JASPAR matrix IDs. Default is :data:`MOTIF_IDS`.
    length : int
        Sequence length ``L``. Default is 200.
    """

    motif_ids: tuple[str, ...] = MOTIF_IDS
    length: int = 200
    motifs: tuple[motifs.Motif, ...] = field(init=False, repr=False)
    pfms: tuple[torch.Tensor, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        require(len(self.motif_ids) >= 1, "motif_ids", self.motif_ids, "at least one JASPAR ID")
        loaded = tuple(motifs.load_jaspar(i) for i in self.motif_ids)
        longest = max(m.width for m in loaded)
        require(isinstance(self.length, int) and self.length >= longest, "length", self.length,
                f"an int >= {longest}, the longest motif")
        object.__setattr__(self, "motifs", loaded)
        object.__setattr__(self, "pfms", tuple(torch.from_numpy(generating_pfm(m)).float() for m in loaded))

    @property
    def n_classes(self) -> int:
        """``K + 1``: background plus one class per motif."""
        return len(self.motif_ids) + 1

    def sample(self, n: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        """A fresh batch: ``x`` (n, 4, L) one-hot and the class ``y`` (n,) int64."""
        x, y, _, _ = self.sample_with_sites(n, generator)
        return x, y

    def sample_with_sites(self, n: int, generator: torch.Generator
                          ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        """Like :meth:`sample`, plus each planted instance's start and strand (-1 where none)."""
        require(isinstance(n, int) and n >= 1, "n", n, "an int >= 1")
        x = from_indices(torch.randint(0, 4, (n, self.length), generator=generator))  # (n, L) -> (n, 4, L)
        y = torch.randint(0, self.n_classes, (n,), generator=generator)
        starts = torch.full((n,), -1)
        strands = torch.full((n,), -1)
        for k, pfm in enumerate(self.pfms):
            rows = torch.nonzero(y == k + 1).flatten()
            starts[rows], strands[rows], _ = plant(x, pfm, rows, generator)
        return x, y, starts, strands

    def log_posteriors(self, x: torch.Tensor) -> torch.Tensor:
        """Bayes-optimal ``log P(class | x)``, shape ``(N, K + 1)`` (class 0 first)."""
        llr = log_likelihood_ratios(x, self.pfms)                          # (N, K)
        logits = torch.cat([torch.zeros(len(x), 1), llr], dim=1)           # (N, K + 1): equal priors
        return torch.log_softmax(logits, dim=1)


@dataclass(frozen=True, eq=False)
class LocalMotifTask:
    """Binary task: is one JASPAR motif planted (y = 1) or not (y = 0)? Half of each.

    Implements :class:`lensbook.tasks.base.Task`; the oracle is the exact
    log-likelihood ratio, monotone in ``P(y = 1 | x)``.
    """

    motif_id: str = GATA5
    length: int = 200
    name: str = "local-motif"
    target: Literal["binary", "regression"] = "binary"
    channels: int = 4
    _planted: PlantedMotifs = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_planted", PlantedMotifs((self.motif_id,), self.length))

    def sample(self, n: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        """``x`` (n, 4, L) float32 one-hot, ``y`` (n,) float32 in {0, 1}."""
        x, y = self._planted.sample(n, generator)
        return x, y.float()

    def oracle(self, x: torch.Tensor) -> torch.Tensor:
        """Exact log-likelihood ratio, shape ``(n,)``."""
        return log_likelihood_ratios(x, self._planted.pfms)[:, 0]


def gata_task(seed: int = 0) -> LocalMotifTask:
    """GATA5 (AGATAAGG) planted or not in 200 bp: the "local motif" task (docs/cnn.md, docs/choosing.md).

    ``C = 4``, ``L = 200``. The task has no random parameters, so ``seed`` does
    not change it; it is accepted so that every task of the lens matrix is
    built the same way, ``make(seed)``.
    """
    require(isinstance(seed, int), "seed", seed, "an int")
    return LocalMotifTask()
