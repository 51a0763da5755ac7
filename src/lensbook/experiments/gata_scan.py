"""The ``gata_scan`` experiment of docs/cnn.md (section 4.1, "Example: GATA Motif Detection"):
a hand-set filter slid along the manuscript's example sequence."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from .. import dna
from .._validate import require
from .registry import experiment

#: The manuscript's example sequence and motif (section 4.1, "Example: GATA Motif Detection").
GATA_SEQUENCE = "ATCGATAAGCCG"
GATA_MOTIF = "GATAAG"


@dataclass(frozen=True)
class ScanResult:
    """A hand-set filter slid along one sequence.

    ``scores[i]`` is the filter's output on the window that starts at base
    ``i`` (0-based). ``peak_first``/``peak_last`` are the 1-based positions of
    the bases under the best window, the convention the manuscript uses when
    it numbers the sequence from 1.
    """

    sequence: str
    motif: str
    scores: tuple[float, ...]

    @property
    def peak_start(self) -> int:
        """The 0-based start of the best window (the first, on a tie)."""
        return int(np.argmax(self.scores))

    @property
    def peak_score(self) -> float:
        return self.scores[self.peak_start]

    @property
    def peak_first(self) -> int:
        return self.peak_start + 1

    @property
    def peak_last(self) -> int:
        return self.peak_start + len(self.motif)

    @property
    def window(self) -> str:
        """The bases under the best window."""
        return self.sequence[self.peak_start:self.peak_start + len(self.motif)]


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
    return ScanResult(sequence=sequence, motif=motif, scores=tuple(float(s) for s in scores[0, 0]))


@experiment("gata_scan")
def gata_scan() -> ScanResult:
    """The manuscript's GATA example: ``GATAAG`` scanned along ``ATCGATAAGCCG``."""
    return scan_motif(GATA_SEQUENCE, GATA_MOTIF)
