"""The CNN and LSTM heads that the Transformer is compared with (section 4.4).

All three models of docs/transformer.md's "Accuracy against distance" share
one ``MotifStem`` (bins of motif evidence) and read out at the promoter's bin;
they differ only in how information reaches that bin:

* ``CNNHead``: dilated convolutions over bins, so it sees only a window of
  ``receptive_field_bins`` bins around the promoter;
* ``LSTMHead``: a bidirectional LSTM over the bins, which carries information
  step by step from anywhere in the sequence;
* ``lensbook.models.transformer.HybridTransformer``: one attention layer,
  which reaches every bin in one step.
"""

from __future__ import annotations

import torch
from torch import nn

from .._validate import require
from .lstm import set_forget_bias
from .transformer import MotifStem


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
