"""Experiments behind the Transformer page (docs/transformer.md, section 4.4).

* ``read_attention``: where the trained hybrid's promoter bin looks, on
  positives *and* negatives, and how often its top-attended bin is the
  enhancer (run on the Transformers that ``long_range`` trains, so the
  models are trained once; the result is ``DistanceResult.attention``);
* ``attention_costs``: FLOPs of one attention, one convolution and one LSTM
  layer of the same width against sequence length, counted with
  ``torch.utils.flop_counter``, and the bytes of the attention matrix
  (counts, so two builds give the same figure);
* ``positional_encoding``: the sinusoidal position vectors and how similar
  two positions' vectors are as a function of their distance;
* ``qkv_schematic``: the shapes inside the hybrid's attention layer, from
  input embeddings through queries, keys and values to the weighted sum,
  for the query/key/value schematic;
* ``enformer``: Enformer's published sizes and their arithmetic, so the page
  quotes computed numbers (``lensbook.models.enformer``).

``bench_attention_costs`` times the same three layers on the CPU; it is for
``make bench`` only (a site built twice must not differ because a timer did).
"""

from __future__ import annotations

import statistics
import time
import weakref
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils.flop_counter import FlopCounterMode

from .. import metrics
from .._validate import require
from ..models.attention import MultiHeadAttention, sinusoidal_encoding
from ..models.enformer import ENFORMER, EnformerConfig
from ..models.transformer import HybridConfig, HybridTransformer
from ..tasks.long_range import LongRangeTask, Sites
from .registry import experiment

# -- reading attention ---------------------------------------------------------------------

#: The fields of ``AttentionReading`` that hold one number per seed.
_PER_SEED = ("auroc", "enhancer_weight", "self_weight", "other_weight", "top1_enhancer", "top1_match_negative",
             "top1_self_negative", "peak_positive", "peak_negative", "sharp_negative", "probability_negative")


@dataclass(frozen=True)
class AttentionReading:
    """Where the promoter's bin attends in the trained hybrid, one entry per seed.

    The hybrid has several heads. For each seed, ``head`` is the one whose
    promoter row puts the most weight on the enhancer in a separate selection
    set (not the test set); every other statistic is that head's promoter row
    on the test set, a distribution over ``bins`` bins. ``head_enhancer_weight``
    keeps every head's mean weight on the enhancer. "Best partial match" is
    the bin where the frozen stem's enhancer filter scores highest: on a
    positive that is nearly always the enhancer; on a negative, the closest
    thing to one.
    """

    seeds: tuple[int, ...]
    bins: int
    bin_size: int
    promoter_bin: int
    heads: int
    n_positive: int
    n_negative: int
    auroc: tuple[float, ...]
    head: tuple[int, ...]                    # the head read, per seed
    head_enhancer_weight: tuple[tuple[float, ...], ...]  # per seed, per head: mean weight on the enhancer
    enhancer_weight: tuple[float, ...]       # positives: mean weight on the enhancer's bin
    self_weight: tuple[float, ...]           # positives: mean weight on the promoter's own bin
    other_weight: tuple[float, ...]          # positives: mean weight on one of the other bins
    top1_enhancer: tuple[float, ...]         # positives: fraction whose top bin is the enhancer's
    top1_match_negative: tuple[float, ...]   # negatives: fraction whose top bin is the best partial match
    top1_self_negative: tuple[float, ...]    # negatives: fraction whose top bin is the promoter's own
    peak_positive: tuple[float, ...]         # positives: mean of the largest weight
    peak_negative: tuple[float, ...]         # negatives: mean of the largest weight
    sharp_negative: tuple[float, ...]        # negatives: fraction whose largest weight exceeds 1/2
    probability_negative: tuple[float, ...]  # negatives: the model's mean P(enhancer present)
    examples: tuple[tuple[float, ...], ...]  # first seed: attention rows of two positives, then two negatives
    example_marks: tuple[int, ...]           # the enhancer bin (positives) or best partial match (negatives)
    example_distances: tuple[int, ...]       # enhancer-promoter distance in bp (-1 for negatives)
    example_probabilities: tuple[float, ...]  # the model's P(enhancer present)

    @property
    def uniform(self) -> float:
        """The weight every bin would get from uniform attention, 1 / bins."""
        return 1.0 / self.bins

    def mean(self, name: str) -> float:
        """The mean over seeds of a per-seed field: ``a.mean("enhancer_weight")``."""
        require(name in _PER_SEED, "name", name, f"one of the per-seed fields {_PER_SEED}")
        return float(np.mean(getattr(self, name)))

    @property
    def mean_rest_weight(self) -> float:
        """Positives: total weight on all bins but the enhancer's and the promoter's, mean over seeds."""
        return 1.0 - self.mean("enhancer_weight") - self.mean("self_weight")

    @property
    def enhancer_heads(self) -> int:
        """Heads, over all seeds, that put more than half their weight on the enhancer on average."""
        return int(sum(w > 0.5 for per_seed in self.head_enhancer_weight for w in per_seed))


def _promoter_rows(model: HybridTransformer, sites: Sites) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The promoter bin's attention rows ``(N, heads, B)``, the logits ``(N,)`` and the stem's enhancer evidence ``(N, B)``."""
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            out = model(sites.x)
            evidence = model.stem(sites.x)[:, 0]                        # (N, B): enhancer filter per bin
    finally:
        model.train(was_training)
    return out.attention[:, :, model.config.readout_bin], out.logit, evidence  # (N, heads, B, B) -> (N, heads, B)


def _enhancer_weight_per_head(rows: torch.Tensor, sites: Sites, bin_size: int) -> torch.Tensor:
    positive = sites.y == 1
    enhancer_bin = sites.enhancer_start[positive] // bin_size                   # (P,)
    index = enhancer_bin[:, None, None].expand(-1, rows.shape[1], 1)           # (P, heads, 1)
    return rows[positive].gather(2, index)[:, :, 0].mean(dim=0)                 # (P, heads) -> (heads,)


def read_attention(model: nn.Module, sites: Sites, selection: Sites | None = None) -> dict[str, object]:
    """Statistics of the promoter bin's attention over ``sites`` (see ``AttentionReading``).

    Parameters
    ----------
    model : HybridTransformer
        A trained hybrid.
    sites : Sites
        The test set (``LongRangeTask.sample_sites``, positives and negatives).
    selection : Sites, optional
        Where the head to read is chosen: the one with the most weight on the
        enhancer. Default is ``sites`` itself.
    """
    require(isinstance(model, HybridTransformer), "model", type(model).__name__, "a HybridTransformer")
    positive = sites.y == 1
    require(bool(positive.any()) and bool((~positive).any()), "sites", sites.y.shape,
            "a test set with positives and negatives")
    p, bin_size = model.config.readout_bin, model.config.bin_size
    rows, logit, evidence = _promoter_rows(model, sites)
    per_head = _enhancer_weight_per_head(rows, sites, bin_size)
    if selection is not None:
        chosen = int(_enhancer_weight_per_head(_promoter_rows(model, selection)[0], selection, bin_size).argmax())
    else:
        chosen = int(per_head.argmax())
    row = rows[:, chosen]                                                       # (N, B)
    enhancer_bin = sites.enhancer_start[positive] // bin_size
    pos_rows, neg_rows = row[positive], row[~positive]
    on_enhancer = pos_rows.gather(1, enhancer_bin[:, None])[:, 0]
    on_self = pos_rows[:, p]
    best_match = evidence.argmax(dim=1)                                          # (N,)
    bins = row.shape[1]
    probability = torch.sigmoid(logit)
    picks = torch.cat([torch.nonzero(positive).flatten()[:2], torch.nonzero(~positive).flatten()[:2]])
    return dict(
        auroc=metrics.auroc(logit, sites.y),
        head=chosen,
        head_enhancer_weight=tuple(float(w) for w in per_head),
        enhancer_weight=float(on_enhancer.mean()),
        self_weight=float(on_self.mean()),
        other_weight=float(((1 - on_enhancer - on_self) / (bins - 2)).mean()),
        top1_enhancer=float((pos_rows.argmax(dim=1) == enhancer_bin).float().mean()),
        top1_match_negative=float((neg_rows.argmax(dim=1) == best_match[~positive]).float().mean()),
        top1_self_negative=float((neg_rows.argmax(dim=1) == p).float().mean()),
        peak_positive=float(pos_rows.max(dim=1).values.mean()),
        peak_negative=float(neg_rows.max(dim=1).values.mean()),
        sharp_negative=float((neg_rows.max(dim=1).values > 0.5).float().mean()),
        probability_negative=float(probability[~positive].mean()),
        examples=tuple(tuple(float(v) for v in row[i]) for i in picks),
        example_marks=tuple(int(sites.enhancer_start[i]) // bin_size if sites.y[i] == 1 else int(best_match[i])
                            for i in picks),
        example_distances=tuple(int(sites.distance[i]) for i in picks),
        example_probabilities=tuple(float(probability[i]) for i in picks),
        n_positive=int(positive.sum()), n_negative=int((~positive).sum()),
        bins=bins, bin_size=bin_size, promoter_bin=p, heads=rows.shape[1],
    )


def summarise_readings(seeds: tuple[int, ...], readings: list[dict[str, object]]) -> AttentionReading:
    """One ``AttentionReading`` from ``read_attention``'s output for each seed (examples from the first)."""
    require(len(seeds) == len(readings) >= 1, "readings", len(readings), f"one reading per seed ({len(seeds)})")
    first = readings[0]
    varying = ("head", "head_enhancer_weight") + _PER_SEED
    fixed = ("bins", "bin_size", "promoter_bin", "heads", "n_positive", "n_negative", "examples",
             "example_marks", "example_distances", "example_probabilities")
    return AttentionReading(seeds=tuple(seeds), **{k: tuple(r[k] for r in readings) for k in varying},
                            **{k: first[k] for k in fixed})


# -- what attention costs -------------------------------------------------------------------

#: Sequence lengths of the cost figure and the benchmark.
COST_LENGTHS = (256, 512, 1024, 2048, 4096, 8192)


def cost_layers(width: int = 64, heads: int = 4, kernel: int = 9,
                device: str | torch.device = "cpu") -> dict[str, nn.Module]:
    """One attention, one convolution and one LSTM layer of the same width."""
    with torch.device(device):
        return {
            "attention": MultiHeadAttention(width, heads),
            "convolution": nn.Conv1d(width, width, kernel, padding=kernel // 2),
            "LSTM": nn.LSTM(width, width, batch_first=True),
        }


def count_flops(layer: nn.Module, length: int, width: int) -> int:
    """FLOPs of one forward pass over one sequence of ``length``, by ``torch.utils.flop_counter``.

    Attention and convolution run on the ``meta`` device (shapes only, no
    arithmetic), so even L = 8,192 costs nothing to count. PyTorch's fused
    LSTM kernel has no FLOP formula, so for the LSTM one step of an
    ``nn.LSTMCell`` with the same weights' shapes is counted and multiplied by
    the ``length`` steps the layer takes (``tests`` check this equals the
    count of an unfused LSTM).
    """
    counter = FlopCounterMode(display=False)
    if isinstance(layer, nn.LSTM):
        cell = nn.LSTMCell(layer.input_size, layer.hidden_size, device="meta")
        x = torch.zeros(1, layer.input_size, device="meta")
        state = (torch.zeros(1, layer.hidden_size, device="meta"),) * 2
        with counter:
            cell(x, state)
        return counter.get_total_flops() * length
    layer = layer.to("meta")
    with counter:
        if isinstance(layer, nn.Conv1d):
            layer(torch.zeros(1, width, length, device="meta"))
        else:
            layer(torch.zeros(1, length, width, device="meta"))
    return counter.get_total_flops()


@dataclass(frozen=True)
class CostResult:
    """FLOPs per forward pass (one sequence) and the attention matrix's size, against L."""

    lengths: tuple[int, ...]
    width: int
    heads: int
    kernel: int
    flops: dict[str, tuple[int, ...]]
    attention_matrix_bytes: tuple[int, ...]

    def slope(self, layer: str) -> float:
        """Slope of log FLOPs against log L over the last two lengths (2 means L², 1 means L)."""
        f, L = self.flops[layer], self.lengths
        return float(np.log(f[-1] / f[-2]) / np.log(L[-1] / L[-2]))

    def flops_ratio(self, layer: str, other: str) -> tuple[float, ...]:
        """Per length, the FLOPs of ``layer`` divided by those of ``other``."""
        return tuple(a / b for a, b in zip(self.flops[layer], self.flops[other]))


def attention_costs_for(lengths: tuple[int, ...] = COST_LENGTHS, width: int = 64, heads: int = 4,
                        kernel: int = 9) -> CostResult:
    """Count FLOPs and attention-matrix bytes for each length (no timing, no arithmetic)."""
    require(len(lengths) >= 2 and all(isinstance(n, int) and n >= 1 for n in lengths), "lengths", lengths,
            "at least two positive ints")
    layers = cost_layers(width, heads, kernel, device="meta")
    flops = {name: tuple(count_flops(layer, n, width) for n in lengths) for name, layer in layers.items()}
    attention = layers["attention"]
    sizes = []
    for n in lengths:
        weights = attention(torch.zeros(1, n, width, device="meta")).weights   # (1, heads, L, L), on meta
        sizes.append(weights.numel() * weights.element_size())
    return CostResult(tuple(lengths), width, heads, kernel, flops, tuple(sizes))


@experiment("attention_costs")
def attention_costs() -> CostResult:
    """The build's run: width 64, 4 heads, kernel 9, L from 256 to 8,192."""
    return attention_costs_for()


class _PeakTensorBytes(TorchDispatchMode):
    """Track the bytes of tensors created inside the mode and still alive; keep the peak."""

    def __init__(self) -> None:
        super().__init__()
        self.live = 0
        self.peak = 0
        self._seen: set[int] = set()

    def _release(self, key: int, size: int) -> None:
        self.live -= size
        self._seen.discard(key)

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        for t in out if isinstance(out, (tuple, list)) else (out,):
            if isinstance(t, torch.Tensor):
                storage = t.untyped_storage()
                key = storage.data_ptr()
                if key and key not in self._seen:
                    self._seen.add(key)
                    size = storage.nbytes()
                    self.live += size
                    self.peak = max(self.peak, self.live)
                    weakref.finalize(t, self._release, key, size)  # approximately: when its first tensor dies
        return out


def bench_attention_costs(lengths: tuple[int, ...] = COST_LENGTHS, width: int = 64, heads: int = 4,
                          kernel: int = 9, repeats: int = 3) -> list[dict[str, object]]:
    """Wall-clock seconds and peak tensor memory of the three layers on this CPU, against L.

    For ``make bench`` only: timings vary from run to run and machine to
    machine, so they never reach the site. Each time is the median of
    ``repeats`` forward passes (after one warm-up) over one sequence, without
    gradients; ``peak_MiB`` is the largest total size of the tensors the
    forward pass had alive at once (inputs and weights excluded).

    Returns
    -------
    list of dict
        One row per layer and length: ``layer``, ``L``, ``ms``, ``peak_MiB``,
        and ``GFLOPs`` (the count the site plots, for reference).
    """
    layers = cost_layers(width, heads, kernel)
    counted = attention_costs_for(tuple(lengths), width, heads, kernel).flops
    rows: list[dict[str, object]] = []
    with torch.no_grad():
        for i, n in enumerate(lengths):
            x = torch.randn(1, n, width, generator=torch.Generator().manual_seed(0))
            for name, layer in layers.items():
                inputs = x.transpose(1, 2).contiguous() if name == "convolution" else x
                layer(inputs)                                 # warm-up
                times = []
                for _ in range(repeats):
                    start = time.perf_counter()
                    layer(inputs)
                    times.append(time.perf_counter() - start)
                tracker = _PeakTensorBytes()
                with tracker:
                    layer(inputs)
                rows.append({"layer": name, "L": n, "ms": round(1000 * statistics.median(times), 2),
                             "peak_MiB": round(tracker.peak / 2**20, 4),
                             "GFLOPs": round(counted[name][i] / 1e9, 3)})
    return rows


# -- positions ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PositionalEncodingResult:
    """The sinusoidal table and the similarity of position vectors with distance."""

    table: np.ndarray            # (positions, d_model)
    d_model: int
    anchors: tuple[int, ...]     # positions whose similarity to every other position is kept
    similarity: np.ndarray       # (len(anchors), positions): cosine similarity

    @property
    def positions(self) -> int:
        return self.table.shape[0]

    @property
    def neighbour_similarity(self) -> float:
        """Cosine similarity of the first anchor with the next position."""
        return float(self.similarity[0, self.anchors[0] + 1])

    @property
    def far_similarity(self) -> float:
        """Lowest cosine similarity of the first anchor with any position."""
        return float(self.similarity[0].min())


@experiment("positional_encoding")
def positional_encoding(positions: int = 128, d_model: int = 64,
                        anchors: tuple[int, ...] = (32, 96)) -> PositionalEncodingResult:
    """Sinusoidal positions (Vaswani et al. 2017) for ``positions`` x ``d_model``, and their similarities."""
    table = sinusoidal_encoding(positions, d_model)
    unit = table / table.norm(dim=1, keepdim=True)
    similarity = unit[list(anchors)] @ unit.T                                # (A, d) @ (d, P) -> (A, P)
    return PositionalEncodingResult(table.numpy(), d_model, tuple(anchors), similarity.numpy())


# -- queries, keys and values ----------------------------------------------------------------


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
    d_head: int
    shapes: dict[str, tuple[int, ...]]
    matches_model: bool


def qkv_shapes(model: HybridTransformer, x: torch.Tensor) -> QKVShapes:
    """Run one one-hot sequence ``x`` of shape ``(1, 4, L)`` through ``model`` step by step and keep the shapes."""
    require(isinstance(model, HybridTransformer), "model", type(model).__name__, "a HybridTransformer")
    require(isinstance(x, torch.Tensor) and x.dim() == 3 and x.shape[:2] == (1, 4), "x", getattr(x, "shape", x),
            "one one-hot sequence of shape (1, 4, L)")
    attention = model.attention
    heads, d_head = attention.heads, attention.d_head
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
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
    finally:
        model.train(was_training)

    def weight(layer: nn.Linear) -> tuple[int, int]:
        return tuple(reversed(layer.weight.shape))                         # nn.Linear stores (out, in)

    shapes = {"stem": tuple(bins.shape), "W_embed": weight(model.embed), "x": tuple(h.shape),
              "W_Q": weight(attention.query), "W_K": weight(attention.key), "W_V": weight(attention.value),
              "Q": tuple(q.shape), "K": tuple(k.shape), "V": tuple(v.shape),
              "Q_head": tuple(split[0].shape[1:]),
              "K_head": tuple(split[1].shape[1:]), "V_head": tuple(split[2].shape[1:]), "scores": tuple(scores.shape), "alpha": tuple(alpha.shape),
              "Z_head": tuple(z.shape[1:]), "Z": tuple(merged.shape), "W_O": weight(attention.out),
              "output": tuple(out.shape)}
    return QKVShapes(model.config, d_head, {k: tuple(int(n) for n in v) for k, v in shapes.items()},
                     bool(torch.allclose(alpha, reference, atol=1e-6)))


@experiment("qkv_schematic")
def qkv_schematic(seed: int = 0) -> QKVShapes:
    """The shapes of the page's Transformer head, built as ``long_range`` builds it (untrained: shapes only)."""
    from .long_range import build_head, pretrain_stem   # here, not at the top: long_range imports this module

    task = LongRangeTask()
    stem = pretrain_stem(task, steps=1, seed=seed)
    model = build_head("Transformer", stem, task.promoter_start // stem.bin_size, seed)
    x, _ = task.sample(1, torch.Generator().manual_seed(seed))
    return qkv_shapes(model, x)


# -- Enformer ---------------------------------------------------------------------------------


@experiment("enformer")
def enformer() -> EnformerConfig:
    """Enformer's published configuration; its properties are the page's arithmetic."""
    return ENFORMER
