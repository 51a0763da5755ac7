"""A recurrent neural network, written straight from the manuscript's equations (section 4.2).

At each step ``t`` the hidden state is updated and read out:

    h(t) = tanh(W_x x(t) + W_h h(t-1) + b)
    output(t) = W_o h(t)

``RNNCell`` is that update, one step; ``RNN`` runs it along a sequence and
applies ``W_o``. Both are slow Python loops, kept for reading and for the
check against ``torch.nn.RNN`` (docs/rnn.md). ``RNNReader``, the model the
experiments train, wraps ``torch.nn.RNN`` (the same equation, in C++) and
reads the last hidden state; it shares that reading with
``lensbook.models.lstm.LSTMReader`` through ``RecurrentReader``.

PyTorch writes the update with two bias vectors, ``b_ih + b_hh``; their sum
is the manuscript's ``b`` (``RNN.load_torch`` copies them in that way).

Inputs are ``(N, C, L)``, channels first, the package's convention from
``lensbook.dna`` to the figures; the models transpose inside ``forward``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import torch
from torch import nn

from .._validate import require, require_sequences


# -- the hand-written cell ------------------------------------------------------------


class RNNCell(nn.Module):
    """One step of h(t) = tanh(W_x x(t) + W_h h(t-1) + b) (manuscript section 4.2, "The Math").

    Parameters
    ----------
    channels : int
        ``C``, the size of ``x(t)``.
    hidden : int
        ``H``, the size of ``h(t)``.
    """

    def __init__(self, channels: int, hidden: int) -> None:
        super().__init__()
        require(isinstance(channels, int) and channels >= 1, "channels", channels, "an int >= 1")
        require(isinstance(hidden, int) and hidden >= 1, "hidden", hidden, "an int >= 1")
        bound = 1.0 / math.sqrt(hidden)  # torch.nn.RNN's default initialisation
        self.W_x = nn.Parameter(torch.empty(hidden, channels).uniform_(-bound, bound))
        self.W_h = nn.Parameter(torch.empty(hidden, hidden).uniform_(-bound, bound))
        self.b = nn.Parameter(torch.empty(hidden).uniform_(-bound, bound))

    def forward(self, x_t: torch.Tensor, h_prev: torch.Tensor) -> torch.Tensor:
        """``x_t`` ``(N, C)`` and ``h_prev`` ``(N, H)`` -> ``h_t`` ``(N, H)``."""
        return torch.tanh(x_t @ self.W_x.T + h_prev @ self.W_h.T + self.b)  # (N, C), (N, H) -> (N, H)


class RNN(nn.Module):
    """The cell run along a sequence, with the read-out output(t) = W_o h(t).

    Parameters
    ----------
    channels, hidden : int
        As for ``RNNCell``.
    outputs : int
        Size of ``output(t)``.
    """

    def __init__(self, channels: int, hidden: int, outputs: int) -> None:
        super().__init__()
        require(isinstance(outputs, int) and outputs >= 1, "outputs", outputs, "an int >= 1")
        self.channels, self.hidden = channels, hidden
        self.cell = RNNCell(channels, hidden)
        self.W_o = nn.Linear(hidden, outputs, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``x`` ``(N, C, L)`` -> ``output`` ``(N, outputs, L)``: one output per step."""
        require_sequences(x, channels=self.channels)
        h = x.new_zeros(x.shape[0], self.hidden)                  # h(0): empty memory, (N, H)
        states = []
        for t in range(x.shape[2]):
            h = self.cell(x[:, :, t], h)                          # (N, C), (N, H) -> (N, H)
            states.append(h)
        hs = torch.stack(states, dim=2)                           # L x (N, H) -> (N, H, L)
        return self.W_o.weight @ hs                               # (N, H, L) -> (N, outputs, L)

    @torch.no_grad()
    def load_torch(self, rnn: nn.RNN, linear: nn.Linear) -> RNN:
        """Copy the weights of a one-layer ``torch.nn.RNN`` (tanh) and a bias-free ``nn.Linear``.

        ``b`` becomes ``bias_ih_l0 + bias_hh_l0``. Returns ``self``.
        """
        require(isinstance(rnn, nn.RNN) and rnn.num_layers == 1 and not rnn.bidirectional
                and rnn.nonlinearity == "tanh" and rnn.bias, "rnn", rnn,
                "a one-layer, one-direction torch.nn.RNN with tanh and biases")
        require(rnn.input_size == self.channels and rnn.hidden_size == self.hidden, "rnn", rnn,
                f"input_size={self.channels}, hidden_size={self.hidden}")
        require(isinstance(linear, nn.Linear) and linear.bias is None
                and tuple(linear.weight.shape) == tuple(self.W_o.weight.shape), "linear", linear,
                f"nn.Linear({self.hidden}, {self.W_o.out_features}, bias=False)")
        self.cell.W_x.copy_(rnn.weight_ih_l0)
        self.cell.W_h.copy_(rnn.weight_hh_l0)
        self.cell.b.copy_(rnn.bias_ih_l0 + rnn.bias_hh_l0)
        self.W_o.weight.copy_(linear.weight)
        return self


# -- the model the experiments train ------------------------------------------------


@dataclass(frozen=True)
class RNNConfig:
    """Sizes of an ``RNNReader``.

    Parameters
    ----------
    channels : int, optional
        ``C`` of the inputs. Default is 4 (one-hot DNA).
    hidden : int, optional
        ``H``. Default is 32.
    outputs : int, optional
        Size of the read-out. Default is 4 (e.g. four classes).
    init : {"orthogonal", "default"}, optional
        Recurrent weights ``W_h``: an orthogonal matrix (Saxe et al. 2014,
        arXiv:1312.6120), which keeps ``||W_h v|| = ||v||``, or PyTorch's default
        uniform(-1/sqrt(H), 1/sqrt(H)). Default is "orthogonal", the stronger
        choice for long memory.
    """

    channels: int = 4
    hidden: int = 32
    outputs: int = 4
    init: Literal["orthogonal", "default"] = "orthogonal"

    def __post_init__(self) -> None:
        for name in ("channels", "hidden", "outputs"):
            value = getattr(self, name)
            require(isinstance(value, int) and value >= 1, name, value, "an int >= 1")
        require(self.init in ("orthogonal", "default"), "init", self.init, "'orthogonal' or 'default'")


class RecurrentReader(nn.Module):
    """A recurrent layer reads a whole sequence; a linear ``head`` answers from its last hidden state.

    The reading shared by ``RNNReader`` and ``lensbook.models.lstm.LSTMReader``.
    A subclass builds ``config`` (with ``channels``), its one-direction
    ``batch_first`` recurrent layer and ``head``, and returns the layer from
    ``recurrent``.
    """

    @property
    def recurrent(self) -> nn.RNNBase:
        """The recurrent layer (``torch.nn.RNN`` or ``torch.nn.LSTM``)."""
        raise NotImplementedError

    def states(self, x: torch.Tensor) -> torch.Tensor:
        """Every hidden state: ``(N, C, L)`` -> ``(N, L, H)``."""
        require_sequences(x, channels=self.config.channels)
        out, _ = self.recurrent(x.transpose(1, 2))                # (N, C, L) -> (N, L, C) -> (N, L, H)
        return out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``x`` ``(N, C, L)`` -> ``(N, outputs)``, read from h(L)."""
        return self.head(self.states(x)[:, -1])                   # (N, L, H) -> (N, H) -> (N, outputs)


class RNNReader(RecurrentReader):
    """A tanh RNN that reads a whole sequence and answers from its last hidden state.

    ``torch.nn.RNN`` computes the manuscript's update (checked against ``RNN``
    in tests/test_models_rnn.py); ``head`` is ``W_o`` plus a bias.
    """

    def __init__(self, config: RNNConfig = RNNConfig()) -> None:
        super().__init__()
        self.config = config
        self.rnn = nn.RNN(config.channels, config.hidden, batch_first=True)
        if config.init == "orthogonal":
            nn.init.orthogonal_(self.rnn.weight_hh_l0)
        self.head = nn.Linear(config.hidden, config.outputs)

    @property
    def recurrent(self) -> nn.RNN:
        return self.rnn
