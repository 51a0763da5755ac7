"""What three trained lenses see on one sequence: the opening figure of docs/index.md.

The lens matrix (``lensbook.experiments.matrix``) keeps, from the same run,
what its CNN, LSTM and Transformer see on one sequence of the motif-pair task
(``LensView``): seed 0's models of the matrix, not a second training.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from ..models.lenses import LensConfig
from ..tasks import pair
from ..train import evaluating
from . import matrix_protocol


@dataclass(frozen=True)
class LensView:
    """What three trained lenses see on one positive sequence of the motif-pair task.

    ``feature_map`` is the CNN stem's ReLU output at base resolution for the
    ``filters`` most active filters, ``(k, L)``; ``hidden`` the LSTM's hidden
    states at each bin for its ``units`` most variable units, ``(k, T)``;
    ``attention`` the Transformer's attention row (averaged over heads) of the
    bin holding motif B, ``(T,)``; ``scores`` each lens's P(y = 1) for the
    sequence. Positions are 0-based starts; bin ``t`` covers bases
    ``t * pool`` to ``(t + 1) * pool - 1``.
    """

    sequence_length: int
    pool: int
    kernel: int
    motif_names: tuple[str, str]
    motif_widths: tuple[int, int]
    pos_a: int
    pos_b: int
    filters: tuple[int, ...]
    feature_map: np.ndarray
    units: tuple[int, ...]
    hidden: np.ndarray
    query_bin: int
    attention: np.ndarray
    scores: dict

    @property
    def bin_a(self) -> int:
        """The bin holding motif A's centre."""
        return (self.pos_a + self.motif_widths[0] // 2) // self.pool

    @property
    def attention_to_a(self) -> float:
        """Attention weight the query bin puts on motif A's bin."""
        return float(self.attention[self.bin_a])

    @property
    def attention_rank_a(self) -> int:
        """Rank of motif A's bin in the attention row (1 = the most attended bin)."""
        return int((self.attention > self.attention[self.bin_a]).sum()) + 1

    @property
    def uniform(self) -> float:
        """The weight of each bin under uniform attention, ``1 / T``."""
        return 1.0 / len(self.attention)

    @property
    def distance(self) -> float:
        """Centre-to-centre distance of the two motifs, bp."""
        return abs((self.pos_b + self.motif_widths[1] / 2) - (self.pos_a + self.motif_widths[0] / 2))

    def site(self, position: int, margin: int | None = None) -> str:
        """The planted site within ``margin`` bp of base ``position``: a motif name or "background".

        ``margin`` defaults to half the stem's filter width (a filter centred
        there overlaps the site).
        """
        half = self.kernel // 2 if margin is None else margin
        for name, start, width in zip(self.motif_names, (self.pos_a, self.pos_b), self.motif_widths):
            if start - half <= position < start + width + half:
                return name
        return "background"

    @property
    def cnn_peak(self) -> int:
        """Base where the CNN's most active filter peaks (0-based)."""
        return int(np.argmax(self.feature_map[0]))

    @property
    def bin_centres(self) -> np.ndarray:
        """Centre (bp) of each bin, ``(T,)``; the last bin may be shorter than ``pool``."""
        starts = np.arange(len(self.attention)) * self.pool
        ends = np.minimum(starts + self.pool, self.sequence_length)
        return (starts + ends - 1) / 2

    @property
    def lstm_jump(self) -> int:
        """Centre (bp) of the bin where the LSTM's hidden state changes most from the bin before."""
        change = np.linalg.norm(np.diff(self.hidden, axis=1), axis=0)   # (T - 1,)
        return int(self.bin_centres[np.argmax(change) + 1])


def three_lenses_view(task: pair.PairTask, models: dict[str, nn.Module], *, filters: int = 4,
                      units: int = 4) -> LensView:
    """What trained CNN, LSTM and Transformer lenses see on one near-pair sequence.

    The sequence is the first positive of a fixed draw (seed ``TEST_SEED + 2``,
    ``TEST_SEED`` of ``matrix_protocol``), not a chosen one.
    """
    planted = task.sample_planted(64, torch.Generator().manual_seed(matrix_protocol.TEST_SEED + 2))
    i = int((planted.case == 0).nonzero()[0])
    x = planted.x[i:i + 1]                                       # (1, 4, L)
    cnn, lstm, transformer = models["cnn"], models["lstm"], models["transformer"]
    config: LensConfig = cnn.config
    with evaluating(cnn), evaluating(lstm), evaluating(transformer), torch.no_grad():
        fmap = cnn.features(x)[0]                            # (width, L)
        top = torch.argsort(fmap.amax(dim=1), descending=True)[:filters]
        states = lstm.states(x)[0].T                         # (T, width) -> (width, T)
        varied = torch.argsort(states.std(dim=1), descending=True)[:units]
        pos_b = int(planted.pos_b[i])
        query = (pos_b + task.pwm_b.shape[1] // 2) // config.pool
        row = transformer.attention(x)[0, query]             # (T,)
        scores = {name: float(torch.sigmoid(m(x))[0]) for name, m in models.items()}
    return LensView(
        sequence_length=task.length, pool=config.pool, kernel=config.stem_kernel, motif_names=task.motif_names,
        motif_widths=(task.pwm_a.shape[1], task.pwm_b.shape[1]),
        pos_a=int(planted.pos_a[i]), pos_b=pos_b,
        filters=tuple(int(f) for f in top), feature_map=fmap[top].numpy().copy(),
        units=tuple(int(u) for u in varied), hidden=states[varied].numpy().copy(),
        query_bin=int(query), attention=row.numpy().copy(), scores=scores,
    )
