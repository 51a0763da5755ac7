"""CNNs of the CNN page (docs/cnn.md, section 4.1): a small motif CNN and the "typical CNN for genomics".

Both read one-hot DNA of shape ``(N, 4, L)`` (``lensbook.dna``) and return logits.

* :class:`MotifCNN` is the model trained at build time: one layer of filters
  that scans both strands with the same weights, a global max pool, a linear
  read-out. Its filters become PWMs that Tomtom matches back to JASPAR.
* :class:`GenomicsCNN` is the manuscript's "CNN architecture for genomics":
  1000 bp, 128 then 64 filters of width 8, ReLU and max pooling (window 2)
  after each, then flatten and a fully connected head.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from .._validate import require, require_sequences
from ..dna import reverse_complement


class MotifCNN(nn.Module):
    """One convolutional layer shared by both strands, a global max pool and a linear head.

    A filter is applied to the sequence and to its reverse complement; at each
    window the larger of the two scores counts, so a motif on either strand
    excites the same filter (the weight sharing of section 4.1, extended across
    strands as in DeepBind, Alipanahi et al. 2015, doi:10.1038/nbt.3300).

    Parameters
    ----------
    n_filters : int, optional
        Number of filters (pattern detectors). Default is 8.
    width : int, optional
        Filter width in bp. Default is 10.
    n_outputs : int, optional
        Number of logits. Default is 1.
    """

    def __init__(self, n_filters: int = 8, width: int = 10, n_outputs: int = 1) -> None:
        super().__init__()
        for name, value in (("n_filters", n_filters), ("width", width), ("n_outputs", n_outputs)):
            require(isinstance(value, int) and value >= 1, name, value, "an int >= 1")
        self.width = width
        self.conv = nn.Conv1d(4, n_filters, width)
        self.head = nn.Linear(n_filters, n_outputs)

    def strands(self, x: torch.Tensor) -> torch.Tensor:
        """Each filter's score at each window on the forward and on the reverse strand (before ReLU).

        The reverse-strand score of window ``i`` is the filter applied to the
        reverse complement of the bases ``i .. i + width - 1``, which equals
        the reverse-complemented filter applied to the forward bases: one
        convolution with both versions of each filter covers both strands.

        Parameters
        ----------
        x : torch.Tensor, shape (N, 4, L)

        Returns
        -------
        torch.Tensor, shape (N, 2, n_filters, L - width + 1)
            Index 0 of axis 1 is the forward strand, 1 the reverse strand.
        """
        require_sequences(x)
        require(x.shape[2] >= self.width, "x", tuple(x.shape),
                f"sequences at least as long as the filters ({self.width} bp)")
        weight = torch.cat([self.conv.weight, reverse_complement(self.conv.weight)])  # (2F, 4, w): filters, RCs
        bias = self.conv.bias.repeat(2)                                      # (2F,)
        scores = F.conv1d(x, weight, bias)                # (N, 4, L) -> (N, 2F, L - w + 1)
        return scores.unflatten(1, (2, -1))               # (N, 2F, L - w + 1) -> (N, 2, F, L - w + 1)

    def scan(self, x: torch.Tensor) -> torch.Tensor:
        """Feature maps: each filter's ReLU activation at each window start, best strand.

        Parameters
        ----------
        x : torch.Tensor, shape (N, 4, L)

        Returns
        -------
        torch.Tensor, shape (N, n_filters, L - width + 1)
        """
        return torch.relu(self.strands(x).amax(dim=1))    # (N, 2, F, L - w + 1) -> (N, F, L - w + 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits, shape ``(N, n_outputs)``."""
        best = self.strands(x).amax(dim=3).amax(dim=1)   # (N, 2, F, L - w + 1) -> (N, F): global max pool
        return self.head(torch.relu(best))                # (N, F) -> (N, n_outputs)


@dataclass(frozen=True)
class GenomicsCNNConfig:
    """Sizes of :class:`GenomicsCNN`; the defaults are the manuscript's (section 4.1).

    ``n_hidden`` is not given in the manuscript ("Flatten -> Fully Connected
    Layer -> Output"); 32 is this site's choice.
    """

    length: int = 1000
    filters: tuple[int, int] = (128, 64)
    width: int = 8
    pool: int = 2
    n_hidden: int = 32
    n_outputs: int = 1

    def conv_lengths(self) -> tuple[int, int, int, int]:
        """Lengths after conv 1, pool 1, conv 2, pool 2 (no padding)."""
        c1 = self.length - self.width + 1
        p1 = c1 // self.pool
        c2 = p1 - self.width + 1
        return c1, p1, c2, c2 // self.pool


class GenomicsCNN(nn.Module):
    """The manuscript's "typical CNN for sequence analysis" (section 4.1).

    Input ``(N, 4, 1000)``; Conv(128, width 8) -> ReLU -> MaxPool(2) ->
    Conv(64, width 8) -> ReLU -> MaxPool(2) -> flatten -> Linear -> ReLU ->
    Linear -> logits.
    """

    def __init__(self, config: GenomicsCNNConfig = GenomicsCNNConfig()) -> None:
        super().__init__()
        *_, final = config.conv_lengths()
        require(final >= 1, "config", config, "a length long enough for two conv + pool stages")
        self.config = config
        c1, c2 = config.filters
        self.conv1 = nn.Conv1d(4, c1, config.width)
        self.conv2 = nn.Conv1d(c1, c2, config.width)
        self.pool = nn.MaxPool1d(config.pool)
        self.fc = nn.Linear(c2 * final, config.n_hidden)
        self.out = nn.Linear(config.n_hidden, config.n_outputs)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits, shape ``(N, n_outputs)``, for ``x`` of shape ``(N, 4, length)``."""
        require_sequences(x, length=self.config.length)
        h = self.pool(torch.relu(self.conv1(x)))         # (N, 4, 1000) -> (N, 128, 993) -> (N, 128, 496)
        h = self.pool(torch.relu(self.conv2(h)))         # (N, 128, 496) -> (N, 64, 489) -> (N, 64, 244)
        h = torch.relu(self.fc(h.flatten(1)))            # (N, 64, 244) -> (N, 15616) -> (N, 32)
        return self.out(h)                               # (N, 32) -> (N, n_outputs)
