"""SpliceAI's layer specification and network (docs/lstm.md, the SpliceAI box).

Jaganathan et al. (2019), "Predicting splicing from primary sequence with deep
learning", Cell 176:535-548, doi:10.1016/j.cell.2018.12.015. SpliceAI is a
deep *residual convolutional* network, not an LSTM: it reaches far along the
sequence with dilated convolutions. Each residual unit is
BatchNorm-ReLU-Conv-BatchNorm-ReLU-Conv with a skip connection, 32 channels,
window ``W`` and dilation (atrous rate) ``D``; every fourth unit feeds a
1x1 convolution into a running sum, and a last 1x1 convolution scores each
position as acceptor, donor or neither.

The context a position sees, counted on both sides together, is

    CL = 2 * sum over residual units of D * (W - 1)

(the 2 counts the two convolutions of each unit), which gives the four
published models: 80, 400, 2,000 and 10,000 nt. ``SpliceAI`` crops ``CL / 2``
positions at each end, so an input of ``CL + S`` bases yields ``S`` outputs.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from .._validate import require, require_sequences


@dataclass(frozen=True)
class SpliceAIConfig:
    """The layer specification of one SpliceAI model.

    Parameters
    ----------
    units : tuple of (int, int)
        ``(W, D)``, window and dilation, of each residual unit in order.
    channels : int, optional
        Channels of every convolution (``L`` in the paper). Default is 32.
    """

    units: tuple[tuple[int, int], ...]
    channels: int = 32

    def __post_init__(self) -> None:
        require(len(self.units) >= 1, "units", self.units, "at least one residual unit")
        for w, d in self.units:
            require(isinstance(w, int) and w >= 1 and w % 2 == 1 and isinstance(d, int) and d >= 1,
                    "units", (w, d), "(W, D) with an odd window W >= 1 and a dilation D >= 1")
        require(isinstance(self.channels, int) and self.channels >= 1, "channels", self.channels, "an int >= 1")

    @property
    def context(self) -> int:
        """``CL = 2 * sum(D * (W - 1))``: flanking bases seen, both sides together.

        Examples
        --------
        >>> [SpliceAIConfig.preset(name).context for name in ("80", "400", "2k", "10k")]
        [80, 400, 2000, 10000]
        """
        return 2 * sum(d * (w - 1) for w, d in self.units)

    @classmethod
    def preset(cls, name: str) -> SpliceAIConfig:
        """One of the published models: ``"80"``, ``"400"``, ``"2k"`` or ``"10k"``."""
        require(name in PRESETS, "name", name, f"one of {sorted(PRESETS)}")
        return PRESETS[name]


def _group(count: int, width: int, dilation: int) -> tuple[tuple[int, int], ...]:
    return ((width, dilation),) * count


#: The four published SpliceAI models (Jaganathan et al. 2019, Figure 1 and its supplement).
PRESETS = {
    "80": SpliceAIConfig(_group(4, 11, 1)),
    "400": SpliceAIConfig(_group(4, 11, 1) + _group(4, 11, 4)),
    "2k": SpliceAIConfig(_group(4, 11, 1) + _group(4, 11, 4) + _group(4, 21, 10)),
    "10k": SpliceAIConfig(_group(4, 11, 1) + _group(4, 11, 4) + _group(4, 21, 10) + _group(4, 41, 25)),
}


class ResidualUnit(nn.Module):
    """BatchNorm-ReLU-Conv(W, D) twice, plus the input (length-preserving)."""

    def __init__(self, channels: int, width: int, dilation: int) -> None:
        super().__init__()
        padding = dilation * (width - 1) // 2
        self.body = nn.Sequential(
            nn.BatchNorm1d(channels), nn.ReLU(),
            nn.Conv1d(channels, channels, width, dilation=dilation, padding=padding),
            nn.BatchNorm1d(channels), nn.ReLU(),
            nn.Conv1d(channels, channels, width, dilation=dilation, padding=padding),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)                                    # (N, 32, L) -> (N, 32, L)


class SpliceAI(nn.Module):
    """SpliceAI built from a ``SpliceAIConfig``: ``(N, 4, CL + S)`` -> logits ``(N, 3, S)``.

    The three outputs per position are neither, acceptor, donor (the paper's
    softmax is left to the loss).
    """

    def __init__(self, config: SpliceAIConfig) -> None:
        super().__init__()
        self.config = config
        c = config.channels
        self.stem = nn.Conv1d(4, c, 1)
        self.skip = nn.Conv1d(c, c, 1)
        self.units = nn.ModuleList(ResidualUnit(c, w, d) for w, d in config.units)
        taps = [i for i in range(len(config.units)) if (i + 1) % 4 == 0 or i + 1 == len(config.units)]
        self.taps = nn.ModuleDict({str(i): nn.Conv1d(c, c, 1) for i in taps})
        self.out = nn.Conv1d(c, 3, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        require_sequences(x)
        flank = self.config.context // 2
        require(x.shape[2] > 2 * flank, "x", tuple(x.shape),
                f"more than CL = {2 * flank} bases (CL / 2 flank on each side of the scored positions)")
        h = self.stem(x)                                           # (N, 4, L) -> (N, 32, L)
        skip = self.skip(h)                                        # (N, 32, L)
        for i, unit in enumerate(self.units):
            h = unit(h)                                            # (N, 32, L)
            if str(i) in self.taps:
                skip = skip + self.taps[str(i)](h)                 # (N, 32, L)
        skip = skip[:, :, flank:x.shape[2] - flank]                # (N, 32, L) -> (N, 32, L - CL)
        return self.out(skip)                                      # (N, 32, S) -> (N, 3, S)
