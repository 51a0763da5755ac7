"""The ``qkv_schematic`` experiment of docs/transformer.md (section 4.4): the shapes inside attention.

The shapes inside the attention layer of the page's Transformer, from the
input embeddings through queries, keys and values to the weighted sum, read
by running one sequence through the model step by step, for the
query/key/value schematic.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from .._validate import require, require_sequences
from ..models.promoter_readout import HybridConfig, HybridTransformer
from ..tasks.long_range import LongRangeTask
from ..train import evaluating
from .long_range_training import build_head, pretrain_stem
from .registry import experiment


@dataclass(frozen=True)
class QKVShapes:
    """The shapes inside the attention layer of the page's hybrid, for one sequence.

    Read from a ``HybridTransformer`` built exactly as ``long_range`` builds
    its Transformer head, by running one sequence through its modules step by
    step (``shapes``, in the order the schematic draws them). A weight matrix
    is given as it multiplies a row vector, ``(in, out)``.
    ``matches_model`` says the step-by-step attention weights equal the ones
    the model's own ``forward`` returns.
    """

    config: HybridConfig
    shapes: dict[str, tuple[int, ...]]
    matches_model: bool

    @property
    def d_head(self) -> int:
        """The width of one head's queries, keys and values, ``d_model / heads``."""
        return self.config.d_model // self.config.heads


def qkv_shapes(model: HybridTransformer, x: torch.Tensor) -> QKVShapes:
    """Run one one-hot sequence ``x`` of shape ``(1, 4, L)`` through ``model`` step by step and keep the shapes."""
    require(isinstance(model, HybridTransformer), "model", type(model).__name__, "a HybridTransformer")
    require_sequences(x)
    require(x.shape[0] == 1, "x", tuple(x.shape), "one one-hot sequence of shape (1, 4, L)")
    attention = model.attention
    heads, d_head = attention.heads, attention.d_head
    with evaluating(model), torch.no_grad():
        bins = model.stem(x)[0].T                                      # (C, B) -> (B, C)
        h = model.position(model.embed(bins)[None])[0]                 # (B, d)
        q, k, v = attention.query(h), attention.key(h), attention.value(h)   # (B, d) each
        split = [t.view(-1, heads, d_head).transpose(0, 1) for t in (q, k, v)]  # (B, d) -> (heads, B, d_h)
        scores = split[0] @ split[1].transpose(1, 2) / d_head ** 0.5    # (heads, B, d_h) @ (heads, d_h, B) -> (heads, B, B)
        alpha = torch.softmax(scores, dim=-1)                          # (heads, B, B), rows sum to 1
        z = alpha @ split[2]                                           # (heads, B, B) @ (heads, B, d_h) -> (heads, B, d_h)
        merged = z.transpose(0, 1).reshape(-1, attention.d_model)      # (heads, B, d_h) -> (B, d)
        out = attention.out(merged)                                    # (B, d)
        reference = model(x).attention[0]                              # (heads, B, B)

    def weight(layer: nn.Linear) -> tuple[int, int]:
        return tuple(reversed(layer.weight.shape))                         # nn.Linear stores (out, in)

    shapes = {"stem": tuple(bins.shape), "W_embed": weight(model.embed), "x": tuple(h.shape),
              "W_Q": weight(attention.query), "W_K": weight(attention.key), "W_V": weight(attention.value),
              "Q": tuple(q.shape), "K": tuple(k.shape), "V": tuple(v.shape),
              "Q_head": tuple(split[0].shape[1:]), "K_head": tuple(split[1].shape[1:]),
              "V_head": tuple(split[2].shape[1:]), "scores": tuple(scores.shape), "alpha": tuple(alpha.shape),
              "Z_head": tuple(z.shape[1:]), "Z": tuple(merged.shape), "W_O": weight(attention.out),
              "output": tuple(out.shape)}
    return QKVShapes(config=model.config, shapes={k: tuple(int(n) for n in v) for k, v in shapes.items()},
                     matches_model=bool(torch.allclose(alpha, reference, atol=1e-6)))


@experiment("qkv_schematic")
def qkv_schematic(seed: int = 0) -> QKVShapes:
    """The shapes of the page's Transformer head, built as ``long_range`` builds it (untrained: shapes only)."""
    task = LongRangeTask()
    stem = pretrain_stem(task, steps=1, seed=seed)
    model = build_head("Transformer", stem, task.promoter_start // stem.bin_size, seed)
    x, _ = task.sample(1, torch.Generator().manual_seed(seed))
    return qkv_shapes(model, x)
