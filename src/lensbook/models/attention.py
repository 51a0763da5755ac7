"""Attention written from the manuscript's equations (section 4.4, "The Math").

score = Q Kᵀ / √d,   α = softmax(score),   z = α V

Three pieces, each checked against PyTorch in ``tests/test_attention.py``:

* ``scaled_dot_product_attention``: the three equations, equal to
  ``torch.nn.functional.scaled_dot_product_attention``;
* ``MultiHeadAttention``: several of them side by side, equal to
  ``torch.nn.MultiheadAttention`` once its weights are copied in (``from_torch``);
* ``sinusoidal_encoding`` / ``SinusoidalPositionalEncoding``: the positions
  that attention alone cannot see.

Reference: Vaswani et al. (2017), "Attention is all you need", arXiv:1706.03762.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import torch
from torch import nn

from .._validate import require


class Attention(NamedTuple):
    """What attention returns: the output ``z`` and the weights ``α`` that made it."""

    output: torch.Tensor   # (..., Lq, dv)
    weights: torch.Tensor  # (..., Lq, Lk); each row sums to 1


def _check_qkv(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> None:
    for name, t in (("q", q), ("k", k), ("v", v)):
        require(isinstance(t, torch.Tensor) and t.dim() >= 2, name, getattr(t, "shape", t),
                "a tensor of shape (..., L, d)")
    require(q.dim() == k.dim() == v.dim(), "k", (tuple(q.shape), tuple(k.shape), tuple(v.shape)),
            "q, k and v with the same number of dimensions")
    require(q.shape[:-2] == k.shape[:-2] == v.shape[:-2], "k", (tuple(q.shape), tuple(k.shape), tuple(v.shape)),
            "q, k and v with the same leading (batch, head) dimensions")
    require(q.shape[-1] == k.shape[-1], "k", tuple(k.shape),
            f"the same last dimension d as q {tuple(q.shape)} (a query is compared with every key)")
    require(k.shape[-2] == v.shape[-2], "v", tuple(v.shape),
            f"one value per key: length {k.shape[-2]} like k {tuple(k.shape)}")


def scaled_dot_product_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor,
                                 mask: torch.Tensor | None = None) -> Attention:
    """Scaled dot-product attention, straight from the equations.

    Parameters
    ----------
    q : torch.Tensor, shape (..., Lq, d)
        Queries: what each position is looking for.
    k : torch.Tensor, shape (..., Lk, d)
        Keys: what each position has to offer.
    v : torch.Tensor, shape (..., Lk, dv)
        Values: the information each position passes on.
    mask : torch.Tensor of bool, optional
        Broadcastable to ``(..., Lq, Lk)``; ``True`` where a query may attend
        (PyTorch's convention for a boolean ``attn_mask``). Default is None
        (every query sees every key).

    Returns
    -------
    Attention
        ``output`` of shape ``(..., Lq, dv)`` and ``weights`` of shape
        ``(..., Lq, Lk)``.

    Raises
    ------
    ValueError
        If the shapes of ``q``, ``k`` and ``v`` do not fit together.

    Notes
    -----
    Section 4.4 ("The Math") of the manuscript; Vaswani et al. (2017),
    arXiv:1706.03762, equation 1.
    """
    _check_qkv(q, k, v)
    d = q.shape[-1]
    score = q @ k.transpose(-2, -1) / math.sqrt(d)       # (..., Lq, d) @ (..., d, Lk) -> (..., Lq, Lk)
    if mask is not None:
        score = score.masked_fill(~mask, float("-inf"))
    alpha = torch.softmax(score, dim=-1)                 # (..., Lq, Lk), rows sum to 1
    z = alpha @ v                                        # (..., Lq, Lk) @ (..., Lk, dv) -> (..., Lq, dv)
    return Attention(z, alpha)


class MultiHeadAttention(nn.Module):
    """Several attention heads side by side, each in its own slice of the model width.

    ``forward`` takes batch-first tensors ``(N, L, d_model)``, like
    ``torch.nn.MultiheadAttention(..., batch_first=True)``, and returns an
    ``Attention`` whose weights keep one map per head, ``(N, heads, Lq, Lk)``.

    Parameters
    ----------
    d_model : int
        The model width; each head works in ``d_model // heads`` dimensions.
    heads : int
        Number of heads; must divide ``d_model``.
    bias : bool, optional
        Biases in the four projections. Default is True (PyTorch's default).

    Raises
    ------
    ValueError
        If ``d_model`` is not a positive multiple of ``heads``.

    Notes
    -----
    Section 4.4 ("Multi-Head Attention"); Vaswani et al. (2017), arXiv:1706.03762, §3.2.2.
    """

    def __init__(self, d_model: int, heads: int, bias: bool = True) -> None:
        super().__init__()
        require(isinstance(heads, int) and heads >= 1, "heads", heads, "an int >= 1")
        require(isinstance(d_model, int) and d_model >= 1 and d_model % heads == 0, "d_model", d_model,
                f"a positive multiple of heads={heads} (each head gets d_model // heads dimensions)")
        self.d_model, self.heads, self.d_head = d_model, heads, d_model // heads
        self.query = nn.Linear(d_model, d_model, bias=bias)
        self.key = nn.Linear(d_model, d_model, bias=bias)
        self.value = nn.Linear(d_model, d_model, bias=bias)
        self.out = nn.Linear(d_model, d_model, bias=bias)

    def _split(self, x: torch.Tensor) -> torch.Tensor:
        n, length, _ = x.shape
        return x.view(n, length, self.heads, self.d_head).transpose(1, 2)  # (N, L, d) -> (N, h, L, d/h)

    def forward(self, query: torch.Tensor, key: torch.Tensor | None = None,
                value: torch.Tensor | None = None) -> Attention:
        """Attend from ``query`` to ``key``/``value`` (self-attention when they are omitted)."""
        key = query if key is None else key
        value = key if value is None else value
        for name, t in (("query", query), ("key", key), ("value", value)):
            require(isinstance(t, torch.Tensor) and t.dim() == 3 and t.shape[-1] == self.d_model, name,
                    getattr(t, "shape", t), f"a tensor of shape (N, L, {self.d_model})")
        q = self._split(self.query(query))              # (N, Lq, d) -> (N, h, Lq, d/h)
        k = self._split(self.key(key))                  # (N, Lk, d) -> (N, h, Lk, d/h)
        v = self._split(self.value(value))              # (N, Lk, d) -> (N, h, Lk, d/h)
        z, alpha = scaled_dot_product_attention(q, k, v)  # (N, h, Lq, d/h), (N, h, Lq, Lk)
        n, _, length, _ = z.shape
        z = z.transpose(1, 2).reshape(n, length, self.d_model)  # (N, h, Lq, d/h) -> (N, Lq, d)
        return Attention(self.out(z), alpha)            # (N, Lq, d), (N, h, Lq, Lk)

    @classmethod
    def from_torch(cls, reference: nn.MultiheadAttention) -> MultiHeadAttention:
        """A copy of ``torch.nn.MultiheadAttention``'s weights in this module.

        PyTorch stores the three input projections stacked in ``in_proj_weight``
        (queries, then keys, then values); they are split here.
        """
        require(isinstance(reference, nn.MultiheadAttention) and reference._qkv_same_embed_dim,
                "reference", type(reference).__name__,
                "a torch.nn.MultiheadAttention with kdim = vdim = embed_dim")
        bias = reference.in_proj_bias is not None
        model = cls(reference.embed_dim, reference.num_heads, bias=bias)
        with torch.no_grad():
            for i, layer in enumerate((model.query, model.key, model.value)):
                rows = slice(i * model.d_model, (i + 1) * model.d_model)
                layer.weight.copy_(reference.in_proj_weight[rows])
                if bias:
                    layer.bias.copy_(reference.in_proj_bias[rows])
            model.out.weight.copy_(reference.out_proj.weight)
            if bias:
                model.out.bias.copy_(reference.out_proj.bias)
        return model.to(reference.in_proj_weight.device)


def sinusoidal_encoding(length: int, d_model: int, base: float = 10000.0) -> torch.Tensor:
    """The sinusoidal position vectors of Vaswani et al. (2017), one row per position.

    ``PE(pos, 2i) = sin(pos / base^(2i/d))`` and ``PE(pos, 2i+1) = cos(pos / base^(2i/d))``:
    low dimensions oscillate fast, high dimensions slowly, so every position
    gets its own pattern and nearby positions get similar ones.

    Parameters
    ----------
    length : int
        Number of positions, at least 1.
    d_model : int
        Width of each vector; even, at least 2.
    base : float, optional
        The wavelength scale. Default is 10000.0.

    Returns
    -------
    torch.Tensor, shape (length, d_model)
        Values in [-1, 1].
    """
    require(isinstance(length, int) and length >= 1, "length", length, "an int >= 1")
    require(isinstance(d_model, int) and d_model >= 2 and d_model % 2 == 0, "d_model", d_model,
            "an even int >= 2 (sines and cosines come in pairs)")
    position = torch.arange(length, dtype=torch.float64)[:, None]               # (L, 1)
    frequency = base ** (-torch.arange(0, d_model, 2, dtype=torch.float64) / d_model)  # (d/2,)
    angle = position * frequency                                                  # (L, 1) * (d/2,) -> (L, d/2)
    pe = torch.empty(length, d_model, dtype=torch.float64)
    pe[:, 0::2], pe[:, 1::2] = torch.sin(angle), torch.cos(angle)
    return pe.float()


class SinusoidalPositionalEncoding(nn.Module):
    """Add sinusoidal position vectors to ``(N, L, d_model)`` inputs, for ``L`` up to ``max_len``.

    Parameters
    ----------
    d_model : int
        Width of the inputs (even).
    max_len : int
        The longest sequence the table covers.

    Raises
    ------
    ValueError
        In ``forward``, for a sequence longer than ``max_len`` or of another width.
    """

    def __init__(self, d_model: int, max_len: int) -> None:
        super().__init__()
        require(isinstance(max_len, int) and max_len >= 1, "max_len", max_len, "an int >= 1")
        self.d_model, self.max_len = d_model, max_len
        self.register_buffer("table", sinusoidal_encoding(max_len, d_model), persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        require(isinstance(x, torch.Tensor) and x.dim() == 3 and x.shape[-1] == self.d_model, "x",
                getattr(x, "shape", x), f"a tensor of shape (N, L, {self.d_model})")
        require(x.shape[1] <= self.max_len, "x", tuple(x.shape),
                f"a sequence of at most max_len={self.max_len} positions (the encoding's table)")
        return x + self.table[: x.shape[1]]             # (N, L, d) + (L, d) -> (N, L, d)
