"""A long-range task that needs both ends: the nearer enhancer must suit the promoter.

Every sequence is ``length`` bp of uniform random background (each base 1/4).
A promoter element of one of two classes starts at the fixed 0-based position
``promoter_start``. Upstream of it lie two enhancers, one of each class, at
two distances drawn uniformly from ``[min_distance, max_distance]``, redrawn
until they are at least ``min_separation`` apart. The promoter responds to the nearer enhancer
only, and the label is 1 when that enhancer's class suits the promoter's
(class ``k`` with class ``k``).

Two measured facts give the task its shape. Enhancers and core promoters come
in classes that work together or not (Zabidi et al. 2015, Nature 518:556-559,
doi:10.1038/nature13994; Bergman et al. 2022, Nature 607:176-184,
doi:10.1038/s41586-022-04877-w), reduced here to two classes of each. Contact
between two sites of a chromosome falls with the distance between them
(Lieberman-Aiden et al. 2009, Science 326:289-293,
doi:10.1126/science.1181369), reduced here to a rule: the nearer enhancer acts.

Every sequence holds the same three elements (one enhancer of each class and
one promoter), so which elements are present says nothing about the label,
and neither does any one element's class. The label lies in an arrangement:
which enhancer is nearer the promoter, and whether it suits it. (A first
version planted one enhancer of either class. A CNN that pools over the whole
sequence read it without any reach, by counting which classes were present:
with one enhancer and one promoter, "the classes match" is a sum of two
"either element of class k is present" detectors. With two enhancers allowed
close together, a CNN told which one was nearer by comparing the two inside
one window, without any view of the promoter: hence ``min_separation``, set
beyond the window of the matrix's CNN. And with the farther enhancer allowed
near the sequence's start, a CNN read its position from the zero padding of
its convolutions: hence the room left upstream of ``max_distance``.)

The oracle
----------
Under this model every hypothesis (an E0 start and an E1 start inside the
window, at least ``min_separation`` apart; a promoter class) that spells all three
elements where it puts them has the same likelihood, ``4^-(L - 3w)``, and the
same prior. So the posterior of "E0 is the nearer enhancer" is the share of
consistent (E0, E1) placements with E0 nearer, counted over the exact matches
of each element in the window (``nearer_posterior``); the promoter's class is
read at its fixed position (``promoter_posterior``); and the Bayes-optimal
probability of ``y = 1`` is ``sum_k P(nearer k | x) P(promoter k | x)``
(``posterior``). A detector of any one element alone
(``single_element_posterior``) gets exactly 1/2 for every sequence: chance.
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
    y: torch.Tensor               # (N,) float32, 1 = the nearer enhancer suits the promoter
    enhancer_class: torch.Tensor  # (N,) int64, class of the nearer enhancer (the farther one has the other)
    promoter_class: torch.Tensor  # (N,) int64
    distance: torch.Tensor        # (N,) int64, promoter_start - start of the nearer enhancer
    far_distance: torch.Tensor    # (N,) int64, promoter_start - start of the farther enhancer


@dataclass(frozen=True)
class CompatibilityTask:
    """The nearer enhancer and the promoter: compatible or not; follows ``lensbook.tasks.base.Task``.

    Parameters
    ----------
    length : int, optional
        Sequence length L. Default is 1000.
    promoter_start : int, optional
        0-based start of the promoter element in every sequence. Default is 900.
    min_distance, max_distance : int, optional
        Each enhancer starts this many bp upstream of the promoter's start
        (inclusive). Defaults are 50 and 740: the farthest enhancer starts 160
        bp from the sequence's start, so no enhancer sits where a
        convolution's zero padding could tell its position.
    min_separation : int, optional
        The two enhancers start at least this many bp apart; the pair of
        distances is uniform over all pairs that allow it. Default is 300,
        more than the 288 bp one output of the lens matrix's CNN sees at this
        length: two enhancers close together would let a model tell which one
        is nearer by comparing them alone, locally, without any view of the
        promoter.
    """

    length: int = 1000
    promoter_start: int = 900
    min_distance: int = 50
    max_distance: int = 740
    min_separation: int = 300
    name: str = "long-range"
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
        require(w <= self.min_separation, "min_separation", self.min_separation,
                f"at least the element width {w} (enhancers do not overlap)")
        require(w <= self.min_distance and self.min_distance + self.min_separation <= self.max_distance
                <= self.promoter_start, "min_distance/max_distance", (self.min_distance, self.max_distance),
                f"{w} <= min_distance, min_distance + min_separation ({self.min_separation}) <= max_distance "
                f"<= promoter_start ({self.promoter_start}): two enhancers fit upstream, apart, without "
                "overlapping the promoter")

    @property
    def width(self) -> int:
        """Width of every element, bp."""
        return len(self.promoters[0])

    def _distances(self, n: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        """Two distances per sequence, uniform over the pairs ``min_separation`` apart: ``(near, far)``, each ``(n,)``."""
        draw = torch.randint(self.min_distance, self.max_distance + 1, (n, 2), generator=generator)
        while bool((clash := (draw[:, 0] - draw[:, 1]).abs() < self.min_separation).any()):  # redraw
            draw[clash] = torch.randint(self.min_distance, self.max_distance + 1, (int(clash.sum()), 2),
                                        generator=generator)
        return draw.amin(1), draw.amax(1)

    def sample_pairs(self, n: int, generator: torch.Generator, *, farther: bool = True) -> Pairs:
        """``n`` sequences with their classes and distances.

        ``farther=False`` leaves the farther enhancer out (its bases stay
        background) and changes nothing else: the same generator gives the same
        sequences but for those bases (the warm-up of a curriculum, ``sample_warmup``).
        """
        require(isinstance(n, int) and n >= 1, "n", n, "an int >= 1")
        w = self.width
        codes = torch.randint(0, 4, (n, self.length), generator=generator)
        near_class = torch.randint(0, 2, (n,), generator=generator)
        promoter_class = torch.randint(0, 2, (n,), generator=generator)
        near, far = self._distances(n, generator)
        promoter_codes = dna.to_indices(list(self.promoters))                              # (2, w)
        enhancer_codes = dna.to_indices(list(self.enhancers))                              # (2, w)
        rows, offsets = torch.arange(n)[:, None], torch.arange(w)[None]
        codes[rows, self.promoter_start + offsets] = promoter_codes[promoter_class]
        codes[rows, (self.promoter_start - near)[:, None] + offsets] = enhancer_codes[near_class]
        if farther:
            codes[rows, (self.promoter_start - far)[:, None] + offsets] = enhancer_codes[1 - near_class]
        x = F.one_hot(codes, 4).permute(0, 2, 1).float()                                 # (n, L, 4) -> (n, 4, L)
        y = (near_class == promoter_class).float()
        return Pairs(x, y, near_class, promoter_class, near, far)

    def sample(self, n: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        """A fresh batch: ``x`` ``(n, 4, L)`` and ``y`` ``(n,)``."""
        pairs = self.sample_pairs(n, generator)
        return pairs.x, pairs.y

    def sample_warmup(self, n: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        """The warm-up version of ``sample``: the same draws, with the nearer enhancer only.

        With one enhancer, its class and the promoter's carry the label on
        their own, so a model can first learn to compare the two classes; the
        full task then adds the farther enhancer of the other class, which the
        model must learn to ignore.
        """
        pairs = self.sample_pairs(n, generator, farther=False)
        return pairs.x, pairs.y

    def element_map(self, pairs: Pairs, pool: int, bins: int) -> torch.Tensor:
        """``(N, 4, bins)`` float: where each element class lies, for training a stem to find elements.

        Channels are E0, E1, P0, P1; a channel is 1 in the bin (``pool`` bp
        each) that holds the centre of its element in the sequence, 0
        elsewhere (a promoter channel is 0 everywhere when its class is absent).
        """
        require(isinstance(pool, int) and pool >= 1 and bins * pool >= self.length, "pool/bins", (pool, bins),
                f"bins of pool bp that cover the {self.length} bp")
        n, centre = len(pairs.y), self.width // 2
        target = torch.zeros(n, 4, bins)
        rows = torch.arange(n)
        target[rows, pairs.enhancer_class, (self.promoter_start - pairs.distance + centre) // pool] = 1.0
        target[rows, 1 - pairs.enhancer_class, (self.promoter_start - pairs.far_distance + centre) // pool] = 1.0
        target[rows, 2 + pairs.promoter_class, (self.promoter_start + centre) // pool] = 1.0
        return target

    @property
    def band_edges(self) -> tuple[int, ...]:
        """Edges of four equal bands of the nearer enhancer's distance, bp (the last band includes its upper edge).

        The nearer enhancer lies ``min_distance`` to ``max_distance - min_separation`` bp upstream.
        """
        step = (self.max_distance - self.min_separation - self.min_distance) / 4
        return tuple(int(round(self.min_distance + i * step)) for i in range(5))

    def _matches(self, x: torch.Tensor, element: str) -> torch.Tensor:
        """``(N, L - w + 1)`` bool: does the element match exactly at each start?"""
        kernel = dna.one_hot(element)[None].double()                                     # (1, 4, w)
        return F.conv1d(x.double(), kernel)[:, 0] > self.width - 0.5

    def _window(self, x: torch.Tensor, element: str) -> torch.Tensor:
        """``(N, D)`` float64: exact matches of ``element`` at each allowed distance, nearest first."""
        distances = torch.arange(self.min_distance, self.max_distance + 1)
        return self._matches(x, element)[:, self.promoter_start - distances].double()

    def nearer_posterior(self, x: torch.Tensor) -> torch.Tensor:
        """``(N, 2)``: P(the nearer enhancer has class k | x).

        Counts the consistent placements: pairs of an exact E0 match and an
        exact E1 match in the window, at least ``min_separation`` apart, split
        by which of the two is nearer. ``D`` distances give ``O(N D)`` work through
        cumulative sums, not ``O(N D^2)`` pairs.
        """
        w = self.min_separation
        e0, e1 = (self._window(x, m) for m in self.enhancers)          # (N, D) each, index = distance - min
        farther = e1.flip(1).cumsum(1).flip(1)                           # [:, i]: E1 matches at index >= i
        nearer = e1.cumsum(1)                                            # [:, i]: E1 matches at index <= i
        pad = torch.zeros(len(x), w, dtype=torch.float64)
        e0_first = (e0 * torch.cat([farther, pad], 1)[:, w:]).sum(1)     # E0 at i, E1 at >= i + w
        e1_first = (e0 * torch.cat([pad, nearer], 1)[:, :-w]).sum(1)     # E0 at i, E1 at <= i - w
        total = (e0_first + e1_first)[:, None]
        require(bool((total > 0).all()), "x", "a sequence",
                "an E0 and an E1 enhancer at allowed distances, min_separation apart")
        return torch.stack([e0_first, e1_first], 1) / total

    def promoter_posterior(self, x: torch.Tensor) -> torch.Tensor:
        """``(N, 2)``: P(promoter class k | x), read at the promoter's fixed position."""
        found = torch.stack([self._matches(x, m)[:, self.promoter_start] for m in self.promoters], 1).double()
        require(bool((found.sum(1) == 1).all()), "x", "a sequence", "one promoter class at promoter_start")
        return found

    def posterior(self, x: torch.Tensor) -> torch.Tensor:
        """``(N,)`` float64: the exact P(y = 1 | x), ``sum_k P(nearer k | x) P(promoter k | x)``."""
        return (self.nearer_posterior(x) * self.promoter_posterior(x)).sum(1)

    def oracle(self, x: torch.Tensor) -> torch.Tensor:
        """The Bayes-optimal score, ``(N,)`` float32: ``posterior(x)``."""
        return self.posterior(x).float()

    def single_element_posterior(self, x: torch.Tensor,
                                 element: Literal["nearer enhancer", "promoter"]) -> torch.Tensor:
        """``(N,)`` float64: the best probability of ``y = 1`` from one element's class alone.

        ``sum_k P(element k | x) P(y = 1 | element k)``, where ``P(y = 1 |
        element k)`` follows from the model (the nearer enhancer's class and
        the promoter's are drawn independently, each class with probability
        1/2): 1/2 for both classes, so the result is 1/2 for every sequence.
        """
        require(element in ("nearer enhancer", "promoter"), "element", element,
                '"nearer enhancer" or "promoter"')
        mine = self.nearer_posterior(x) if element == "nearer enhancer" else self.promoter_posterior(x)
        prior = torch.full((2,), 0.5, dtype=torch.float64)       # P(class k) of either element
        joint = prior[:, None] * prior[None, :]                    # (mine, other): independent draws
        compatible = torch.eye(2, dtype=torch.float64)             # y = 1 iff the classes are equal
        p_y_given_mine = (joint * compatible).sum(1) / joint.sum(1)  # (2,): P(y = 1 | mine = k)
        return mine @ p_y_given_mine


def nearer_enhancer_task(seed: int = 0) -> CompatibilityTask:
    """The task as the lens matrix's long-range row uses it: the defaults (1,000 bp, promoter at 900, 50-740 bp, 300 apart).

    ``seed`` is accepted for the signature the matrix's task constructors
    share; the task has no randomly drawn parameters (the data come from the
    generator passed to ``sample``).
    """
    require(isinstance(seed, int), "seed", seed, "an int")
    return CompatibilityTask()
