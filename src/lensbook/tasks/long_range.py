"""A long-range task: is there an enhancer upstream of the promoter?

Every sequence is ``length`` bp of uniform random background (each base 1/4)
with a promoter-like element (a TATA box, ``TATAAAAG``) starting at the same
0-based position ``promoter_start`` (800, the manuscript's "position 800").
In half of the sequences (``y = 1``) an enhancer element (a GATA site,
``AGATAAGG``) is planted ``distance`` bp upstream, with ``distance`` uniform
in ``[min_distance, max_distance]``; each of its bases is replaced by one of
the three others with probability ``mutation``. The other half (``y = 0``)
has no enhancer.

Because the data come from this known model, the Bayes-optimal score is
computable (``oracle``): the posterior log-odds of ``y = 1`` given the whole
sequence. Section 4.4 of the manuscript ("For genomics: when processing
position 800 (a promoter), the Transformer can directly look at position 500
(an enhancer)").
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal, NamedTuple

import torch
import torch.nn.functional as F

from .. import dna
from .._validate import require, require_sequences

#: The promoter-like element: the TATA-box consensus TATAWAWR written with A for W and G for R.
PROMOTER = "TATAAAAG"
#: The enhancer element: a GATA site, the consensus of JASPAR 2024's GATA5 matrix MA0766.3
#: (the GATA matrix the CNN page plants).
ENHANCER = "AGATAAGG"
#: The floor of ``oracle``: the log-odds of a sequence that cannot be positive
#: (finite so that metrics accept it; every such sequence ties at the floor).
ORACLE_FLOOR = -50.0


class Sites(NamedTuple):
    """A batch with what generated it.

    ``enhancer_start`` and ``distance`` are -1 where there is no enhancer.
    """

    x: torch.Tensor               # (N, 4, L) float32 one-hot
    y: torch.Tensor               # (N,) float32, 1 = enhancer present
    enhancer_start: torch.Tensor  # (N,) int64, 0-based
    distance: torch.Tensor        # (N,) int64, promoter_start - enhancer_start


@lru_cache(maxsize=8)
def _codes(motif: str) -> torch.Tensor:
    """Base indices (A=0, C=1, G=2, T=3) of a motif; cached, so never modify the result."""
    return dna.to_indices(motif)                        # "AGATAAGG" -> (w,)


@dataclass(frozen=True)
class LongRangeTask:
    """The enhancer-promoter task; follows ``lensbook.tasks.base.Task``.

    Parameters
    ----------
    length : int, optional
        Sequence length L. Default is 1000.
    promoter_start : int, optional
        0-based start of the promoter element in every sequence. Default is 800.
    min_distance, max_distance : int, optional
        The enhancer starts this many bp upstream of the promoter's start,
        uniformly in between (inclusive). Defaults are 50 and 750.
    mutation : float, optional
        Per-base substitution rate of the planted enhancer, in [0, 0.75).
        Default is 0.0 (the planted enhancer is exact).
    """

    length: int = 1000
    promoter_start: int = 800
    min_distance: int = 50
    max_distance: int = 750
    mutation: float = 0.0
    name: str = "long-range"
    target: Literal["binary", "regression"] = "binary"
    channels: int = 4
    promoter: str = PROMOTER
    enhancer: str = ENHANCER

    def __post_init__(self) -> None:
        dna.validate_sequence(self.promoter, "promoter")
        dna.validate_sequence(self.enhancer, "enhancer")
        w, p = len(self.enhancer), len(self.promoter)
        require(isinstance(self.length, int) and self.length >= p, "length", self.length,
                f"an int >= the promoter's {p} bp")
        require(isinstance(self.promoter_start, int) and 0 <= self.promoter_start <= self.length - p,
                "promoter_start", self.promoter_start, f"an int in [0, {self.length - p}] so the promoter fits")
        require(isinstance(self.min_distance, int) and self.min_distance >= w, "min_distance",
                self.min_distance, f"an int >= the enhancer's {w} bp (no overlap with the promoter)")
        require(isinstance(self.max_distance, int)
                and self.min_distance <= self.max_distance <= self.promoter_start,
                "max_distance", self.max_distance,
                f"an int in [min_distance, promoter_start] = [{self.min_distance}, {self.promoter_start}]")
        require(0.0 <= self.mutation < 0.75, "mutation", self.mutation, "a rate in [0, 0.75)")

    @property
    def distances(self) -> range:
        """Every possible enhancer-promoter distance."""
        return range(self.min_distance, self.max_distance + 1)

    def sample_sites(self, n: int, generator: torch.Generator, *, positive: bool | None = None,
                     distance: int | None = None) -> Sites:
        """A fresh batch and the sites that generated it.

        Parameters
        ----------
        n : int
            Number of sequences.
        generator : torch.Generator
            The source of randomness.
        positive : bool, optional
            All positives (True), all negatives (False) or a fair coin per
            sequence (None). Default is None.
        distance : int, optional
            Plant every enhancer at this distance instead of a uniform one.
        """
        require(isinstance(n, int) and n >= 1, "n", n, "an int >= 1")
        require(distance is None or distance in self.distances, "distance", distance,
                f"None or an int in [{self.min_distance}, {self.max_distance}]")
        codes = torch.randint(0, 4, (n, self.length), generator=generator)          # (N, L)
        codes[:, self.promoter_start:self.promoter_start + len(self.promoter)] = _codes(self.promoter)
        if positive is None:
            y = torch.rand(n, generator=generator) < 0.5
        else:
            y = torch.full((n,), bool(positive))
        if distance is None:
            d = torch.randint(self.min_distance, self.max_distance + 1, (n,), generator=generator)
        else:
            d = torch.full((n,), distance)
        motif = _codes(self.enhancer).repeat(n, 1)                                  # (N, w)
        if self.mutation > 0:
            hit = torch.rand(motif.shape, generator=generator) < self.mutation
            shift = torch.randint(1, 4, motif.shape, generator=generator)
            motif = torch.where(hit, (motif + shift) % 4, motif)
        start = self.promoter_start - d                                             # (N,)
        rows = torch.nonzero(y).flatten()
        columns = start[rows, None] + torch.arange(len(self.enhancer))              # (P, w)
        codes[rows[:, None], columns] = motif[rows]
        x = torch.zeros(n, 4, self.length).scatter_(1, codes[:, None, :], 1.0)      # (N, L) -> (N, 4, L) one-hot
        return Sites(x, y.float(), torch.where(y, start, -1), torch.where(y, d, -1))

    def sample(self, n: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        """A fresh balanced-in-expectation batch: ``x`` (n, 4, L), ``y`` (n,)."""
        sites = self.sample_sites(n, generator)
        return sites.x, sites.y

    def window_log_likelihood_ratio(self, x: torch.Tensor) -> torch.Tensor:
        """log P(window | enhancer starts here) - log P(window | background), per start.

        Returns
        -------
        torch.Tensor, shape (N, L - w + 1)
            ``-inf`` where the window cannot be the planted enhancer (a
            mismatch when ``mutation`` is 0).
        """
        require_sequences(x, length=self.length)
        w = len(self.enhancer)
        match = F.conv1d(x.double(), dna.one_hot(self.enhancer)[None].double())[:, 0]  # (N, 4, L) -> (N, L - w + 1)
        hit = math.log(1 - self.mutation) if self.mutation < 1 else float("-inf")
        miss = math.log(self.mutation / 3) if self.mutation > 0 else float("-inf")
        mismatches = w - match
        llr = match * hit + torch.where(mismatches > 0, mismatches * miss, 0.0) + w * math.log(4)
        return llr

    def oracle(self, x: torch.Tensor) -> torch.Tensor:
        """The Bayes-optimal score: the posterior log-odds of ``y = 1``.

        With the prior P(y=1) = 1/2 and every allowed distance equally likely,
        the log-odds are ``log mean_d LR(window at promoter_start - d)``,
        floored at ``ORACLE_FLOOR`` where no window can be the enhancer.

        Parameters
        ----------
        x : torch.Tensor, shape (N, 4, L)
            One-hot sequences from this task.

        Returns
        -------
        torch.Tensor, shape (N,)
            float32 log-odds.
        """
        llr = self.window_log_likelihood_ratio(x)                                   # (N, L - w + 1)
        starts = [self.promoter_start - d for d in self.distances]
        allowed = llr[:, min(starts):max(starts) + 1]                                # (N, n_distances)
        log_odds = torch.logsumexp(allowed, dim=1) - math.log(allowed.shape[1])     # (N,)
        return log_odds.clamp(min=ORACLE_FLOOR).float()


def matrix_task(seed: int = 0) -> LongRangeTask:
    """The long-range task as the lens matrix (docs/choosing.md) uses it.

    ``seed`` is accepted for the signature all matrix tasks share; this task
    has no randomly drawn parameters, so every seed gives the same task (the
    data come from the generator passed to ``sample``).

    Returns
    -------
    LongRangeTask
        ``name="long-range"``, ``target="binary"``, C = 4, L = 1000.
    """
    require(isinstance(seed, int), "seed", seed, "an int")
    return LongRangeTask()
