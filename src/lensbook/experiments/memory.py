"""Memory, measured: the ``memory`` experiment behind docs/rnn.md and docs/lstm.md (sections 4.2, 4.3).

A tanh RNN and an LSTM, three seeds each, learn ``DonorOrderTask`` with a
curriculum over growing gaps (``memory_curriculum``); then, on the trained
readers: the gradient ``||dh_T / dx_t||`` against ``T - t``
(``memory_gradients``), the gates of one LSTM along a sequence and the units
that carry each donor, and those units erased halfway through the gap
(``memory_gates``). Standard practice throughout: a fresh batch every step,
gradient-norm clipping at 1, a curriculum over the gap, a forget-gate bias of
3 for the LSTM and orthogonal recurrent weights for the RNN.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from .._validate import require
from ..models.lstm import LSTMConfig, LSTMReader
from ..models.rnn import RNNConfig, RNNReader
from ..tasks.memory import CLASSES, DonorOrderTask
from ..train import seeded
from .memory_curriculum import order_curriculum
from .memory_gates import Erasure, GateTrace, erasure, gate_trace
from .memory_gradients import GradientDecay, gradient_decay
from .registry import experiment

#: The build's settings (quoted on the pages through the result objects).
GAPS = (0, 10, 40, 100, 410)
SEEDS = (0, 1, 2)
#: Hidden units of both models.
HIDDEN = 32
#: Initial forget-gate bias of the LSTM: sigmoid(3) = 0.95, a memory of about 20 steps from the start.
FORGET_BIAS = 3.0
FIRST_STEPS, STAGE_STEPS = 300, 100
FIRST_BATCH, BATCH = 32, 32
#: Learning rates (AdamW), one per model, chosen in trial runs from 1e-3, 3e-3 and 1e-2.
LR = {"rnn": 3e-3, "lstm": 1e-2}
TEST_SIZE = 256


@dataclass(frozen=True)
class MemoryResult:
    """Everything the memory figures draw and the pages quote.

    ``rnn``/``lstm``: class accuracy ``[seed][gap]``; ``*_first``/``*_second``:
    accuracy on the first or second donor's variant alone (chance 0.5).
    ``gradients``: the gradient profiles; ``gates``: seed ``seed_traced``'s
    LSTM traced at the longest gap; ``erasure``: every LSTM seed with units
    erased halfway through it. The rest are the settings, and the two
    models' parameter counts.
    """

    gaps: tuple[int, ...]
    seeds: tuple[int, ...]
    rnn: tuple[tuple[float, ...], ...]
    lstm: tuple[tuple[float, ...], ...]
    rnn_first: tuple[tuple[float, ...], ...]
    rnn_second: tuple[tuple[float, ...], ...]
    lstm_first: tuple[tuple[float, ...], ...]
    lstm_second: tuple[tuple[float, ...], ...]
    hidden: int
    forget_bias: float
    lr_rnn: float
    lr_lstm: float
    first_steps: int
    stage_steps: int
    batch: int
    test_size: int
    params_rnn: int
    params_lstm: int
    gradients: GradientDecay
    gates: GateTrace
    erasure: Erasure

    @property
    def n_seeds(self) -> int:
        return len(self.seeds)

    @property
    def seed_traced(self) -> int:
        """The seed whose LSTM ``gates`` traces and whose models ``gradients`` draws."""
        return self.seeds[0]

    @property
    def chance(self) -> float:
        """Accuracy by guessing: one class in four."""
        return 1.0 / len(CLASSES)

    @property
    def chance_line(self) -> float:
        """What counts as "at chance": below ``chance + 0.1``."""
        return self.chance + 0.1

    @property
    def oracle(self) -> float:
        """The task has no noise: the rule itself scores 1."""
        return 1.0

    @property
    def max_gap(self) -> int:
        return self.gaps[-1]

    @property
    def max_distance(self) -> int:
        """Bases from the first donor's start to the acceptor's ``A`` at the longest gap, at most."""
        return DonorOrderTask(self.max_gap).length - 2

    @property
    def rnn_chance_gap(self) -> int:
        """The first gap where every RNN seed scores below ``chance_line`` (-1 if none)."""
        fallen = np.nonzero((np.array(self.rnn) < self.chance_line).all(axis=0))[0]
        return self.gaps[int(fallen[0])] if len(fallen) else -1

    @property
    def lstm_min_beyond(self) -> float:
        """The lowest LSTM accuracy from ``rnn_chance_gap`` on (nan if the RNN never falls to chance)."""
        if self.rnn_chance_gap < 0:
            return float("nan")
        return float(np.array(self.lstm)[:, self.gaps.index(self.rnn_chance_gap):].min())

    @property
    def lstm_min_at_longest(self) -> float:
        return float(np.array(self.lstm)[:, -1].min())

    @property
    def rnn_max_at_longest(self) -> float:
        return float(np.array(self.rnn)[:, -1].max())

    @property
    def rnn_mean_at_longest(self) -> float:
        return float(np.array(self.rnn)[:, -1].mean())

    @property
    def rnn_first_at_longest(self) -> float:
        return float(np.array(self.rnn_first)[:, -1].mean())

    @property
    def rnn_second_at_longest(self) -> float:
        return float(np.array(self.rnn_second)[:, -1].mean())

    @property
    def rnn_mean_at_zero(self) -> float:
        return float(np.array(self.rnn)[:, 0].mean())


def run_memory(gaps: tuple[int, ...] = GAPS, seeds: tuple[int, ...] = SEEDS, *,
               first_steps: int = FIRST_STEPS, stage_steps: int = STAGE_STEPS) -> MemoryResult:
    """Curricula for both models and every seed; gradients of every trained model; gates of seed
    ``seeds[0]``'s LSTM; units erased in every LSTM."""
    require(len(seeds) >= 1, "seeds", seeds, "at least one seed")
    config = {"rnn": RNNConfig(channels=4, hidden=HIDDEN, outputs=len(CLASSES), init="orthogonal"),
              "lstm": LSTMConfig(channels=4, hidden=HIDDEN, outputs=len(CLASSES), forget_bias=FORGET_BIAS)}
    reader = {"rnn": RNNReader, "lstm": LSTMReader}
    runs: dict[str, list] = {"rnn": [], "lstm": []}
    trained: dict[str, list] = {"rnn": [], "lstm": []}
    for kind in ("rnn", "lstm"):
        for seed in seeds:
            with seeded(seed):
                model = reader[kind](config[kind])
            runs[kind].append(order_curriculum(model, seed, gaps, lr=LR[kind], first_steps=first_steps,
                                               stage_steps=stage_steps, first_batch=FIRST_BATCH, batch=BATCH,
                                               test_size=TEST_SIZE))
            trained[kind].append(model)
    table = {f"{kind}{part}": tuple(getattr(run, column) for run in runs[kind])
             for kind in ("rnn", "lstm") for part, column in (("", "accuracy"), ("_first", "first"),
                                                              ("_second", "second"))}
    x, _ = DonorOrderTask(gaps[-1]).sample(8, torch.Generator().manual_seed(5))
    return MemoryResult(
        gaps=tuple(gaps), seeds=tuple(seeds), **table,
        hidden=HIDDEN, forget_bias=FORGET_BIAS, lr_rnn=LR["rnn"], lr_lstm=LR["lstm"],
        first_steps=first_steps, stage_steps=stage_steps, batch=BATCH, test_size=TEST_SIZE,
        params_rnn=sum(p.numel() for p in trained["rnn"][0].parameters()),
        params_lstm=sum(p.numel() for p in trained["lstm"][0].parameters()),
        gradients=gradient_decay(trained, x, seeds),
        gates=gate_trace(trained["lstm"][0], gaps[-1]), erasure=erasure(trained["lstm"], seeds, gaps[-1]),
    )


@experiment("memory")
def memory() -> MemoryResult:
    """The build's memory experiment: RNN and LSTM, three seeds each, gaps 0 to 410."""
    return run_memory()
