"""The ``attention_costs`` experiment of docs/transformer.md (section 4.4): what attention costs against L.

FLOPs of one attention, one convolution and one LSTM layer of the same width
against sequence length, counted with ``torch.utils.flop_counter`` on the
``meta`` device, and the bytes of the attention matrix: counts, not timings,
so two builds give the same figure. ``lensbook.bench.attention_costs`` times
the same layers for ``make bench``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from .._validate import require
from ..models.attention import MultiHeadAttention
from .registry import experiment

#: Sequence lengths of the cost figure and the benchmark.
COST_LENGTHS = (256, 512, 1024, 2048, 4096, 8192)


def cost_layers(width: int = 64, heads: int = 4, kernel: int = 9,
                device: str | torch.device = "cpu") -> dict[str, nn.Module]:
    """One attention, one convolution and one LSTM layer of the same width."""
    with torch.device(device):
        return {
            "attention": MultiHeadAttention(width, heads),
            "convolution": nn.Conv1d(width, width, kernel, padding=kernel // 2),
            "LSTM": nn.LSTM(width, width, batch_first=True),
        }


def count_flops(layer: nn.Module, length: int, width: int) -> int:
    """FLOPs of one forward pass over one sequence of ``length``, by ``torch.utils.flop_counter``.

    Attention and convolution run on the ``meta`` device (shapes only, no
    arithmetic), so even L = 8,192 costs nothing to count. PyTorch's fused
    LSTM kernel has no FLOP formula, so for the LSTM one step of an
    ``nn.LSTMCell`` with the same weights' shapes is counted and multiplied by
    the ``length`` steps the layer takes (``tests`` check this equals the
    count of an unfused LSTM).
    """
    counter = FlopCounterMode(display=False)
    if isinstance(layer, nn.LSTM):
        cell = nn.LSTMCell(layer.input_size, layer.hidden_size, device="meta")
        x = torch.zeros(1, layer.input_size, device="meta")
        state = (torch.zeros(1, layer.hidden_size, device="meta"),) * 2
        with counter:
            cell(x, state)
        return counter.get_total_flops() * length
    layer = layer.to("meta")
    with counter:
        if isinstance(layer, nn.Conv1d):
            layer(torch.zeros(1, width, length, device="meta"))
        else:
            layer(torch.zeros(1, length, width, device="meta"))
    return counter.get_total_flops()


@dataclass(frozen=True)
class CostResult:
    """FLOPs per forward pass (one sequence) and the attention matrix's size, against L."""

    lengths: tuple[int, ...]
    width: int
    heads: int
    kernel: int
    flops: dict[str, tuple[int, ...]]
    attention_matrix_bytes: tuple[int, ...]

    def slope(self, layer: str) -> float:
        """Slope of log FLOPs against log L over the last two lengths (2 means L², 1 means L)."""
        f, L = self.flops[layer], self.lengths
        return float(np.log(f[-1] / f[-2]) / np.log(L[-1] / L[-2]))

    def flops_ratio(self, layer: str, other: str) -> tuple[float, ...]:
        """Per length, the FLOPs of ``layer`` divided by those of ``other``."""
        return tuple(a / b for a, b in zip(self.flops[layer], self.flops[other]))


def attention_costs_for(lengths: tuple[int, ...] = COST_LENGTHS, width: int = 64, heads: int = 4,
                        kernel: int = 9) -> CostResult:
    """Count FLOPs and attention-matrix bytes for each length (no timing, no arithmetic)."""
    require(len(lengths) >= 2 and all(isinstance(n, int) and n >= 1 for n in lengths), "lengths", lengths,
            "at least two positive ints")
    layers = cost_layers(width, heads, kernel, device="meta")
    flops = {name: tuple(count_flops(layer, n, width) for n in lengths) for name, layer in layers.items()}
    attention = layers["attention"]
    sizes = []
    for n in lengths:
        weights = attention(torch.zeros(1, n, width, device="meta")).weights   # (1, heads, L, L), on meta
        sizes.append(weights.numel() * weights.element_size())
    return CostResult(lengths=tuple(lengths), width=width, heads=heads, kernel=kernel, flops=flops,
                      attention_matrix_bytes=tuple(sizes))


@experiment("attention_costs")
def attention_costs() -> CostResult:
    """The build's run: width 64, 4 heads, kernel 9, L from 256 to 8,192."""
    return attention_costs_for()
