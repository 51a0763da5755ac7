"""DeepSEA: the CNN that predicts 919 chromatin features from 1000 bp of DNA (docs/cnn.md, section 4.1).

Zhou & Troyanskaya (2015), "Predicting effects of noncoding variants with deep
learning-based sequence model", Nature Methods 12:931-934, doi:10.1038/nmeth.3547.
The published layout: three convolutions of width 8 with 320, 480 and 960
filters, max pooling of 4 after the first two, dropout 0.2, 0.2 and 0.5, a
925-unit fully connected layer and 919 sigmoid outputs. It has 52,843,119
parameters.

Variants elsewhere differ: Selene's ``DeepSEA`` (Chen et al. 2019,
doi:10.1038/s41592-019-0360-8) uses two convolutions per stage and batch
normalisation. This module follows the paper.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from .._validate import require, require_sequences
from .common import parameter_counts  # noqa: F401  (for callers that import it from here; its home is lensbook.models)


@dataclass(frozen=True)
class DeepSEAConfig:
    """Sizes of :class:`DeepSEA`. Use the presets :meth:`deepsea` (published) or :meth:`tiny`.

    Attributes
    ----------
    length : int
        Input length in bp.
    channels : tuple of int
        Filters of the three convolutions.
    width : int
        Filter width of every convolution.
    pool : int
        Max-pool window (and stride) after the first two convolutions.
    dropout : tuple of float
        Dropout after each of the three convolution stages.
    n_hidden : int
        Units of the fully connected layer.
    n_outputs : int
        Chromatin features predicted.
    """

    length: int = 1000
    channels: tuple[int, int, int] = (320, 480, 960)
    width: int = 8
    pool: int = 4
    dropout: tuple[float, float, float] = (0.2, 0.2, 0.5)
    n_hidden: int = 925
    n_outputs: int = 919

    @classmethod
    def deepsea(cls) -> DeepSEAConfig:
        """The published sizes (Zhou & Troyanskaya 2015): 52,843,119 parameters."""
        return cls()

    @classmethod
    def tiny(cls) -> DeepSEAConfig:
        """The same layout, small enough to run in a test: 200 bp, 8/16/32 filters, 3 outputs."""
        return cls(length=200, channels=(8, 16, 32), n_hidden=16, n_outputs=3)

    def lengths(self) -> tuple[int, int, int]:
        """Sequence length after each convolution stage (conv, then pool for the first two)."""
        first = (self.length - self.width + 1) // self.pool
        second = (first - self.width + 1) // self.pool
        return first, second, second - self.width + 1


class DeepSEA(nn.Module):
    """DeepSEA (doi:10.1038/nmeth.3547): conv-pool-dropout x2, conv-dropout, dense, dense.

    ``forward`` returns logits; the paper's sigmoid is ``torch.sigmoid`` of them
    (or ``BCEWithLogitsLoss`` while training).

    Parameters
    ----------
    config : DeepSEAConfig, optional
        Default is the published sizes, ``DeepSEAConfig.deepsea()``.
    """

    def __init__(self, config: DeepSEAConfig = DeepSEAConfig()) -> None:
        super().__init__()
        *_, final = config.lengths()
        require(final >= 1, "config", config, "an input long enough for three convolutions and two pools")
        self.config = config
        c1, c2, c3 = config.channels
        d1, d2, d3 = config.dropout
        self.conv1 = nn.Conv1d(4, c1, config.width)
        self.conv2 = nn.Conv1d(c1, c2, config.width)
        self.conv3 = nn.Conv1d(c2, c3, config.width)
        self.pool = nn.MaxPool1d(config.pool)
        self.drop1, self.drop2, self.drop3 = nn.Dropout(d1), nn.Dropout(d2), nn.Dropout(d3)
        self.fc = nn.Linear(c3 * final, config.n_hidden)
        self.out = nn.Linear(config.n_hidden, config.n_outputs)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits ``(N, n_outputs)`` for one-hot ``x`` of shape ``(N, 4, length)``."""
        require_sequences(x, length=self.config.length)
        h = self.drop1(self.pool(torch.relu(self.conv1(x))))   # (N, 4, 1000) -> (N, 320, 993) -> (N, 320, 248)
        h = self.drop2(self.pool(torch.relu(self.conv2(h))))   # (N, 320, 248) -> (N, 480, 241) -> (N, 480, 60)
        h = self.drop3(torch.relu(self.conv3(h)))              # (N, 480, 60) -> (N, 960, 53)
        h = torch.relu(self.fc(h.flatten(1)))                  # (N, 960, 53) -> (N, 50880) -> (N, 925)
        return self.out(h)                                     # (N, 925) -> (N, 919)
