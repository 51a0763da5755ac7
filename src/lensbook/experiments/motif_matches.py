"""Learned filters read back as motifs: each filter of a trained ``MotifCNN`` becomes a PFM and is
matched to JASPAR with Tomtom, and each planted motif gets its best filter under a matching rule.
Used by the ``motif_cnn`` experiment (experiments/cnn.py)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from .. import motifs
from ..models.cnn import MotifCNN, reverse_complement

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


def _rule(planted: motifs.Motif, match_id: str, match_name: str, match_family: tuple[str, ...]) -> str:
    if match_id == planted.matrix_id:
        return "same matrix"
    if match_name.upper() == planted.name.upper():
        return "same TF"
    if set(match_family) & set(planted.family):
        return "same family"
    return "none"


def read_filters(model: MotifCNN, x: torch.Tensor) -> list[FilterMatch]:
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
            filters.append(FilterMatch(index=f, pfm=pfm, n_sites=n_sites, information=information[f], match_id="",
                                       match_name="", match_family=(), match_pfm=np.zeros((4, 0)), p_value=1.0,
                                       offset=0, strand=0))
            continue
        q = searched.index(f)
        best = hits.best(q)
        t = targets[best]
        filters.append(FilterMatch(index=f, pfm=pfm, n_sites=n_sites, information=information[f],
                                   match_id=t.matrix_id, match_name=t.name, match_family=t.family, match_pfm=t.pfm,
                                   p_value=float(hits.p_values[q, best]), offset=int(hits.offsets[q, best]),
                                   strand=int(hits.strands[q, best]), p_values=hits.p_values[q]))
    return filters


def recover(planted: motifs.Motif, filters: list[FilterMatch]) -> Recovery:
    """The planted motif's best filter under the matching rule (smallest rank-1 p-value)."""
    candidates = [(f.p_value, f.index, _rule(planted, f.match_id, f.match_name, f.match_family))
                  for f in filters if f.searched]
    candidates = [c for c in candidates if c[2] != "none"]
    planted_motif = dict(motif_id=planted.matrix_id, name=planted.name, family=planted.family,
                         consensus=planted.consensus)
    if not candidates:
        return Recovery(**planted_motif, filter=-1, rule="none", p_value=1.0, planted_rank=0, planted_p=1.0)
    p_value, index, rule = min(candidates)
    column = [t.matrix_id for t in motifs.jaspar_core_vertebrates()].index(planted.matrix_id)
    row = filters[index].p_values
    return Recovery(**planted_motif, filter=index, rule=rule, p_value=p_value,
                    planted_rank=int((row < row[column]).sum()) + 1, planted_p=float(row[column]))
