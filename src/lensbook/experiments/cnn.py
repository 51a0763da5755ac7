"""Experiments behind the CNN page (docs/cnn.md, section 4.1)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F

from .. import dna, metrics, motifs
from .._validate import require
from ..models.cnn import MotifCNN, reverse_complement
from ..models.deepsea import DeepSEA, DeepSEAConfig, parameter_counts
from ..models.spliceai import PRESETS, SpliceAIConfig
from ..tasks.motif import PlantedMotifs
from ..train import seeded, train
from .registry import experiment

#: The manuscript's example sequence and motif (section 4.1, "Example: GATA Motif Detection").
GATA_SEQUENCE = "ATCGATAAGCCG"
GATA_MOTIF = "GATAAG"


@dataclass(frozen=True)
class ScanResult:
    """A hand-set filter slid along one sequence.

    Positions are 0-based window starts; ``peak_first``/``peak_last`` are the
    1-based positions of the bases under the best window, the convention the
    manuscript uses when it numbers the sequence from 1.
    """

    sequence: str
    motif: str
    scores: tuple[float, ...]
    peak_start: int
    peak_score: float
    peak_first: int
    peak_last: int
    window: str


def scan_motif(sequence: str, motif: str, bias: float = 0.0) -> ScanResult:
    """Slide a hand-set filter for ``motif`` along ``sequence``.

    The filter's weight is the motif's own one-hot matrix, so each window's
    score ``ReLU(sum_j w(j) x(i+j) + b)`` counts the matching bases plus ``bias``
    (section 4.1, "The Math").

    Parameters
    ----------
    sequence : str
        The DNA to scan (``ACGTN``).
    motif : str
        The pattern the filter detects (``ACGT``), no longer than ``sequence``.
    bias : float, optional
        The filter's bias. Default is 0.0.

    Returns
    -------
    ScanResult
        The feature map and its peak.

    Raises
    ------
    ValueError
        If either string holds a character outside ``ACGTN`` (named with its
        position), or the sequence is shorter than the motif.

    Examples
    --------
    >>> r = scan_motif("ATCGATAAGCCG", "GATAAG")
    >>> r.peak_start, r.peak_first, r.peak_last, r.peak_score
    (3, 4, 9, 6.0)
    """
    dna.validate_sequence(sequence)
    dna.validate_sequence(motif, name="motif")
    require(len(sequence) >= len(motif), "sequence", sequence,
            f"at least as long as the motif ({len(motif)} bp)")
    x = dna.one_hot(sequence)[None]                                 # (1, 4, L)
    weight = dna.one_hot(motif)[None]                               # (1, 4, w): one filter
    scores = F.relu(F.conv1d(x, weight, torch.tensor([float(bias)])))  # (1, 1, L - w + 1)
    scores = scores[0, 0]
    peak = int(scores.argmax())
    return ScanResult(
        sequence=sequence,
        motif=motif,
        scores=tuple(float(s) for s in scores),
        peak_start=peak,
        peak_score=float(scores[peak]),
        peak_first=peak + 1,
        peak_last=peak + len(motif),
        window=sequence[peak:peak + len(motif)],
    )


@experiment("gata_scan")
def gata_scan() -> ScanResult:
    """The manuscript's GATA example: ``GATAAG`` scanned along ``ATCGATAAGCCG``."""
    return scan_motif(GATA_SEQUENCE, GATA_MOTIF)


# --- trained motif detectors (section 4.1, "Multiple filters", "Why it matters") -------------

#: A planted motif counts as recovered when some filter's rank-1 Tomtom match is
#: the same TF or a matrix of the same JASPAR TF family, with p below this.
P_THRESHOLD = 1e-4
#: Filters whose PFM holds less information than this (bits, summed over columns)
#: are not sent to Tomtom: a near-uniform query gets meaningless p-values.
MIN_INFORMATION = 2.0


@dataclass(frozen=True)
class FilterMatch:
    """One learned filter, read out as a PFM, and its rank-1 Tomtom match in JASPAR.

    ``strand`` is 1 where the match's reverse complement aligned; ``offset`` is
    where the filter's first column falls on the (turned) match, as Tomtom
    reports it. ``p_values`` holds the p-value against every target. ``match_*``
    are empty and ``p_value`` is 1.0 for a filter below ``MIN_INFORMATION``
    (not searched).
    """

    index: int
    pfm: np.ndarray
    n_sites: int
    information: float
    match_id: str
    match_name: str
    match_family: tuple[str, ...]
    match_pfm: np.ndarray
    p_value: float
    offset: int
    strand: int
    p_values: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)

    @property
    def searched(self) -> bool:
        """Whether the filter held enough information to be sent to Tomtom."""
        return bool(self.match_id)

    @property
    def consensus(self) -> str:
        """The PFM's consensus, lower case where a column holds less than half a bit."""
        return motifs.consensus(self.pfm, weak=0.5)


@dataclass(frozen=True)
class Recovery:
    """How one planted motif was recovered: its best filter under the matching rule.

    ``rule`` is ``"same matrix"``, ``"same TF"``, ``"same family"`` or ``"none"``
    (then ``filter`` is -1); ``planted_rank`` (1-based) and ``planted_p`` are the
    planted matrix's own rank and p-value among that filter's matches.
    """

    motif_id: str
    name: str
    family: tuple[str, ...]
    consensus: str
    filter: int
    rule: str
    p_value: float
    planted_rank: int
    planted_p: float

    @property
    def recovered(self) -> bool:
        """True when the matching rule holds with ``p_value < P_THRESHOLD``."""
        return self.rule != "none" and self.p_value < P_THRESHOLD


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
    base already there).
    """

    motif_ids: tuple[str, ...]
    motif_names: tuple[str, ...]
    length: int
    n_filters: int
    width: int
    steps: int
    anneal_steps: int
    batch: int
    lr: float
    anneal_lr: float
    n_test: int
    seed: int
    final_loss: float
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
    ism_strand: int
    ism_width: int
    ism_cnn: np.ndarray
    ism_oracle: np.ndarray
    #: The trained first layer, as the in-browser motif scanner reads it (docs/cnn.md):
    #: ``conv_weight`` ``(n_filters, 4, width)`` and ``conv_bias`` ``(n_filters,)``, float32.
    conv_weight: np.ndarray = field(default_factory=lambda: np.zeros((0, 4, 0), dtype=np.float32), repr=False)
    conv_bias: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32), repr=False)
    #: The matching rule's p-value threshold and the information a filter needs to be searched (bits).
    p_threshold: float = P_THRESHOLD
    min_information: float = MIN_INFORMATION
    #: The trained read-out, so the scanner can predict a class per window: ``head_weight``
    #: ``(n_classes, n_filters)`` and ``head_bias`` ``(n_classes,)``, float32.
    head_weight: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32), repr=False)
    head_bias: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32), repr=False)
    #: Each filter's strongest-window score (its global max pool) on the ``n_test`` test
    #: sequences, drawn like the training data, by class (0: background only, k: motif k planted):
    #: the 5th, 50th and 95th percentiles, ``(n_classes, n_filters, 3)``.
    pooled_quantiles: np.ndarray = field(default_factory=lambda: np.zeros((0, 0, 3)), repr=False)

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


def _rule(planted: motifs.Motif, match_id: str, match_name: str, match_family: tuple[str, ...]) -> str:
    if match_id == planted.matrix_id:
        return "same matrix"
    if match_name.upper() == planted.name.upper():
        return "same TF"
    if set(match_family) & set(planted.family):
        return "same family"
    return "none"


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


def _read_filters(model: MotifCNN, x: torch.Tensor) -> list[FilterMatch]:
    """Each filter as a PFM from the windows (both strands) of ``x`` where it fires, matched by Tomtom."""
    width = model.width
    both = torch.cat([x, reverse_complement(x)])             # (N, 4, L) -> (2N, 4, L): both strands
    with torch.no_grad():
        fired = torch.relu(model.conv(both))                  # (2N, 4, L) -> (2N, F, L - w + 1)
    read = [motifs.filter_to_pfm(fired[:, f], both, width) for f in range(fired.shape[1])]
    information = [float(motifs.information_content(pfm).sum()) for pfm, _ in read]
    searched = [f for f in range(len(read)) if information[f] >= MIN_INFORMATION]
    targets = motifs.jaspar_core_vertebrates()
    hits = motifs.tomtom([read[f][0] for f in searched], targets) if searched else None
    filters = []
    for f, (pfm, n_sites) in enumerate(read):
        if f not in searched:
            filters.append(FilterMatch(f, pfm, n_sites, information[f], "", "", (), np.zeros((4, 0)), 1.0, 0, 0))
            continue
        q = searched.index(f)
        best = hits.best(q)
        t = targets[best]
        filters.append(FilterMatch(f, pfm, n_sites, information[f], t.matrix_id, t.name, t.family, t.pfm,
                                   float(hits.p_values[q, best]), int(hits.offsets[q, best]),
                                   int(hits.strands[q, best]), p_values=hits.p_values[q]))
    return filters


def _recover(planted: motifs.Motif, filters: list[FilterMatch]) -> Recovery:
    """The planted motif's best filter under the matching rule (smallest rank-1 p-value)."""
    candidates = [(f.p_value, f.index, _rule(planted, f.match_id, f.match_name, f.match_family))
                  for f in filters if f.searched]
    candidates = [c for c in candidates if c[2] != "none"]
    if not candidates:
        return Recovery(planted.matrix_id, planted.name, planted.family, planted.consensus, -1, "none", 1.0, 0, 1.0)
    p_value, index, rule = min(candidates)
    column = [t.matrix_id for t in motifs.jaspar_core_vertebrates()].index(planted.matrix_id)
    row = filters[index].p_values
    return Recovery(planted.matrix_id, planted.name, planted.family, planted.consensus, index, rule, p_value,
                    int((row < row[column]).sum()) + 1, float(row[column]))


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
    log = train(model, sample, F.cross_entropy, steps=anneal_steps, lr=anneal_lr, seed=30_000 + seed)
    model.eval()

    def log_p(x: torch.Tensor) -> torch.Tensor:
        return torch.log_softmax(model(x), dim=1)

    x, y, starts, strands = task.sample_with_sites(n_test, torch.Generator().manual_seed(10_000 + seed))
    with torch.no_grad():
        cnn, oracle = log_p(x), task.log_posteriors(x)
        pooled = model.scan(x).amax(dim=2)                # (N, F, L - w + 1) -> (N, F): the global max pool
    levels = torch.tensor([0.05, 0.5, 0.95])
    pooled_quantiles = torch.stack([torch.quantile(pooled[y == c], levels, dim=0).T  # (3, F) -> (F, 3)
                                    for c in range(task.n_classes)])               # (n_classes, F, 3)
    classes = range(1, task.n_classes)
    filters = _read_filters(model, x)
    example, sites = _consensus_example(task, torch.Generator().manual_seed(20_000 + seed))
    with torch.no_grad():
        example_maps = model.scan(example)[0].numpy().astype(np.float64)   # (F, L - w + 1)

    # in-silico mutagenesis of the first GATA-class test sequence the CNN calls with P > 0.9
    k = 1
    confident = torch.nonzero((y == k) & (cnn[:, k].exp() > 0.9)).flatten()
    i = int(confident[0]) if len(confident) else int(torch.nonzero(y == k).flatten()[0])

    return MotifCNNResult(
        motif_ids=task.motif_ids, motif_names=tuple(m.name for m in task.motifs), length=length,
        n_filters=n_filters, width=width, steps=steps, anneal_steps=anneal_steps, batch=batch, lr=lr,
        anneal_lr=anneal_lr, n_test=n_test, seed=seed, final_loss=log.final_loss,
        cnn_auroc=tuple(metrics.auroc(cnn[:, c], y == c) for c in classes),
        oracle_auroc=tuple(metrics.auroc(oracle[:, c], y == c) for c in classes),
        n_targets=len(motifs.jaspar_core_vertebrates()), filters=tuple(filters),
        recoveries=tuple(_recover(planted, filters) for planted in task.motifs),
        example=dna.decode(example[0]), example_sites=sites, example_maps=example_maps,
        ism_sequence=dna.decode(x[i]), ism_class=k, ism_start=int(starts[i]), ism_strand=int(strands[i]),
        ism_width=task.pfms[k - 1].shape[1],
        ism_cnn=_ism(lambda v: log_p(v)[:, k], x[i]),
        ism_oracle=_ism(lambda v: task.log_posteriors(v)[:, k], x[i]),
        conv_weight=model.conv.weight.detach().numpy().copy(), conv_bias=model.conv.bias.detach().numpy().copy(),
        head_weight=model.head.weight.detach().numpy().copy(), head_bias=model.head.bias.detach().numpy().copy(),
        pooled_quantiles=pooled_quantiles.numpy().astype(np.float64),
    )


# --- DeepSEA's parameters (section 4.1, "Real applications: DeepSEA") -------------------------


@dataclass(frozen=True)
class DeepSEAParameters:
    """DeepSEA's parameters per layer, counted from the modules (weights and biases).

    ``fc_positions`` is the length of each last feature map (the dense layer
    reads ``fc_positions`` positions of every map); neighbouring positions sit
    ``fc_step`` bases apart on the input (the product of the pool strides) and
    each sees ``fc_receptive_field`` bases.
    """

    names: tuple[str, ...]
    labels: tuple[str, ...]
    counts: tuple[int, ...]
    fc_inputs: int
    n_hidden: int
    n_outputs: int = 0
    pool: int = 0
    fc_positions: int = 0
    fc_step: int = 0
    fc_receptive_field: int = 0

    @property
    def total(self) -> int:
        """All parameters."""
        return sum(self.counts)

    def share(self, name: str) -> float:
        """Fraction of all parameters in layer ``name``."""
        return self.counts[self.names.index(name)] / self.total

    @property
    def dense_share(self) -> float:
        """Fraction in both fully connected layers."""
        return self.share("fc") + self.share("out")

    @property
    def conv_share(self) -> float:
        """Fraction in the three convolutions."""
        return sum(self.share(n) for n in self.names if n.startswith("conv"))


def receptive_field(stages: list[tuple[int, int, int]]) -> tuple[int, int]:
    """Receptive field and step, in input bases, after a stack of ``(window, stride, dilation)`` layers.

    A window of ``k`` units with dilation ``d`` reaches ``d (k - 1)`` units further, each unit
    ``step`` bases from the next; a stride multiplies the step (section 4.1, "Stacking layers").

    Examples
    --------
    >>> receptive_field([(8, 1, 1), (4, 4, 1), (8, 1, 1), (4, 4, 1), (8, 1, 1)])  # DeepSEA's trunk
    (163, 16)
    >>> receptive_field([(11, 1, 1), (11, 1, 4)])                                # two dilated convolutions
    (51, 1)
    """
    size, step = 1, 1
    for window, stride, dilation in stages:
        require(window >= 1 and stride >= 1 and dilation >= 1, "stages", (window, stride, dilation),
                "(window, stride, dilation), each >= 1")
        size += dilation * (window - 1) * step
        step *= stride
    return size, step


@experiment("deepsea_parameters")
def deepsea_parameters() -> DeepSEAParameters:
    """Count the published DeepSEA's parameters layer by layer (built on the meta device: no memory)."""
    config = DeepSEAConfig.deepsea()
    with torch.device("meta"):
        model = DeepSEA(config)
    counts = parameter_counts(model)
    c1, c2, c3 = config.channels
    labels = {"conv1": f"conv1: {c1} x 4 x {config.width}", "conv2": f"conv2: {c2} x {c1} x {config.width}",
              "conv3": f"conv3: {c3} x {c2} x {config.width}",
              "fc": f"dense: {model.fc.in_features:,} -> {config.n_hidden}",
              "out": f"output: {config.n_hidden} -> {config.n_outputs}"}
    conv, pool = (config.width, 1, 1), (config.pool, config.pool, 1)
    size, step = receptive_field([conv, pool, conv, pool, conv])
    return DeepSEAParameters(names=tuple(counts), labels=tuple(labels[n] for n in counts),
                             counts=tuple(counts.values()), fc_inputs=model.fc.in_features,
                             n_hidden=config.n_hidden, n_outputs=config.n_outputs, pool=config.pool,
                             fc_positions=config.lengths()[2], fc_step=step, fc_receptive_field=size)


# --- dilated convolutions (section 4.1, "Receptive fields and dilation") -----------------------


@dataclass(frozen=True)
class DilationResult:
    """How far SpliceAI's dilated convolutions see, computed from its configuration.

    ``units`` are the ``(W, D)`` of each residual unit of the SpliceAI model ``preset``
    (two convolutions each). ``context`` is ``CL = 2 sum D (W - 1)`` after each unit;
    ``undilated`` the same with every ``D = 1``. ``presets`` maps each published model
    to ``(units, CL)``. The drawn example, ``stack``, is one convolution ``(W, D)``
    per dilation group of the first two groups; ``stack_field`` is its receptive field
    by the formula and ``stack_measured`` the input positions one output of those
    convolutions (one channel, weights 1, in PyTorch) depends on, found by autograd.
    """

    preset: str
    units: tuple[tuple[int, int], ...]
    context: tuple[int, ...]
    undilated: tuple[int, ...]
    presets: dict[str, tuple[int, int]]
    stack: tuple[tuple[int, int], ...]
    stack_field: int
    stack_measured: tuple[int, ...]

    @property
    def n_convolutions(self) -> int:
        """Convolutions in the model: two per residual unit."""
        return 2 * len(self.units)

    @property
    def gain(self) -> float:
        """How many times further the dilated model sees than the same convolutions undilated."""
        return self.context[-1] / self.undilated[-1]


@experiment("dilated_receptive_field")
def dilated_receptive_field(preset: str = "10k") -> DilationResult:
    """Receptive fields of SpliceAI's dilated residual units (:mod:`lensbook.models.spliceai`).

    Jaganathan et al. (2019), doi:10.1016/j.cell.2018.12.015. Cheap: arithmetic on the
    configuration, and one small autograd check of the drawn two-convolution stack.
    """
    config = SpliceAIConfig.preset(preset)
    context, undilated = [], []
    for i in range(1, len(config.units) + 1):
        context.append(2 * sum(d * (w - 1) for w, d in config.units[:i]))
        undilated.append(2 * sum(w - 1 for w, _ in config.units[:i]))
    presets = {name: (len(PRESETS[name].units), PRESETS[name].context) for name in PRESETS}
    groups = list(dict.fromkeys(config.units))[:2]           # the first two (W, D) groups: (11, 1), (11, 4)
    field, _ = receptive_field([(w, 1, d) for w, d in groups])
    # check the formula on real convolutions: which inputs does the middle output depend on?
    x = torch.zeros(1, 1, 2 * field + 1, requires_grad=True)   # (1, 1, 2F + 1)
    h = x
    for w, d in groups:
        h = F.conv1d(h, torch.ones(1, 1, w), dilation=d, padding=d * (w - 1) // 2)  # (1, 1, 2F + 1): length kept
    h[0, 0, field].backward()
    measured = tuple(int(i) - field for i in torch.nonzero(x.grad[0, 0]).flatten())
    return DilationResult(preset=preset, units=config.units, context=tuple(context), undilated=tuple(undilated),
                          presets=presets, stack=tuple(groups), stack_field=field, stack_measured=measured)
