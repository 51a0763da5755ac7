"""Four comparable lenses for the lens matrix (docs/choosing.md, section 4.5).

One input convention, ``(N, C, L)``, and one output, a score per sequence
``(N,)`` (a logit for a binary task, a value for a regression task), so every
architecture can be trained on every task of ``lensbook.tasks`` with the same
budget and compared cell by cell.

* ``fully-connected``: the flattened input through two hidden layers, the
  baseline of the chapter's opening ("Why not just use fully-connected
  networks for everything?").
* ``cnn``, ``lstm``, ``transformer``: one shared **stem** (a convolution of
  ``kernel`` bases, batch normalisation, ReLU, max-pooling to at most
  ``max_tokens`` bins), then a different **body** reads the bins: two more
  convolutions and each filter's maximum over the bins (DeepBind-style global
  max-pooling, Alipanahi et al. 2015, doi:10.1038/nbt.3300); a bidirectional
  LSTM read out by its final states and its maximum over bins (a CNN-LSTM
  hybrid in the manner of DanQ, Quang & Xie 2016, doi:10.1093/nar/gkw226); one
  pre-norm Transformer block with learned positions, averaged over bins (a
  small CNN-Transformer hybrid in the manner of Enformer, Avsec et al. 2021,
  doi:10.1038/s41592-021-01252-x).

Short inputs (``L <= max_tokens``, e.g. a time course) are not pooled, and the
stem is then a position-wise (width 1) layer, so the LSTM and the Transformer
read the raw steps and only the CNN mixes neighbours.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

from .._validate import require
from .lstm import set_forget_bias

#: The lens names the matrix accepts, in the order the tables show them.
ARCHITECTURES = ("fully-connected", "cnn", "lstm", "transformer")


# -- config ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LensConfig:
    """Sizes shared by the four lenses.

    Parameters
    ----------
    channels, length : int
        ``C`` and ``L`` of the inputs.
    width : int, optional
        Filters of every convolution, LSTM units (both directions together)
        and the Transformer's model dimension. Default is 32.
    kernel : int, optional
        Width of the stem's filters on long inputs, in positions. Default is 9.
    max_tokens : int, optional
        The stem pools long inputs to at most this many bins. Default is 32.
    hidden : int, optional
        Units of each hidden layer of the fully connected lens. Default is 64.
    heads : int, optional
        Attention heads of the Transformer block. Default is 4.
    forget_bias : float, optional
        Initial forget-gate bias of the LSTM (Jozefowicz et al. 2015). Default is 1.0.
    """

    channels: int
    length: int
    width: int = 32
    kernel: int = 9
    max_tokens: int = 32
    hidden: int = 64
    heads: int = 4
    forget_bias: float = 1.0

    def __post_init__(self) -> None:
        for name in ("channels", "length", "width", "kernel", "max_tokens", "hidden", "heads"):
            value = getattr(self, name)
            require(isinstance(value, int) and value >= 1, name, value, "an int >= 1")
        require(self.width % self.heads == 0, "width", self.width,
                f"a multiple of heads ({self.heads})")
        require(self.width % 2 == 0, "width", self.width, "an even int (two LSTM directions)")

    @property
    def pool(self) -> int:
        """Bases per bin after the stem: ``ceil(L / max_tokens)``."""
        return math.ceil(self.length / self.max_tokens)

    @property
    def tokens(self) -> int:
        """Bins after the stem, ``T = ceil(L / pool)``."""
        return math.ceil(self.length / self.pool)

    @property
    def stem_kernel(self) -> int:
        """``kernel`` when the stem pools, 1 (position-wise) on short inputs."""
        return self.kernel if self.pool > 1 else 1


# -- blocks ------------------------------------------------------------------------------


class Stem(nn.Module):
    """Local filters, batch normalisation, ReLU, then max-pooling to bins: ``(N, C, L) -> (N, width, T)``."""

    def __init__(self, config: LensConfig) -> None:
        super().__init__()
        self.conv = nn.Conv1d(config.channels, config.width, config.stem_kernel, padding="same")
        self.norm = nn.BatchNorm1d(config.width)
        self.pool = nn.MaxPool1d(config.pool, ceil_mode=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = torch.relu(self.norm(self.conv(x)))   # (N, C, L) -> (N, width, L)
        return self.pool(x)              # (N, width, L) -> (N, width, T)


class AttentionBlock(nn.Module):
    """Pre-norm Transformer block: ``x + MHA(LN(x))``, then ``x + MLP(LN(x))``."""

    def __init__(self, config: LensConfig) -> None:
        super().__init__()
        self.norm1 = nn.LayerNorm(config.width)
        self.attention = nn.MultiheadAttention(config.width, config.heads, batch_first=True)
        self.norm2 = nn.LayerNorm(config.width)
        self.mlp = nn.Sequential(nn.Linear(config.width, 2 * config.width), nn.GELU(),
                                 nn.Linear(2 * config.width, config.width))

    def weights(self, x: torch.Tensor) -> torch.Tensor:
        """Attention weights averaged over heads: ``(N, T, width) -> (N, T, T)``, rows sum to 1."""
        h = self.norm1(x)
        return self.attention(h, h, h, need_weights=True, average_attn_weights=True)[1]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.norm1(x)
        x = x + self.attention(h, h, h, need_weights=False)[0]    # (N, T, width)
        return x + self.mlp(self.norm2(x))                         # (N, T, width)


# -- the four lenses ---------------------------------------------------------------------


class FullyConnected(nn.Module):
    """Every input value wired to every hidden unit: ``C * L * hidden`` weights in the first layer."""

    def __init__(self, config: LensConfig) -> None:
        super().__init__()
        self.config = config
        self.net = nn.Sequential(
            nn.Linear(config.channels * config.length, config.hidden), nn.ReLU(),
            nn.Linear(config.hidden, config.hidden), nn.ReLU(),
            nn.Linear(config.hidden, 1),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x.flatten(1)                 # (N, C, L) -> (N, C * L)
        return self.net(x)[:, 0]         # (N, C * L) -> (N,)


class ConvNet(nn.Module):
    """Stem, two more convolutions over bins, each filter's maximum read out (section 4.1).

    Global max-pooling asks "is the pattern anywhere?", the question of the
    manuscript's pooling section, as in DeepBind (Alipanahi et al. 2015,
    doi:10.1038/nbt.3300).
    """

    def __init__(self, config: LensConfig) -> None:
        super().__init__()
        self.config = config
        self.stem = Stem(config)
        self.body = nn.Sequential(
            nn.Conv1d(config.width, config.width, 5, padding="same"), nn.BatchNorm1d(config.width), nn.ReLU(),
            nn.Conv1d(config.width, config.width, 5, padding="same"), nn.BatchNorm1d(config.width), nn.ReLU(),
        )
        self.readout = nn.Linear(config.width, 1)

    @property
    def window_bins(self) -> int:
        """Bins that one position of the body's output sees: ``1 + sum(kernel - 1)`` of its convolutions.

        Two elements more than ``window_bins - 1`` bins apart never meet in one
        output, so the CNN can relate them only through the global maximum.
        """
        return 1 + sum(m.kernel_size[0] - 1 for m in self.body if isinstance(m, nn.Conv1d))

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """The stem's feature map at base resolution, before pooling: ``(N, width, L)``."""
        return torch.relu(self.stem.norm(self.stem.conv(x)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.body(self.stem(x))              # (N, C, L) -> (N, width, T)
        h = h.amax(dim=2)                        # (N, width, T) -> (N, width)
        return self.readout(h)[:, 0]             # (N, width) -> (N,)


class Recurrent(nn.Module):
    """Stem, a bidirectional LSTM over the bins, read out by its final states and its maximum (section 4.3).

    The read-out sees both directions' final states (the whole sequence, read
    each way) and each unit's maximum over the bins (whether something was found
    anywhere along the sequence), as max-pooled BiLSTM encoders do (Conneau et al. 2017,
    arXiv:1705.02364).
    """

    def __init__(self, config: LensConfig) -> None:
        super().__init__()
        self.config = config
        self.stem = Stem(config)
        self.lstm = nn.LSTM(config.width, config.width // 2, batch_first=True, bidirectional=True)
        set_forget_bias(self.lstm, config.forget_bias)
        self.readout = nn.Linear(2 * config.width, 1)

    def states(self, x: torch.Tensor) -> torch.Tensor:
        """Hidden states of both directions at every bin: ``(N, T, width)``."""
        return self.lstm(self.stem(x).transpose(1, 2))[0]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.stem(x).transpose(1, 2)         # (N, C, L) -> (N, T, width)
        h, (last, _) = self.lstm(h)              # h: (N, T, width); last: (2, N, width / 2)
        last = last.transpose(0, 1).flatten(1)   # (2, N, width / 2) -> (N, width)
        h = torch.cat([last, h.amax(dim=1)], 1)  # (N, width) + (N, width) -> (N, 2 * width)
        return self.readout(h)[:, 0]             # (N, 2 * width) -> (N,)


class Transformer(nn.Module):
    """Stem, learned positions, one attention block, mean over bins (section 4.4)."""

    def __init__(self, config: LensConfig) -> None:
        super().__init__()
        self.config = config
        self.stem = Stem(config)
        self.position = nn.Parameter(0.02 * torch.randn(config.tokens, config.width))
        self.block = AttentionBlock(config)
        self.norm = nn.LayerNorm(config.width)
        self.readout = nn.Linear(config.width, 1)

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        """Bins with their positions added: ``(N, C, L) -> (N, T, width)``."""
        return self.stem(x).transpose(1, 2) + self.position

    def attention(self, x: torch.Tensor) -> torch.Tensor:
        """Attention weights of the block, averaged over heads: ``(N, T, T)``; row ``i`` is what bin ``i`` reads."""
        return self.block.weights(self.embed(x))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.block(self.embed(x))            # (N, C, L) -> (N, T, width)
        h = self.norm(h).mean(dim=1)             # (N, T, width) -> (N, width)
        return self.readout(h)[:, 0]             # (N, width) -> (N,)


_CLASSES = {"fully-connected": FullyConnected, "cnn": ConvNet, "lstm": Recurrent, "transformer": Transformer}


def build(architecture: str, config: LensConfig) -> nn.Module:
    """The lens called ``architecture`` (one of ``ARCHITECTURES``) for inputs of ``config``'s shape.

    Raises
    ------
    ValueError
        For an unknown name; the message lists the valid ones.
    """
    require(architecture in _CLASSES, "architecture", architecture, f"one of {list(ARCHITECTURES)}")
    return _CLASSES[architecture](config)
