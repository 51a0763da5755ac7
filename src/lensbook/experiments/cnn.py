"""The ``motif_cnn`` experiment of docs/cnn.md (section 4.1, "Multiple filters", "Why it matters").

A small CNN learns planted JASPAR motifs; next to the oracle's, its AUROCs;
its filters read back as PFMs and matched to JASPAR with Tomtom; its feature
maps along an example; and in-silico mutagenesis of one sequence.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F

from .. import dna, metrics, motifs
from ..models.cnn import MotifCNN
from ..tasks.motif import PlantedMotifs
from ..train import seeded, train
from .motif_matches import MIN_INFORMATION, P_THRESHOLD, FilterMatch, Recovery, read_filters, recover
from .registry import experiment


@dataclass(frozen=True)
class MotifCNNResult:
    """A small motif CNN trained on planted JASPAR motifs, next to the oracle.

    AUROCs are one-vs-rest per motif on ``n_test`` fresh sequences: the CNN's
    ``log P(motif | x)`` and the exact Bayes posterior of the same class.
    ``example_maps`` are the feature maps ``(n_filters, L - width + 1)`` along
    ``example``, a random sequence with each motif's consensus written at
    ``example_sites`` (name, 0-based start, strand). ``ism_cnn`` and
    ``ism_oracle`` ``(4, L)`` hold the change in ``log P(class | x)`` when the
    base at each position of ``ism_sequence`` becomes A, C, G or T (0 for the
    base already there); ``ism_start`` and ``ism_width`` locate its planted site.

    The trained model, as the in-browser motif scanner reads it (docs/cnn.md):
    ``conv_weight`` ``(n_filters, 4, width)``, ``conv_bias`` ``(n_filters,)``,
    ``head_weight`` ``(n_classes, n_filters)`` and ``head_bias``, float32.
    ``pooled_quantiles`` ``(n_classes, n_filters, 3)``: the 5th, 50th and 95th
    percentiles of each filter's strongest-window score (its global max pool)
    on the ``n_test`` test sequences of each class (0: background only, k:
    motif k planted).
    """

    motif_ids: tuple[str, ...]
    motif_names: tuple[str, ...]
    length: int
    steps: int
    anneal_steps: int
    batch: int
    lr: float
    anneal_lr: float
    n_test: int
    seed: int
    cnn_auroc: tuple[float, ...]
    oracle_auroc: tuple[float, ...]
    n_targets: int
    filters: tuple[FilterMatch, ...]
    recoveries: tuple[Recovery, ...]
    example: str
    example_sites: tuple[tuple[str, int, int], ...]
    example_maps: np.ndarray
    ism_sequence: str
    ism_class: int
    ism_start: int
    ism_width: int
    ism_cnn: np.ndarray
    ism_oracle: np.ndarray
    conv_weight: np.ndarray = field(repr=False)
    conv_bias: np.ndarray = field(repr=False)
    head_weight: np.ndarray = field(repr=False)
    head_bias: np.ndarray = field(repr=False)
    pooled_quantiles: np.ndarray = field(repr=False)

    @property
    def n_filters(self) -> int:
        return self.conv_weight.shape[0]

    @property
    def width(self) -> int:
        """The filters' width (bases)."""
        return self.conv_weight.shape[2]

    @property
    def p_threshold(self) -> float:
        """The matching rule's p-value threshold."""
        return P_THRESHOLD

    @property
    def min_information(self) -> float:
        """The information a filter needs to be searched (bits)."""
        return MIN_INFORMATION

    @property
    def ratios(self) -> tuple[float, ...]:
        """CNN AUROC over oracle AUROC, per motif."""
        return tuple(c / o for c, o in zip(self.cnn_auroc, self.oracle_auroc))

    @property
    def min_ratio(self) -> float:
        """The worst motif's CNN/oracle AUROC ratio."""
        return min(self.ratios)

    @property
    def n_recovered(self) -> int:
        """How many planted motifs the matching rule recovered with p < ``P_THRESHOLD``."""
        return sum(r.recovered for r in self.recoveries)

    @property
    def worst_p(self) -> float:
        """The largest p-value among the planted motifs' best filters."""
        return max(r.p_value for r in self.recoveries)

    @property
    def n_searched(self) -> int:
        """How many filters held enough information to be sent to Tomtom."""
        return sum(f.searched for f in self.filters)

    @property
    def ism_drop(self) -> float:
        """The CNN's largest drop in ``log P(class | x)`` from one base change (a positive number)."""
        return float(-self.ism_cnn.min())

    @property
    def ism_oracle_drop(self) -> float:
        """The oracle's largest drop in ``log P(class | x)`` from one base change (a positive number)."""
        return float(-self.ism_oracle.min())

    @property
    def ism_outside_drop(self) -> float:
        """The CNN's largest drop from a base change outside the planted site (a positive number)."""
        inside = np.zeros(self.ism_cnn.shape[1], dtype=bool)
        inside[self.ism_start:self.ism_start + self.ism_width] = True
        return float(-self.ism_cnn[:, ~inside].min())

    @property
    def n_seen(self) -> int:
        """Training sequences seen (fresh each step): ``(steps + anneal_steps) * batch``."""
        return (self.steps + self.anneal_steps) * self.batch

    @property
    def example_peaks(self) -> tuple[tuple[float, float], ...]:
        """Per filter, its largest value along ``example`` and the 1-based centre of that window."""
        return tuple((float(m.max()), float(int(m.argmax()) + 1 + (self.width - 1) / 2)) for m in self.example_maps)

    @property
    def example_hits(self) -> tuple[bool, ...]:
        """Per planted motif, whether its recovering filter peaks along ``example`` on a window that
        overlaps the consensus written there (False for a motif no filter recovers)."""
        hits = []
        for (_, start, _), r in zip(self.example_sites, self.recoveries):
            if r.filter < 0:
                hits.append(False)
                continue
            peak = int(self.example_maps[r.filter].argmax())
            hits.append(peak < start + len(r.consensus) and start < peak + self.width)
        return tuple(hits)


def _ism(score, x: torch.Tensor) -> np.ndarray:
    """Change of ``score(x)`` for every single-base substitution of one sequence ``(4, L)``."""
    length = x.shape[1]
    variants = x.repeat(4 * length, 1, 1)                     # (4L, 4, L): one copy per (position, base)
    positions = torch.arange(length).repeat_interleave(4)
    bases = torch.arange(4).repeat(length)
    variants[torch.arange(4 * length), :, positions] = 0.0
    variants[torch.arange(4 * length), bases, positions] = 1.0
    with torch.no_grad():
        delta = score(variants) - score(x[None])              # (4L,)
    return delta.reshape(length, 4).T.numpy().astype(np.float64)  # (L, 4) -> (4, L)


def _consensus_example(task: PlantedMotifs, generator: torch.Generator
                       ) -> tuple[torch.Tensor, tuple[tuple[str, int, int], ...]]:
    """A random sequence ``(1, 4, L)`` with each motif's consensus written, forward strand, in its own third."""
    codes = torch.randint(0, 4, (task.length,), generator=generator)
    sites = []
    spacing = task.length // len(task.motifs)
    for k, planted in enumerate(task.motifs):
        start = k * spacing + (spacing - planted.width) // 2
        codes[start:start + planted.width] = torch.tensor([dna.ALPHABET.index(b) for b in planted.consensus])
        sites.append((planted.name, start, 0))
    return F.one_hot(codes, 4).T[None].float(), tuple(sites)  # (L,) -> (L, 4) -> (1, 4, L)


@experiment("motif_cnn")
def motif_cnn(steps: int = 1000, lr: float = 0.01, anneal_steps: int = 500, anneal_lr: float = 0.002,
              batch: int = 64, n_filters: int = 8, width: int = 14, length: int = 200, n_test: int = 4000,
              seed: int = 0) -> MotifCNNResult:
    """Train :class:`~lensbook.models.cnn.MotifCNN` on planted JASPAR motifs; match its filters back.

    Each step draws a fresh batch from :class:`~lensbook.tasks.motif.PlantedMotifs`
    (GATA5, TBP, NFYA or background only, 200 bp). On a fresh test set the
    CNN's AUROC is compared with the oracle's; each filter becomes a PFM from
    the windows (either strand) where it fires above half its maximum
    (:func:`lensbook.motifs.filter_to_pfm`) and is searched with Tomtom against
    every JASPAR CORE vertebrate matrix.

    Parameters
    ----------
    steps, lr : optional
        Training steps and learning rate. Defaults are 1000 and 0.01.
    anneal_steps, anneal_lr : optional
        Further steps at a lower learning rate (a step decay). Defaults are 500 and 0.002.
    batch : int, optional
        Sequences per step, fresh each step. Default is 64.
    n_filters, width : int, optional
        The CNN's filters. Defaults are 8 filters of 14 bp: wider than the
        motifs (7-8 bp), so that a filter that starts off-centre can still
        hold the whole motif (with 10 bp, some seeds learned a motif cut at
        the filter's edge).
    length : int, optional
        Sequence length. Default is 200.
    n_test : int, optional
        Fresh test sequences. Default is 4000.
    seed : int, optional
        Seeds the model, the training batches and the test set. Default is 0.
    """
    task = PlantedMotifs(length=length)
    with seeded(seed):
        model = MotifCNN(n_filters, width, task.n_classes)

    def sample(generator: torch.Generator, step: int) -> tuple[torch.Tensor, torch.Tensor]:
        return task.sample(batch, generator)

    train(model, sample, F.cross_entropy, steps=steps, lr=lr, seed=seed)
    train(model, sample, F.cross_entropy, steps=anneal_steps, lr=anneal_lr, seed=30_000 + seed)
    model.eval()

    def log_p(x: torch.Tensor) -> torch.Tensor:
        return torch.log_softmax(model(x), dim=1)

    x, y, starts, _ = task.sample_with_sites(n_test, torch.Generator().manual_seed(10_000 + seed))
    with torch.no_grad():
        cnn, oracle = log_p(x), task.log_posteriors(x)
        pooled = model.scan(x).amax(dim=2)                # (N, F, L - w + 1) -> (N, F): the global max pool
    levels = torch.tensor([0.05, 0.5, 0.95])
    pooled_quantiles = torch.stack([torch.quantile(pooled[y == c], levels, dim=0).T  # (3, F) -> (F, 3)
                                    for c in range(task.n_classes)])               # (n_classes, F, 3)
    classes = range(1, task.n_classes)
    filters = read_filters(model, x)
    example, sites = _consensus_example(task, torch.Generator().manual_seed(20_000 + seed))
    with torch.no_grad():
        example_maps = model.scan(example)[0].numpy().astype(np.float64)   # (F, L - w + 1)

    # in-silico mutagenesis of the first GATA-class test sequence the CNN calls with P > 0.9
    k = 1
    confident = torch.nonzero((y == k) & (cnn[:, k].exp() > 0.9)).flatten()
    i = int(confident[0]) if len(confident) else int(torch.nonzero(y == k).flatten()[0])

    return MotifCNNResult(
        motif_ids=task.motif_ids, motif_names=tuple(m.name for m in task.motifs), length=length,
        steps=steps, anneal_steps=anneal_steps, batch=batch, lr=lr, anneal_lr=anneal_lr, n_test=n_test, seed=seed,
        cnn_auroc=tuple(metrics.auroc(cnn[:, c], y == c) for c in classes),
        oracle_auroc=tuple(metrics.auroc(oracle[:, c], y == c) for c in classes),
        n_targets=len(motifs.jaspar_core_vertebrates()), filters=tuple(filters),
        recoveries=tuple(recover(planted, filters) for planted in task.motifs),
        example=dna.decode(example[0]), example_sites=sites, example_maps=example_maps,
        ism_sequence=dna.decode(x[i]), ism_class=k, ism_start=int(starts[i]),
        ism_width=task.pfms[k - 1].shape[1],
        ism_cnn=_ism(lambda v: log_p(v)[:, k], x[i]),
        ism_oracle=_ism(lambda v: task.log_posteriors(v)[:, k], x[i]),
        conv_weight=model.conv.weight.detach().numpy().copy(), conv_bias=model.conv.bias.detach().numpy().copy(),
        head_weight=model.head.weight.detach().numpy().copy(), head_bias=model.head.bias.detach().numpy().copy(),
        pooled_quantiles=pooled_quantiles.numpy().astype(np.float64),
    )
