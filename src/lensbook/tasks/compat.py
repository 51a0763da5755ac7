"""A long-range task that needs both ends: enhancer-promoter compatibility.

Every sequence is ``length`` bp of uniform random background (each base 1/4).
A promoter element of one of two classes starts at the fixed 0-based position
``promoter_start``; an enhancer element of one of two classes starts
``distance`` bp upstream of it, ``distance`` uniform in ``[min_distance,
max_distance]``. The two classes of each are drawn independently and
uniformly, and the label is 1 only for a compatible pair: enhancer class
``k`` with promoter class ``k``. So each element's class on its own is
independent of the label, and no detector of a single element can read it.

This is the shape of enhancer-promoter compatibility measured in Drosophila
(Zabidi et al. 2015, Nature 518:556-559, doi:10.1038/nature13994: housekeeping
and developmental enhancers activate different core-promoter classes) and in
human cells (Bergman et al. 2022, Nature 607:176-184,
doi:10.1038/s41586-022-04877-w), reduced to two classes of each.

The oracle
----------
Under this model the likelihood of a sequence given a planted element of
class ``c`` at position ``p`` is ``4^-(L - w)`` if the bases at ``p`` spell
that class's element and 0 otherwise. So the posterior of the enhancer's
class is the share of exact matches of each class's element among the allowed
enhancer positions (``enhancer_posterior``), the promoter's class is read at
its fixed position (``promoter_posterior``), and the Bayes-optimal
probability of ``y = 1`` is ``sum_k P(enhancer k | x) P(promoter k | x)``
(``posterior``). A detector of one element alone (``single_element_posterior``)
gets ``sum_k P(element k | x) * P(y = 1 | element k) = 1/2`` for every
sequence: chance, exactly.

Not yet used by the site's experiments (see docs/choosing.md for the task the
lens matrix uses today).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, NamedTuple

import torch
import torch.nn.functional as F

from .. import dna
from .._validate import require

#: Two promoter classes: a TATA box (TATAWAWR, W = A, R = G) and a GC box (the Sp1 site GGGGCGGGG, shortened).
PROMOTERS = ("TATAAAAG", "GGGCGGGG")
#: Two enhancer classes: a GATA site (the consensus of JASPAR 2024's GATA5 MA0766.3) and an ETS site (GGAA core).
ENHANCERS = ("AGATAAGG", "ACCGGAAG")


class Pairs(NamedTuple):
    """A batch with what generated it."""

    x: torch.Tensor               # (N, 4, L) float32 one-hot
    y: torch.Tensor               # (N,) float32, 1 = compatible pair
    enhancer_class: torch.Tensor  # (N,) int64
    promoter_class: torch.Tensor  # (N,) int64
    distance: torch.Tensor        # (N,) int64, promoter_start - enhancer_start


@dataclass(frozen=True)
class CompatibilityTask:
    """Enhancer-promoter compatibility; follows ``lensbook.tasks.base.Task``.

    Parameters
    ----------
    length : int, optional
        Sequence length L. Default is 600.
    promoter_start : int, optional
        0-based start of the promoter element in every sequence. Default is 500.
    min_distance, max_distance : int, optional
        The enhancer starts this many bp upstream of the promoter's start,
        uniformly in between (inclusive). Defaults are 50 and 450.
    """

    length: int = 600
    promoter_start: int = 500
    min_distance: int = 50
    max_distance: int = 450
    name: str = "compatibility"
    target: Literal["binary", "regression"] = "binary"
    channels: int = 4
    promoters: tuple[str, str] = PROMOTERS
    enhancers: tuple[str, str] = ENHANCERS

    def __post_init__(self) -> None:
        widths = {len(m) for m in (*self.promoters, *self.enhancers)}
        require(len(widths) == 1, "promoters/enhancers", (self.promoters, self.enhancers),
                "elements of one width")
        for m in (*self.promoters, *self.enhancers):
            dna.validate_sequence(m, "element")
        require(len(set(self.promoters + self.enhancers)) == 4, "promoters/enhancers",
                (self.promoters, self.enhancers), "four different elements")
        w = self.width
        require(0 <= self.promoter_start <= self.length - w, "promoter_start", self.promoter_start,
                f"a start from 0 to {self.length - w}")
        require(w <= self.min_distance <= self.max_distance <= self.promoter_start, "min_distance/max_distance",
                (self.min_distance, self.max_distance),
                f"{w} <= min_distance <= max_distance <= promoter_start ({self.promoter_start}): "
                "the enhancer lies upstream and does not overlap the promoter")

    @property
    def width(self) -> int:
        """Width of every element, bp."""
        return len(self.promoters[0])

    def sample_pairs(self, n: int, generator: torch.Generator) -> Pairs:
        """``n`` sequences with their classes and distances."""
        require(isinstance(n, int) and n >= 1, "n", n, "an int >= 1")
        w = self.width
        codes = torch.randint(0, 4, (n, self.length), generator=generator)
        enhancer_class = torch.randint(0, 2, (n,), generator=generator)
        promoter_class = torch.randint(0, 2, (n,), generator=generator)
        distance = torch.randint(self.min_distance, self.max_distance + 1, (n,), generator=generator)
        promoter_codes = torch.stack([dna.one_hot(m).argmax(0) for m in self.promoters])    # (2, w)
        enhancer_codes = torch.stack([dna.one_hot(m).argmax(0) for m in self.enhancers])    # (2, w)
        rows = torch.arange(n)[:, None]
        codes[rows, self.promoter_start + torch.arange(w)[None]] = promoter_codes[promoter_class]
        start = self.promoter_start - distance                                           # (n,)
        codes[rows, start[:, None] + torch.arange(w)[None]] = enhancer_codes[enhancer_class]
        x = F.one_hot(codes, 4).permute(0, 2, 1).float()                                 # (n, L, 4) -> (n, 4, L)
        y = (enhancer_class == promoter_class).float()
        return Pairs(x, y, enhancer_class, promoter_class, distance)

    def sample(self, n: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        """A fresh batch: ``x`` ``(n, 4, L)`` and ``y`` ``(n,)``."""
        pairs = self.sample_pairs(n, generator)
        return pairs.x, pairs.y

    def _matches(self, x: torch.Tensor, element: str) -> torch.Tensor:
        """``(N, L - w + 1)`` bool: does the element match exactly at each start?"""
        kernel = dna.one_hot(element)[None].double()                                     # (1, 4, w)
        return F.conv1d(x.double(), kernel)[:, 0] > self.width - 0.5

    def enhancer_posterior(self, x: torch.Tensor) -> torch.Tensor:
        """``(N, 2)``: P(enhancer class k | x), from the exact matches at the allowed enhancer starts."""
        first = self.promoter_start - self.max_distance
        last = self.promoter_start - self.min_distance
        counts = torch.stack([self._matches(x, m)[:, first:last + 1].sum(1) for m in self.enhancers], 1).double()
        total = counts.sum(1, keepdim=True)
        require(bool((total > 0).all()), "x", "a sequence", "an enhancer of one class at an allowed position")
        return counts / total

    def promoter_posterior(self, x: torch.Tensor) -> torch.Tensor:
        """``(N, 2)``: P(promoter class k | x), read at the promoter's fixed position."""
        found = torch.stack([self._matches(x, m)[:, self.promoter_start] for m in self.promoters], 1).double()
        require(bool((found.sum(1) == 1).all()), "x", "a sequence", "one promoter class at promoter_start")
        return found

    def posterior(self, x: torch.Tensor) -> torch.Tensor:
        """``(N,)`` float64: the exact P(y = 1 | x), ``sum_k P(enhancer k | x) P(promoter k | x)``."""
        return (self.enhancer_posterior(x) * self.promoter_posterior(x)).sum(1)

    def oracle(self, x: torch.Tensor) -> torch.Tensor:
        """The Bayes-optimal score, ``(N,)`` float32: ``posterior(x)``."""
        return self.posterior(x).float()

    def single_element_posterior(self, x: torch.Tensor, element: Literal["enhancer", "promoter"]) -> torch.Tensor:
        """``(N,)`` float64: the best probability of ``y = 1`` from one element's class alone.

        ``sum_k P(element k | x) P(y = 1 | element k)``, where ``P(y = 1 |
        element k)`` is computed from the model's class probabilities (each
        class 1/2, drawn independently): 1/2 for both classes, so the result
        is 1/2 for every sequence.
        """
        require(element in ("enhancer", "promoter"), "element", element, '"enhancer" or "promoter"')
        mine = self.enhancer_posterior(x) if element == "enhancer" else self.promoter_posterior(x)   # (N, 2)
        prior = torch.full((2,), 0.5, dtype=torch.float64)       # P(class k) of either element
        joint = prior[:, None] * prior[None, :]                    # (mine, other): independent draws
        compatible = torch.eye(2, dtype=torch.float64)             # y = 1 iff the classes are equal
        p_y_given_mine = (joint * compatible).sum(1) / joint.sum(1)  # (2,): P(y = 1 | mine = k)
        return mine @ p_y_given_mine
