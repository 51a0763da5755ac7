"""Long short-term memory, written from the manuscript's gate equations (section 4.3).

With ``[h(t-1), x(t)]`` the previous hidden state and the input stacked:

    f(t) = sigmoid(W_f [h(t-1), x(t)] + b_f)          forget gate
    i(t) = sigmoid(W_i [h(t-1), x(t)] + b_i)          input gate
    o(t) = sigmoid(W_o [h(t-1), x(t)] + b_o)          output gate
    C(t) = f(t) * C(t-1) + i(t) * tanh(W_c [h(t-1), x(t)] + b_c)
    h(t) = o(t) * tanh(C(t))                          (added: the manuscript omits it)

The last line is not in the manuscript; without it the output gate would
act on nothing. It is the standard LSTM (Hochreiter & Schmidhuber 1997,
doi:10.1162/neco.1997.9.8.1735, with the forget gate of Gers et al. 2000,
doi:10.1162/089976600300015015).

PyTorch stores the four blocks in one matrix in the order **i, f, g, o**
(``g`` is the candidate ``tanh(W_c ...)``), splits each into an input part
``weight_ih`` and a recurrent part ``weight_hh``, and has two bias vectors,
``bias_ih + bias_hh``. ``LSTM.load_torch`` maps them onto the equations above.

``LSTMCell``/``LSTM`` are slow Python loops for reading, for the check
against ``torch.nn.LSTM`` and for tracing the gates; ``LSTMReader`` and
``LSTMTagger``, which the experiments train, wrap ``torch.nn.LSTM``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import torch
from torch import nn

from .._validate import require, require_sequences
from .rnn import RecurrentReader

#: PyTorch's order of the four blocks in ``weight_ih``/``weight_hh``/biases.
TORCH_GATE_ORDER = ("i", "f", "g", "o")


class Gates(NamedTuple):
    """Gate values and states of a sequence, each ``(N, H, L)``."""

    forget: torch.Tensor
    input: torch.Tensor
    output: torch.Tensor
    candidate: torch.Tensor
    cell: torch.Tensor
    hidden: torch.Tensor


# -- the hand-written cell ------------------------------------------------------------


class LSTMCell(nn.Module):
    """One LSTM step (manuscript section 4.3, "The Math", plus h(t) = o(t) * tanh(C(t))).

    Each of ``W_f, W_i, W_o, W_c`` is ``(H, H + C)`` and acts on ``[h(t-1), x(t)]``.

    Parameters
    ----------
    channels : int
        ``C``, the size of ``x(t)``.
    hidden : int
        ``H``, the size of ``h(t)`` and ``C(t)``.
    """

    def __init__(self, channels: int, hidden: int) -> None:
        super().__init__()
        require(isinstance(channels, int) and channels >= 1, "channels", channels, "an int >= 1")
        require(isinstance(hidden, int) and hidden >= 1, "hidden", hidden, "an int >= 1")
        bound = 1.0 / math.sqrt(hidden)  # torch.nn.LSTM's default initialisation
        for gate in ("f", "i", "o", "c"):
            setattr(self, f"W_{gate}", nn.Parameter(torch.empty(hidden, hidden + channels).uniform_(-bound, bound)))
            setattr(self, f"b_{gate}", nn.Parameter(torch.empty(hidden).uniform_(-bound, bound)))

    def step(self, x_t: torch.Tensor, h_prev: torch.Tensor, c_prev: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """One step with every intermediate: ``(f, i, o, g, C, h)``, each ``(N, H)``."""
        hx = torch.cat([h_prev, x_t], dim=1)                       # (N, H), (N, C) -> (N, H + C)
        f = torch.sigmoid(hx @ self.W_f.T + self.b_f)              # (N, H + C) -> (N, H)
        i = torch.sigmoid(hx @ self.W_i.T + self.b_i)              # (N, H)
        o = torch.sigmoid(hx @ self.W_o.T + self.b_o)              # (N, H)
        g = torch.tanh(hx @ self.W_c.T + self.b_c)                 # (N, H): the candidate
        c = f * c_prev + i * g                                     # (N, H): the conveyor belt
        h = o * torch.tanh(c)                                      # (N, H): added to the manuscript
        return f, i, o, g, c, h

    def forward(self, x_t: torch.Tensor, state: tuple[torch.Tensor, torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
        """``x_t`` ``(N, C)`` and ``(h, C)`` ``(N, H)`` each -> the new ``(h, C)``."""
        *_, c, h = self.step(x_t, *state)
        return h, c


class LSTM(nn.Module):
    """The cell run along a sequence from empty memory, h(0) = C(0) = 0.

    Parameters
    ----------
    channels, hidden : int
        As for ``LSTMCell``.
    """

    def __init__(self, channels: int, hidden: int) -> None:
        super().__init__()
        self.channels, self.hidden = channels, hidden
        self.cell = LSTMCell(channels, hidden)

    def trace(self, x: torch.Tensor) -> Gates:
        """Every gate and state at every step: ``x`` ``(N, C, L)`` -> ``Gates`` of ``(N, H, L)``."""
        require_sequences(x, channels=self.channels)
        h = c = x.new_zeros(x.shape[0], self.hidden)              # (N, H)
        steps = []
        for t in range(x.shape[2]):
            f, i, o, g, c, h = self.cell.step(x[:, :, t], h, c)   # (N, C) -> six (N, H)
            steps.append((f, i, o, g, c, h))
        return Gates(*(torch.stack(s, dim=2) for s in zip(*steps)))  # L x (N, H) -> (N, H, L)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``x`` ``(N, C, L)`` -> every hidden state ``(N, H, L)``."""
        return self.trace(x).hidden

    @torch.no_grad()
    def load_torch(self, lstm: nn.LSTM) -> LSTM:
        """Copy the weights of a one-layer, one-direction ``torch.nn.LSTM``; returns ``self``.

        PyTorch's block ``k`` of ``weight_ih_l0``/``weight_hh_l0`` (order i, f,
        g, o) becomes ``W_k = [weight_hh block | weight_ih block]``, matching
        ``[h(t-1), x(t)]``, and ``b_k = bias_ih block + bias_hh block``.
        """
        require(isinstance(lstm, nn.LSTM) and lstm.num_layers == 1 and not lstm.bidirectional
                and lstm.bias and lstm.proj_size == 0, "lstm", lstm,
                "a one-layer, one-direction torch.nn.LSTM with biases")
        require(lstm.input_size == self.channels and lstm.hidden_size == self.hidden, "lstm", lstm,
                f"input_size={self.channels}, hidden_size={self.hidden}")
        w_ih = lstm.weight_ih_l0.chunk(4)                          # (4H, C) -> 4 x (H, C)
        w_hh = lstm.weight_hh_l0.chunk(4)                          # (4H, H) -> 4 x (H, H)
        bias = (lstm.bias_ih_l0 + lstm.bias_hh_l0).chunk(4)        # (4H,) -> 4 x (H,)
        names = {"i": "i", "f": "f", "g": "c", "o": "o"}
        for k, torch_name in enumerate(TORCH_GATE_ORDER):
            ours = names[torch_name]
            getattr(self.cell, f"W_{ours}").copy_(torch.cat([w_hh[k], w_ih[k]], dim=1))  # (H, H + C)
            getattr(self.cell, f"b_{ours}").copy_(bias[k])
        return self


def set_forget_bias(lstm: nn.LSTM, value: float) -> None:
    """Set the forget gate's total bias (``bias_ih + bias_hh``) of every layer and direction to ``value``.

    A forget bias of 1 or more is standard practice (Gers et al. 2000;
    Jozefowicz et al. 2015, "An empirical exploration of recurrent network
    architectures", ICML): the gate starts near open, so memory and gradients
    survive many steps from the first update.
    """
    hidden = lstm.hidden_size
    with torch.no_grad():
        for name, parameter in lstm.named_parameters():
            if name.startswith("bias_ih"):
                parameter[hidden:2 * hidden] = value                   # block 1 of (i, f, g, o)
            elif name.startswith("bias_hh"):
                parameter[hidden:2 * hidden] = 0.0


# -- the models the experiments train ------------------------------------------------


@dataclass(frozen=True)
class LSTMConfig:
    """Sizes of an ``LSTMReader`` or ``LSTMTagger``.

    Parameters
    ----------
    channels : int, optional
        ``C`` of the inputs. Default is 4 (one-hot DNA).
    hidden : int, optional
        ``H`` per direction. Default is 32.
    outputs : int, optional
        Size of the read-out (per position for a tagger). Default is 4.
    forget_bias : float, optional
        Initial total forget-gate bias (``set_forget_bias``). Default is 1.0.
    bidirectional : bool, optional
        Read the sequence both ways (``LSTMTagger`` only). Default is False.
    """

    channels: int = 4
    hidden: int = 32
    outputs: int = 4
    forget_bias: float = 1.0
    bidirectional: bool = False

    def __post_init__(self) -> None:
        for name in ("channels", "hidden", "outputs"):
            value = getattr(self, name)
            require(isinstance(value, int) and value >= 1, name, value, "an int >= 1")
        require(math.isfinite(self.forget_bias), "forget_bias", self.forget_bias, "a finite number")


class LSTMReader(RecurrentReader):
    """An LSTM that reads a whole sequence and answers from its last hidden state."""

    def __init__(self, config: LSTMConfig = LSTMConfig()) -> None:
        super().__init__()
        require(not config.bidirectional, "config.bidirectional", config.bidirectional,
                "False (a reader answers at the last step; use LSTMTagger for both directions)")
        self.config = config
        self.lstm = nn.LSTM(config.channels, config.hidden, batch_first=True)
        set_forget_bias(self.lstm, config.forget_bias)
        self.head = nn.Linear(config.hidden, config.outputs)

    @property
    def recurrent(self) -> nn.LSTM:
        return self.lstm


class LSTMTagger(nn.Module):
    """An LSTM that answers at every position, reading one way or both ways.

    Bidirectional: a second LSTM reads right to left and the two hidden states
    are concatenated at each position (Schuster & Paliwal 1997,
    doi:10.1109/78.650093; Graves & Schmidhuber 2005).
    """

    def __init__(self, config: LSTMConfig = LSTMConfig(outputs=1)) -> None:
        super().__init__()
        self.config = config
        self.lstm = nn.LSTM(config.channels, config.hidden, batch_first=True,
                            bidirectional=config.bidirectional)
        set_forget_bias(self.lstm, config.forget_bias)
        directions = 2 if config.bidirectional else 1
        self.head = nn.Linear(directions * config.hidden, config.outputs)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``x`` ``(N, C, L)`` -> ``(N, outputs, L)``, one answer per position."""
        require_sequences(x, channels=self.config.channels)
        out, _ = self.lstm(x.transpose(1, 2))                      # (N, C, L) -> (N, L, D * H)
        return self.head(out).transpose(1, 2)                      # (N, L, D * H) -> (N, L, O) -> (N, O, L)
