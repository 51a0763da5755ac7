"""Where the promoter's bin looks: the attention of the Transformers that ``long_range`` trains.

``read_attention`` reads one trained ``HybridTransformer`` on the test set,
positives *and* negatives: how much of the promoter bin's attention falls on
the enhancer, and how often its top-attended bin is the enhancer (or, on a
negative, the best partial match). ``summarise_readings`` gathers one reading
per seed into the ``AttentionReading`` that ``DistanceResult.attention``
holds, so the page's attention numbers come from the very models in the
distance figure (docs/transformer.md, section 4.4).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from .. import metrics
from .._validate import require
from ..models.promoter_readout import HybridTransformer
from ..tasks.long_range import Sites
from ..train import evaluating

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
    with evaluating(model), torch.no_grad():
        out = model(sites.x)
        evidence = model.stem(sites.x)[:, 0]                            # (N, B): enhancer filter per bin
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
