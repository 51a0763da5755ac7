"""A motif pair within 100 bp: the enhancer of the manuscript's question 1 (docs/choosing.md).

The manuscript's first "test your understanding" question describes an active
enhancer by two features: transcription-factor motifs (8-15 bp each) and
specific combinations of motifs within 100-bp windows. This task isolates the
second feature. Two JASPAR 2024 motifs are planted in an i.i.d. background:

* **positive** (half of the sequences): motif A and motif B, their centres at
  most ``near`` bp apart (100 by default), in either order;
* **negative** (the other half, a quarter each): neither motif, A alone, B
  alone, or A and B at least ``far`` bp apart (200 by default).

So a motif on its own does not make a positive, and "both present" is not
enough either: a quarter of the negatives carry both, too far apart. The default motifs are PU.1
(SPI1, MA0080.7) and C/EBPβ (CEBPB, MA0466.4), two factors that bind
macrophage enhancers together (Heinz et al. 2010, Mol Cell 38:576-589,
doi:10.1016/j.molcel.2010.05.004).

Every planted motif is drawn base by base from its position probability
matrix, and each configuration (which case, which positions) is drawn
uniformly from a fixed, enumerated set. The likelihood of a sequence given the
class is then a sum over those configurations of products of per-site
likelihood ratios, which ``PairTask.oracle`` computes exactly: the oracle's
log-odds is the Bayes-optimal score.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

import numpy as np
import torch
import torch.nn.functional as F

from .._validate import require, require_sequences
from ..dna import from_indices
from ..motifs import load_jaspar

#: The default pair: PU.1 and C/EBPβ from JASPAR 2024.
DEFAULT_MOTIFS = ("MA0080.7", "MA0466.4")
#: Pseudocount added to each JASPAR count before normalising (no zero probabilities).
PSEUDOCOUNT = 0.25


@lru_cache(maxsize=None)
def jaspar_pwm(matrix_id: str) -> tuple[str, np.ndarray]:
    """A JASPAR 2024 matrix as ``(name, probabilities)``, probabilities ``(4, w)`` in A, C, G, T order.

    Read through ``lensbook.motifs.load_jaspar`` (the database ``pyjaspar`` ships,
    no network). Counts get a pseudocount of 0.25 each, so no base has probability zero.

    Raises
    ------
    ValueError
        If JASPAR 2024 has no matrix with that ID.
    """
    motif = load_jaspar(matrix_id)
    counts = motif.counts + PSEUDOCOUNT
    return str(motif.name), counts / counts.sum(axis=0, keepdims=True)


def _pair_mask(length: int, width_a: int, width_b: int, low: float, high: float) -> torch.Tensor:
    """``mask[p, q]``: A at ``p`` and B at ``q`` do not overlap and their centres are ``low..high`` bp apart."""
    p = torch.arange(length - width_a + 1, dtype=torch.float64)[:, None]
    q = torch.arange(length - width_b + 1, dtype=torch.float64)[None, :]
    distance = ((q + width_b / 2) - (p + width_a / 2)).abs()
    apart = (p + width_a <= q) | (q + width_b <= p)
    return apart & (distance >= low) & (distance <= high)


@dataclass(frozen=True)
class Planted:
    """A batch with what was planted where (for figures and tests).

    ``case`` is 0 for a near pair (positive), 1 for neither motif, 2 for A alone,
    3 for B alone and 4 for a far pair; ``pos_a`` / ``pos_b`` are 0-based starts, -1 when absent.
    """

    x: torch.Tensor
    y: torch.Tensor
    case: torch.Tensor
    pos_a: torch.Tensor
    pos_b: torch.Tensor


@dataclass(frozen=True, eq=False)
class PairTask:
    """Binary task: are motifs A and B within ``near`` bp of each other?

    Parameters
    ----------
    length : int, optional
        Sequence length ``L``. Default is 500 (the manuscript's question 1).
    near : int, optional
        Largest centre-to-centre distance of a positive pair. Default is 100.
    far : int, optional
        Smallest centre-to-centre distance of a far (negative) pair. Default is 200.
    motifs : tuple of str, optional
        JASPAR 2024 IDs of A and B. Default is PU.1 (MA0080.7) and C/EBPβ (MA0466.4).
    name : str, optional
        Default is ``"motif-pair"``.
    """

    length: int = 500
    near: int = 100
    far: int = 200
    motifs: tuple[str, str] = DEFAULT_MOTIFS
    name: str = "motif-pair"
    target: Literal["binary", "regression"] = "binary"
    channels: int = 4
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        require(isinstance(self.motifs, tuple) and len(self.motifs) == 2, "motifs", self.motifs,
                "a tuple of two JASPAR IDs")
        pwm_a, pwm_b = self.pwm_a, self.pwm_b
        wa, wb = pwm_a.shape[1], pwm_b.shape[1]
        require(isinstance(self.near, int) and self.near >= (wa + wb) / 2, "near", self.near,
                f"an int >= {math.ceil((wa + wb) / 2)} (two motifs side by side)")
        require(isinstance(self.far, int) and self.far > self.near, "far", self.far,
                f"an int > near ({self.near})")
        require(isinstance(self.length, int) and self.length >= self.far + (wa + wb) / 2 + 1, "length",
                self.length, f"an int >= {math.ceil(self.far + (wa + wb) / 2 + 1)} so a far pair fits")

    # -- the generative model ------------------------------------------------------------
    @property
    def pwm_a(self) -> np.ndarray:
        """Probabilities of motif A, ``(4, w_A)``."""
        return jaspar_pwm(self.motifs[0])[1]

    @property
    def pwm_b(self) -> np.ndarray:
        """Probabilities of motif B, ``(4, w_B)``."""
        return jaspar_pwm(self.motifs[1])[1]

    @property
    def motif_names(self) -> tuple[str, str]:
        """The JASPAR names of A and B."""
        return jaspar_pwm(self.motifs[0])[0], jaspar_pwm(self.motifs[1])[0]

    def _pairs(self) -> tuple[torch.Tensor, torch.Tensor]:
        """Boolean masks of the allowed (p, q) for near and far pairs, computed once."""
        if "pairs" not in self._cache:
            wa, wb = self.pwm_a.shape[1], self.pwm_b.shape[1]
            self._cache["pairs"] = (_pair_mask(self.length, wa, wb, 0, self.near),
                                    _pair_mask(self.length, wa, wb, self.far, math.inf))
            self._cache["allowed"] = tuple(m.nonzero() for m in self._cache["pairs"])  # (pairs, 2) each
        return self._cache["pairs"]

    def _draw_motif(self, pwm: np.ndarray, n: int, generator: torch.Generator) -> torch.Tensor:
        probs = torch.as_tensor(pwm.T, dtype=torch.float64)                  # (w, 4)
        draws = torch.multinomial(probs.repeat(n, 1), 1, generator=generator)  # (n * w, 1)
        return draws.view(n, pwm.shape[1])                                    # (n, w) base indices

    def sample_planted(self, n: int, generator: torch.Generator) -> Planted:
        """A fresh batch of ``n`` sequences with the positions of what was planted."""
        require(isinstance(n, int) and n >= 1, "n", n, "an int >= 1")
        wa, wb = self.pwm_a.shape[1], self.pwm_b.shape[1]
        self._pairs()
        allowed_near, allowed_far = self._cache["allowed"]
        tokens = torch.randint(4, (n, self.length), generator=generator)     # (n, L) background
        y = (torch.rand(n, generator=generator) < 0.5).long()
        case = torch.where(y == 1, 0, 1 + torch.randint(4, (n,), generator=generator))
        pos_a = torch.full((n,), -1, dtype=torch.long)
        pos_b = torch.full((n,), -1, dtype=torch.long)
        for c, allowed in ((0, allowed_near), (4, allowed_far)):
            rows = (case == c).nonzero().flatten()
            pick = torch.randint(len(allowed), (len(rows),), generator=generator)
            pos_a[rows], pos_b[rows] = allowed[pick, 0], allowed[pick, 1]
        rows = (case == 2).nonzero().flatten()
        pos_a[rows] = torch.randint(self.length - wa + 1, (len(rows),), generator=generator)
        rows = (case == 3).nonzero().flatten()
        pos_b[rows] = torch.randint(self.length - wb + 1, (len(rows),), generator=generator)
        for pos, pwm, w in ((pos_a, self.pwm_a, wa), (pos_b, self.pwm_b, wb)):
            rows = (pos >= 0).nonzero().flatten()
            columns = pos[rows, None] + torch.arange(w)                       # (k, w)
            tokens[rows[:, None], columns] = self._draw_motif(pwm, len(rows), generator)
        x = from_indices(tokens)                                             # (n, L) -> (n, 4, L)
        return Planted(x, y.float(), case, pos_a, pos_b)

    def sample(self, n: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        """A fresh batch: ``x`` ``(n, 4, L)`` float32 one-hot, ``y`` ``(n,)`` float32 (1 = near pair)."""
        planted = self.sample_planted(n, generator)
        return planted.x, planted.y

    # -- the oracle ------------------------------------------------------------------------
    def site_ratios(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Likelihood ratios P(window | motif) / P(window | background) at every start.

        Returns ``(a, b)`` of shapes ``(n, L - w_A + 1)`` and ``(n, L - w_B + 1)``, float64.
        """
        require_sequences(x, length=self.length)
        x = x.float()
        out = []
        for pwm in (self.pwm_a, self.pwm_b):
            log_ratio = torch.as_tensor(np.log(pwm / 0.25), dtype=torch.float32)[None]  # (1, 4, w)
            out.append(F.conv1d(x, log_ratio)[:, 0].double().exp())                # (n, 4, L) -> (n, L - w + 1)
        return out[0], out[1]

    def oracle(self, x: torch.Tensor) -> torch.Tensor:
        """Exact log-odds log P(y=1 | x) - log P(y=0 | x) for each row of ``x``, shape ``(n,)``.

        Each class's likelihood over the background likelihood is an average,
        over the configurations that class draws from, of the planted sites'
        likelihood ratios: ``mean a_p b_q`` over near pairs for the positive
        class; ``(1 + mean a_p + mean b_q + mean a_p b_q over far pairs) / 4``
        for the negative class.
        """
        a, b = self.site_ratios(x)
        near, far = (m.double() for m in self._pairs())
        positive = ((a @ near) * b).sum(1) / near.sum()
        negative = (1 + a.mean(1) + b.mean(1) + ((a @ far) * b).sum(1) / far.sum()) / 4
        return (positive.log() - negative.log()).float()


def pu1_cebpb_task(seed: int = 0) -> PairTask:
    """PU.1 and C/EBPβ within 100 bp in 500 bp: the "motif pair" task of docs/choosing.md.

    ``PairTask()`` with its defaults. ``seed`` is accepted so that every task of
    the lens matrix is built the same way, ``make(seed)``; the task itself holds
    no randomness (batches take a ``torch.Generator``).
    """
    require(isinstance(seed, int), "seed", seed, "an int")
    return PairTask()
