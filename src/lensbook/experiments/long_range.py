"""Accuracy against enhancer-promoter distance: the ``long_range`` experiment (docs/transformer.md, section 4.4).

The chapter's thesis in one experiment (docs/transformer.md, and reused by
docs/choosing.md). On ``lensbook.tasks.long_range.LongRangeTask`` three
models share one motif stem and all read out at the promoter's bin; they
differ only in how information reaches that bin:

* a CNN head whose receptive field covers a fixed window around the promoter;
* a bidirectional LSTM head that carries information bin by bin;
* one attention layer (``HybridTransformer``) that reaches every bin in one step.

The stem is pretrained once, then frozen, and each head is trained with the
same budget and several seeds (``long_range_training``); AUROC and accuracy
are measured per distance band next to the oracle's. The Transformers'
attention is read on the same test set (``long_range_attention``), so the
page's attention numbers come from the very models in the distance figure.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from .. import dna, metrics
from .._validate import require
from ..models import parameter_count
from ..models.promoter_readout import CNNHead, HybridConfig
from ..tasks.long_range import LongRangeTask, Sites
from .long_range_attention import AttentionReading, read_attention, summarise_readings
from .long_range_training import (
    BATCH, BIN_SIZE, FORGET_BIAS, LR, MODELS, STEPS, logits, make_test_set, pretrain_stem, steps_to_learn, train_head,
)
from .registry import experiment


def band_scores(scores: torch.Tensor, sites: Sites, edges: tuple[int, ...]) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """AUROC and balanced accuracy per distance band, each band's positives against all negatives.

    Balanced accuracy is (sensitivity on the band + specificity) / 2 at
    threshold 0 on the logit (log-odds).
    """
    negative = sites.y == 0
    specificity = float((scores[negative] <= 0).float().mean())
    aurocs, accuracies = [], []
    for lo, hi in zip(edges[:-1], edges[1:]):
        last = hi == edges[-1]
        band = (sites.distance >= lo) & ((sites.distance <= hi) if last else (sites.distance < hi))
        select = band | negative
        aurocs.append(metrics.auroc(scores[select], sites.y[select]))
        accuracies.append((float((scores[band] > 0).float().mean()) + specificity) / 2)
    return tuple(aurocs), tuple(accuracies)


#: The fields of ``DistanceResult`` indexed by model first.
_PER_MODEL = ("auroc", "accuracy", "overall_auroc", "overall_accuracy", "learned_at", "parameters")


@dataclass(frozen=True)
class DistanceResult:
    """AUROC and accuracy against enhancer-promoter distance for each head and seed.

    Arrays are nested tuples indexed ``[model][seed][band]`` (models in
    ``MODELS`` order). Band ``b`` holds distances ``band_edges[b]`` to
    ``band_edges[b + 1]`` bp (the last band includes its upper edge).
    """

    models: tuple[str, ...]
    seeds: tuple[int, ...]
    band_edges: tuple[int, ...]
    auroc: tuple[tuple[tuple[float, ...], ...], ...]
    accuracy: tuple[tuple[tuple[float, ...], ...], ...]
    overall_auroc: tuple[tuple[float, ...], ...]
    overall_accuracy: tuple[tuple[float, ...], ...]
    learned_at: tuple[tuple[int, ...], ...]
    parameters: tuple[int, ...]
    oracle_auroc: tuple[float, ...]
    oracle_accuracy: tuple[float, ...]
    oracle_overall_auroc: float
    oracle_overall_accuracy: float
    stem_auroc: float
    length: int
    promoter_start: int
    bin_size: int
    bins: int
    cnn_receptive_field_bins: int
    steps: int
    batch: int
    forget_bias: float
    n_test: int
    n_selection: int = 0
    attention: AttentionReading | None = None
    #: The first seed's trained Transformer, as the in-browser attention explorer reads it
    #: (docs/transformer.md): its config, its parameters (``state_dict`` as float32 arrays)
    #: and test sequences, the first two positives then the first negative of the test set.
    transformer_config: HybridConfig | None = None
    transformer_state: dict[str, np.ndarray] | None = field(default=None, repr=False)
    example_sequences: tuple[str, ...] = ()
    example_enhancer_starts: tuple[int, ...] = ()       # 0-based; -1 where there is no enhancer

    @property
    def band_centres(self) -> tuple[float, ...]:
        return tuple((a + b) / 2 for a, b in zip(self.band_edges[:-1], self.band_edges[1:]))

    @property
    def cnn_reach_bp(self) -> int:
        """How far upstream of the promoter the CNN still sees an enhancer's first bin, in bp.

        The CNN reads out at the promoter's bin and sees ``cnn_receptive_field_bins``
        bins centred there; the earliest bin it sees starts at
        ``(readout_bin - half) * bin_size``.
        """
        readout_bin, half = self.promoter_start // self.bin_size, self.cnn_receptive_field_bins // 2
        return self.promoter_start - (readout_bin - half) * self.bin_size

    def mean_auroc(self, model: str) -> tuple[float, ...]:
        """Per band, the mean AUROC over seeds of ``model``."""
        return tuple(float(v) for v in np.mean(self.auroc[self.models.index(model)], axis=0))

    def by_model(self, name: str) -> dict[str, object]:
        """``{model: value}`` of a field indexed by model: ``r.by_model("parameters")["CNN"]``."""
        require(name in _PER_MODEL, "name", name, f"one of the fields indexed by model {_PER_MODEL}")
        return dict(zip(self.models, getattr(self, name)))

    def seed_mean(self, name: str) -> dict[str, float]:
        """Per model, the mean over seeds of ``overall_auroc`` or ``overall_accuracy``."""
        require(name in ("overall_auroc", "overall_accuracy"), "name", name,
                "'overall_auroc' or 'overall_accuracy'")
        return {m: float(np.mean(v)) for m, v in zip(self.models, getattr(self, name))}

    @property
    def cnn_near_auroc(self) -> float:
        """Mean CNN AUROC over the bands entirely within its reach."""
        inside = [i for i, hi in enumerate(self.band_edges[1:]) if hi <= self.cnn_reach_bp]
        values = self.mean_auroc("CNN")
        return float(np.mean([values[i] for i in inside])) if inside else float("nan")

    @property
    def cnn_far_auroc(self) -> float:
        """Mean CNN AUROC over the bands entirely beyond its reach."""
        outside = [i for i, lo in enumerate(self.band_edges[:-1]) if lo > self.cnn_reach_bp]
        values = self.mean_auroc("CNN")
        return float(np.mean([values[i] for i in outside])) if outside else float("nan")

    @property
    def worst_band_auroc(self) -> dict[str, float]:
        """Per model, the lowest band AUROC of any seed."""
        return {m: float(np.min(self.auroc[i])) for i, m in enumerate(self.models)}

    def band_spread(self, model: str) -> float:
        """Largest minus smallest of ``model``'s per-band mean AUROC: how far from flat its curve is."""
        values = self.mean_auroc(model)
        return max(values) - min(values)


def accuracy_vs_distance(task: LongRangeTask | None = None, *, seeds: tuple[int, ...] = (0, 1, 2),
                         models: tuple[str, ...] = MODELS, steps: int = STEPS, batch: int = BATCH,
                         lr: float = LR, band: int = 100, bin_size: int = BIN_SIZE, stem_steps: int = 300,
                         n_test: int = 1000) -> DistanceResult:
    """Train every head with every seed and score it per distance band.

    Parameters
    ----------
    task : LongRangeTask, optional
        Default is ``LongRangeTask()`` (1,000 bp, promoter at 800, distances 50-750).
    seeds : tuple of int, optional
        One trained model per seed and head. Default is (0, 1, 2).
    models : tuple of str, optional
        A subset of ``MODELS``. Default is all three.
    steps, batch, lr : optional
        The training budget of every head. Defaults are ``STEPS``, ``BATCH``, ``LR``.
    band : int, optional
        Width of the distance bands in bp. Default is 100.
    bin_size : int, optional
        The stem's bin size in bp. Default is ``BIN_SIZE`` (40).
    stem_steps : int, optional
        Pretraining steps of the shared stem. Default is 300.
    n_test : int, optional
        Positives and negatives in the test set (each). Default is 1000.

    Returns
    -------
    DistanceResult
    """
    task = task or LongRangeTask()
    require(len(seeds) >= 1, "seeds", seeds, "at least one seed")
    require(set(models) <= set(MODELS) and len(models) >= 1, "models", models, f"a subset of {MODELS}")
    require(isinstance(band, int) and band >= 1, "band", band, "an int >= 1")
    edges = tuple(range(task.min_distance, task.max_distance, band)) + (task.max_distance,)
    stem = pretrain_stem(task, bin_size=bin_size, steps=stem_steps)
    sites = make_test_set(task, n_test, n_test)
    selection = make_test_set(task, 200, 200, seed=7)       # where each hybrid's attention head is chosen
    with torch.no_grad():
        stem_score = stem(sites.x)[:, 0].amax(dim=1)          # best enhancer bin of each sequence
    oracle = task.oracle(sites.x)
    oracle_auroc, oracle_accuracy = band_scores(oracle, sites, edges)
    auroc, accuracy, overall_auroc, overall_accuracy, learned, parameters = [], [], [], [], [], []
    readings = []
    explorer = (None, None)
    readout_bin = task.promoter_start // bin_size
    for kind in models:
        rows = ([], [], [], [], [])
        for seed in seeds:
            model, log = train_head(kind, stem, task, seed=seed, steps=steps, batch=batch, lr=lr)
            scores = logits(model, sites.x)
            if kind == "Transformer":
                readings.append(read_attention(model, sites, selection))
                if seed == seeds[0]:
                    explorer = (model.config, {k: v.detach().numpy().copy() for k, v in model.state_dict().items()})
            a, b = band_scores(scores, sites, edges)
            for row, value in zip(rows, (a, b, metrics.auroc(scores, sites.y),
                                         metrics.accuracy((scores > 0).float(), sites.y), steps_to_learn(log))):
                row.append(value)
        for out, row in zip((auroc, accuracy, overall_auroc, overall_accuracy, learned), rows):
            out.append(tuple(row))
        parameters.append(parameter_count(model, trainable_only=True))     # the frozen stem is not counted
    cnn = CNNHead(stem, readout_bin)
    examples = torch.cat([torch.nonzero(sites.y == 1).flatten()[:2], torch.nonzero(sites.y == 0).flatten()[:1]])
    return DistanceResult(
        models=tuple(models), seeds=tuple(seeds), band_edges=edges,
        auroc=tuple(auroc), accuracy=tuple(accuracy),
        overall_auroc=tuple(overall_auroc), overall_accuracy=tuple(overall_accuracy),
        learned_at=tuple(learned), parameters=tuple(parameters),
        oracle_auroc=oracle_auroc, oracle_accuracy=oracle_accuracy,
        oracle_overall_auroc=metrics.auroc(oracle, sites.y),
        oracle_overall_accuracy=metrics.accuracy((oracle > 0).float(), sites.y),
        stem_auroc=metrics.auroc(stem_score, sites.y),
        length=task.length, promoter_start=task.promoter_start, bin_size=bin_size,
        bins=stem.bins(task.length), cnn_receptive_field_bins=cnn.receptive_field_bins,
        steps=steps, batch=batch, forget_bias=FORGET_BIAS, n_test=n_test, n_selection=len(selection.y),
        attention=summarise_readings(tuple(seeds), readings) if readings else None,
        transformer_config=explorer[0], transformer_state=explorer[1],
        example_sequences=tuple(dna.decode(sites.x[i]) for i in examples),
        example_enhancer_starts=tuple(int(sites.enhancer_start[i]) for i in examples),
    )


@experiment("long_range")
def long_range() -> DistanceResult:
    """The build's run: three heads, three seeds, the default task and budget."""
    return accuracy_vs_distance()
