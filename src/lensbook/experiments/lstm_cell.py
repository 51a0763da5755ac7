"""The ``lstm_cell`` experiment: the sizes of the LSTM that ``memory`` trains, for the cell
diagram of docs/lstm.md (section 4.3). Nothing is trained."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from ..models.lstm import LSTM, LSTMConfig, LSTMReader
from ..tasks.memory import CLASSES
from ..train import seeded
from .memory import FORGET_BIAS, HIDDEN
from .registry import experiment


@dataclass(frozen=True)
class CellSketch:
    """The sizes of the LSTM that ``memory`` trains, read off a fresh model, for the cell diagram.

    ``weights[gate]``: the shape ``(H, H + C)`` of ``W_f``, ``W_i``, ``W_c``,
    ``W_o`` of the hand-written cell; ``bias``: ``H``. ``params_cell``: the
    four gates' weights and biases; ``params_torch``: ``torch.nn.LSTM``'s
    count (two bias vectors).
    """

    channels: int
    hidden: int
    outputs: int
    forget_bias: float
    weights: dict[str, tuple[int, int]]
    bias: int
    params_cell: int
    params_torch: int

    @property
    def forget_start(self) -> float:
        """``sigmoid(forget_bias)``: the forget gate before training when its input is zero."""
        return float(torch.sigmoid(torch.tensor(self.forget_bias)))


def cell_sketch(seed: int = 0) -> CellSketch:
    """The sizes of the ``memory`` experiment's ``LSTMReader`` and of the hand-written cell it loads into."""
    with seeded(seed):
        reader = LSTMReader(LSTMConfig(channels=4, hidden=HIDDEN, outputs=len(CLASSES), forget_bias=FORGET_BIAS))
    config = reader.config
    cell = LSTM(config.channels, config.hidden).load_torch(reader.lstm).cell
    return CellSketch(
        channels=config.channels, hidden=config.hidden, outputs=config.outputs, forget_bias=config.forget_bias,
        weights={gate: tuple(getattr(cell, f"W_{gate}").shape) for gate in ("f", "i", "c", "o")},
        bias=cell.b_f.shape[0], params_cell=sum(p.numel() for p in cell.parameters()),
        params_torch=sum(p.numel() for p in reader.lstm.parameters()),
    )


@experiment("lstm_cell")
def lstm_cell() -> CellSketch:
    """The LSTM of the memory experiment, its sizes only (no training)."""
    return cell_sketch()
