"""One motif stem and three heads that read out at the promoter's bin (section 4.4).

The models of docs/transformer.md's one-enhancer task. A ``MotifStem``
(convolution, ReLU, max-pooling to bins of motif evidence) is shared; three
heads differ only in how information reaches the promoter's bin:

* ``CNNHead``: dilated convolutions over bins, so it sees only a window of
  ``receptive_field_bins`` bins around the promoter;
* ``LSTMHead``: a bidirectional LSTM over the bins, which carries information
  step by step from anywhere in the sequence;
* ``HybridTransformer``: one attention layer, which reaches every bin in one
  step, a conv-stem + attention hybrid in the spirit of Enformer (Avsec et al.
  2021, doi:10.1038/s41592-021-01252-x), which first turns base pairs into
  bins with convolutions and pooling, then lets the bins attend to each other:

    one-hot DNA -> MotifStem (conv, ReLU, max-pool to bins)
                -> project to d_model, add sinusoidal positions
                -> one multi-head self-attention layer (with a residual)
                -> read out at one bin (the promoter's)

``HybridTransformer.forward`` also returns the attention weights, so the page
can read where the promoter's bin looked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import torch
from torch import nn

from .._validate import require, require_sequences
from .attention import MultiHeadAttention, SinusoidalPositionalEncoding
from .lstm import set_forget_bias


class MotifStem(nn.Module):
    """A motif scanner that reports, per bin, how likely each motif starts there.

    One filter per motif (a position weight matrix, as on the CNN page) is slid
    along the sequence; each bin keeps its best window (max-pooling) and a
    sigmoid turns that score into a probability-like value in (0, 1). A motif
    whose first base is at 0-based position ``p`` lands in bin ``p // bin_size``.

    Parameters
    ----------
    channels : int, optional
        Number of filters (motifs). Default is 2 (enhancer and promoter).
    kernel : int, optional
        Filter width in bp. Default is 8.
    bin_size : int, optional
        Base pairs per output bin. Default is 40.
    """

    def __init__(self, channels: int = 2, kernel: int = 8, bin_size: int = 40) -> None:
        super().__init__()
        for name, value in (("channels", channels), ("kernel", kernel), ("bin_size", bin_size)):
            require(isinstance(value, int) and value >= 1, name, value, "an int >= 1")
        self.channels, self.kernel, self.bin_size = channels, kernel, bin_size
        self.conv = nn.Conv1d(4, channels, kernel)
        self.pool = nn.MaxPool1d(bin_size)

    def bins(self, length: int) -> int:
        """Number of bins for a sequence of ``length`` bp."""
        return (length - self.kernel + 1) // self.bin_size

    def logits(self, x: torch.Tensor) -> torch.Tensor:
        """The best window score of each bin, before the sigmoid: ``(N, C, B)``."""
        require_sequences(x)
        require(x.shape[2] >= self.kernel + self.bin_size - 1, "x", tuple(x.shape),
                f"one-hot DNA of shape (N, 4, L) with L >= {self.kernel + self.bin_size - 1}")
        h = self.conv(x)                 # (N, 4, L) -> (N, C, L - k + 1)
        return self.pool(h)              # (N, C, L - k + 1) -> (N, C, B), B = (L - k + 1) // bin_size

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.logits(x))  # (N, C, B), values in (0, 1)


class HybridOutput(NamedTuple):
    """The hybrid's prediction and the attention weights behind it."""

    logit: torch.Tensor      # (N,)
    attention: torch.Tensor  # (N, heads, B, B): row i is where bin i looked


@dataclass(frozen=True)
class HybridConfig:
    """Sizes of the hybrid.

    Attributes
    ----------
    length : int
        Input length in bp.
    readout_bin : int
        The bin whose output makes the prediction (the promoter's).
    channels, kernel, bin_size : int
        The stem's filters, filter width and bin size.
    d_model : int
        Width of the attention layer.
    heads : int
        Number of attention heads; must divide ``d_model``.
    """

    length: int = 1000
    readout_bin: int = 20
    channels: int = 2
    kernel: int = 8
    bin_size: int = 40
    d_model: int = 16
    heads: int = 2

    @property
    def bins(self) -> int:
        return (self.length - self.kernel + 1) // self.bin_size

    @classmethod
    def tiny(cls) -> HybridConfig:
        """The size the site trains at build time (a few thousand parameters)."""
        return cls()


class HybridTransformer(nn.Module):
    """Conv stem, then one attention layer, read out at ``config.readout_bin``.

    Parameters
    ----------
    config : HybridConfig
        The sizes.
    stem : MotifStem, optional
        A stem to use (for example one pretrained and frozen); a new one of
        the config's size by default.
    """

    def __init__(self, config: HybridConfig, stem: MotifStem | None = None) -> None:
        super().__init__()
        require(0 <= config.readout_bin < config.bins, "config.readout_bin", config.readout_bin,
                f"a bin in [0, {config.bins})")
        self.config = config
        self.stem = stem if stem is not None else MotifStem(config.channels, config.kernel, config.bin_size)
        require(self.stem.channels == config.channels, "stem", self.stem.channels,
                f"a stem with config.channels={config.channels} filters")
        self.embed = nn.Linear(config.channels, config.d_model)
        self.position = SinusoidalPositionalEncoding(config.d_model, max_len=config.bins)
        self.attention = MultiHeadAttention(config.d_model, config.heads)
        self.readout = nn.Linear(config.d_model, 1)

    def forward(self, x: torch.Tensor) -> HybridOutput:
        h = self.stem(x)                       # (N, 4, L) -> (N, C, B)
        h = self.embed(h.transpose(1, 2))      # (N, C, B) -> (N, B, C) -> (N, B, d)
        h = self.position(h)                   # (N, B, d): + positions
        z, alpha = self.attention(h)           # (N, B, d), (N, heads, B, B)
        h = h + z                              # residual, (N, B, d)
        p = self.config.readout_bin
        return HybridOutput(self.readout(h[:, p]).squeeze(-1), alpha)  # (N, d) -> (N,)


# -- the CNN and LSTM heads -----------------------------------------------------------------


def _check_bin(readout_bin: int, bins: int) -> None:
    require(0 <= readout_bin < bins, "readout_bin", readout_bin, f"a bin in [0, {bins}) for this input")


class CNNHead(nn.Module):
    """Dilated convolutions over the stem's bins, read out at one bin.

    Parameters
    ----------
    stem : MotifStem
        The shared stem.
    readout_bin : int
        The bin that makes the prediction.
    hidden : int, optional
        Channels of each layer. Default is 16.
    kernel : int, optional
        Kernel width in bins. Default is 3.
    dilations : tuple of int, optional
        One layer per dilation. Default is (1, 2, 4): a window of 15 bins.
    """

    def __init__(self, stem: MotifStem, readout_bin: int, hidden: int = 16, kernel: int = 3,
                 dilations: tuple[int, ...] = (1, 2, 4)) -> None:
        super().__init__()
        require(kernel % 2 == 1, "kernel", kernel, "an odd width (a window centred on each bin)")
        require(len(dilations) >= 1, "dilations", dilations, "at least one layer")
        self.stem, self.readout_bin, self.kernel, self.dilations = stem, readout_bin, kernel, tuple(dilations)
        layers: list[nn.Module] = []
        width = stem.channels
        for d in dilations:
            layers += [nn.Conv1d(width, hidden, kernel, dilation=d, padding=d * (kernel // 2)), nn.ReLU()]
            width = hidden
        self.body = nn.Sequential(*layers)
        self.readout = nn.Linear(hidden, 1)

    @property
    def receptive_field_bins(self) -> int:
        """How many bins, centred on the readout bin, can change the prediction."""
        return 1 + (self.kernel - 1) * sum(self.dilations)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.stem(x)                                  # (N, 4, L) -> (N, C, B)
        h = self.body(h)                                  # (N, C, B) -> (N, hidden, B)
        _check_bin(self.readout_bin, h.shape[-1])
        return self.readout(h[:, :, self.readout_bin]).squeeze(-1)  # (N, hidden) -> (N,)


class LSTMHead(nn.Module):
    """A bidirectional LSTM over the stem's bins, read out at one bin.

    Parameters
    ----------
    stem : MotifStem
        The shared stem.
    readout_bin : int
        The bin that makes the prediction.
    hidden : int, optional
        Width of the input projection and hidden size of each direction.
        Default is 16.
    forget_bias : float, optional
        Initial forget-gate bias. A positive bias is the standard remedy for
        early forgetting (Jozefowicz et al. 2015 recommend 1); 3 keeps
        sigmoid(3) = 95% of the cell's memory from one bin to the next at
        initialisation. Default is 3.0.
    """

    def __init__(self, stem: MotifStem, readout_bin: int, hidden: int = 16, forget_bias: float = 3.0) -> None:
        super().__init__()
        self.stem, self.readout_bin = stem, readout_bin
        self.embed = nn.Linear(stem.channels, hidden)
        self.lstm = nn.LSTM(hidden, hidden, batch_first=True, bidirectional=True)
        set_forget_bias(self.lstm, forget_bias)
        self.readout = nn.Linear(2 * hidden, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.stem(x)                                  # (N, 4, L) -> (N, C, B)
        h = self.embed(h.transpose(1, 2))                 # (N, C, B) -> (N, B, C) -> (N, B, hidden)
        h, _ = self.lstm(h)                               # (N, B, hidden) -> (N, B, 2 * hidden)
        _check_bin(self.readout_bin, h.shape[1])
        return self.readout(h[:, self.readout_bin]).squeeze(-1)  # (N, 2 * hidden) -> (N,)
