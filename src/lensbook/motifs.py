"""Motifs: JASPAR access, PFM/PWM conversions, learned filters as PWMs, Tomtom matching.

Used by the CNN page (docs/cnn.md, section 4.1): the planted motifs come from
JASPAR (Castro-Mondragon et al. 2022, doi:10.1093/nar/gkab1113; release
pinned in :data:`JASPAR_RELEASE`), read offline from the database that the
``pyjaspar`` wheel ships; learned filters are matched back to JASPAR with
Tomtom (Gupta et al. 2007, doi:10.1186/gb-2007-8-2-r24) as implemented by
``memelite``.

Matrices are numpy arrays of shape ``(4, w)``, rows in A, C, G, T order (the
layout of ``lensbook.dna``):

* a *PFM* (position frequency matrix) holds probabilities, each column sums to 1;
* a *PWM* (position weight matrix) holds log2-odds against a background,
  ``log2(p / b)``, so a window's score is the sum of its bases' entries.

Nothing is read at import: ``pyjaspar`` and ``memelite`` are imported inside
the functions that need them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch

from . import dna
from ._validate import require, require_sequences

#: The JASPAR release used everywhere, pinned so that matrix versions cannot shift.
JASPAR_RELEASE = "JASPAR2024"
#: A uniform background over A, C, G, T.
UNIFORM = np.full(4, 0.25)
_ID = re.compile(r"^MA\d{4}(\.\d+)?$")
_TOLERANCE = 1e-3


@dataclass(frozen=True, eq=False)
class Motif:
    """One JASPAR matrix.

    Attributes
    ----------
    matrix_id : str
        JASPAR matrix ID with version, e.g. ``"MA0766.3"``.
    name : str
        The transcription factor, e.g. ``"GATA5"``.
    family : tuple of str
        JASPAR's TF family annotation(s), e.g. ``("C4-GATA-related",)``.
    counts : numpy.ndarray, shape (4, w)
        The position count matrix as stored in JASPAR.
    """

    matrix_id: str
    name: str
    family: tuple[str, ...]
    counts: np.ndarray

    @property
    def pfm(self) -> np.ndarray:
        """Probabilities ``(4, w)``: each column's counts over its total (no pseudocount)."""
        return counts_to_pfm(self.counts)

    @property
    def consensus(self) -> str:
        """The most frequent base of each column."""
        return consensus(self.pfm)

    @property
    def width(self) -> int:
        """Number of columns ``w``."""
        return int(self.counts.shape[1])


def _from_biopython(record) -> Motif:
    counts = np.array([record.counts[base] for base in dna.ALPHABET], dtype=np.float64)
    return Motif(record.matrix_id, record.name, tuple(record.tf_family or ()), counts)


@lru_cache(maxsize=4)
def _database(release: str):
    from pyjaspar import jaspardb  # imported here: no I/O at import time

    return jaspardb(release=release)


def load_jaspar(matrix_id: str, release: str = JASPAR_RELEASE) -> Motif:
    """Fetch one matrix from the JASPAR database that ``pyjaspar`` ships.

    Parameters
    ----------
    matrix_id : str
        ``"MA0766.3"``, or a base ID such as ``"MA0766"`` for its latest version.
    release : str, optional
        JASPAR release. Default is :data:`JASPAR_RELEASE`.

    Returns
    -------
    Motif

    Raises
    ------
    ValueError
        If the ID is malformed or not in the release.

    Examples
    --------
    >>> load_jaspar("MA0766.3").consensus
    'AGATAAGG'
    """
    require(isinstance(matrix_id, str) and bool(_ID.match(matrix_id)), "matrix_id", matrix_id,
            "a JASPAR CORE matrix ID such as 'MA0766.3' or 'MA0766'")
    import warnings

    with warnings.catch_warnings():  # pyjaspar warns, then returns None, for an unknown base ID
        warnings.simplefilter("ignore")
        record = _database(release).fetch_motif_by_id(matrix_id)
    require(record is not None, "matrix_id", matrix_id, f"an ID present in {release}")
    return _from_biopython(record)


@lru_cache(maxsize=4)
def jaspar_core_vertebrates(release: str = JASPAR_RELEASE) -> tuple[Motif, ...]:
    """Every CORE vertebrate matrix of ``release`` (latest versions), in database order.

    These are the targets Tomtom searches on the CNN page (879 matrices in JASPAR2024).
    """
    records = _database(release).fetch_motifs(collection="CORE", tax_group=["vertebrates"])
    return tuple(_from_biopython(r) for r in records)


# --- conversions -------------------------------------------------------------------------


def _matrix(values, name: str) -> np.ndarray:
    if isinstance(values, torch.Tensor):
        values = values.detach().cpu().numpy()
    array = np.asarray(values, dtype=np.float64)
    require(array.ndim == 2 and array.shape[0] == 4 and array.shape[1] >= 1, name,
            getattr(values, "shape", values), "a matrix of shape (4, w), rows A, C, G, T")
    require(bool(np.isfinite(array).all()), name, values, "finite values")
    return array


def validate_pfm(pfm, name: str = "pfm") -> np.ndarray:
    """Check that ``pfm`` is a ``(4, w)`` matrix of probabilities whose columns sum to 1.

    Returns it as a float64 array; raises ``ValueError`` naming the first bad column.
    """
    array = _matrix(pfm, name)
    require(bool((array >= 0).all()), name, pfm, "probabilities >= 0")
    sums = array.sum(axis=0)
    bad = np.flatnonzero(np.abs(sums - 1.0) > _TOLERANCE)
    if bad.size:
        raise ValueError(f"{name}: expected each column to sum to 1, but column {bad[0]} "
                         f"sums to {sums[bad[0]]:.4g}")
    return array


def _background(background) -> np.ndarray:
    return validate_pfm(np.asarray(background, dtype=np.float64).reshape(4, 1), "background")[:, 0]


def counts_to_pfm(counts, pseudocount: float = 0.0) -> np.ndarray:
    """Turn a count matrix into probabilities.

    ``pseudocount`` is added to the column total and spread evenly over the four
    bases, ``(n + pseudocount / 4) / (N + pseudocount)``, so no base has
    probability 0.

    Examples
    --------
    >>> counts_to_pfm([[2, 0], [0, 0], [0, 4], [2, 0]]).tolist()
    [[0.5, 0.0], [0.0, 0.0], [0.0, 1.0], [0.5, 0.0]]
    """
    array = _matrix(counts, "counts")
    require(bool((array >= 0).all()), "counts", counts, "counts >= 0")
    require(pseudocount >= 0, "pseudocount", pseudocount, "a number >= 0")
    totals = array.sum(axis=0)
    require(bool((totals + pseudocount > 0).all()), "counts", counts,
            "every column to hold at least one count (or a pseudocount > 0)")
    return (array + pseudocount / 4.0) / (totals + pseudocount)


def pfm_to_pwm(pfm, background=UNIFORM) -> np.ndarray:
    """Log2-odds ``log2(p / b)`` of a PFM against a background; ``-inf`` where ``p`` is 0.

    Examples
    --------
    >>> pfm_to_pwm([[1.0], [0.0], [0.0], [0.0]])[:, 0].tolist()
    [2.0, -inf, -inf, -inf]
    """
    p, b = validate_pfm(pfm), _background(background)
    with np.errstate(divide="ignore"):
        return np.log2(p / b[:, None])


def pwm_to_pfm(pwm, background=UNIFORM) -> np.ndarray:
    """Invert :func:`pfm_to_pwm`: ``b * 2**pwm``, which must be a valid PFM again.

    Raises
    ------
    ValueError
        If the columns of ``b * 2**pwm`` do not sum to 1 (the matrix was not a
        log2-odds PWM against this background).
    """
    array = np.asarray(pwm, dtype=np.float64)
    require(array.ndim == 2 and array.shape[0] == 4, "pwm", getattr(pwm, "shape", pwm),
            "a matrix of shape (4, w), rows A, C, G, T")
    require(not np.isnan(array).any() and not np.isposinf(array).any(), "pwm", pwm,
            "log2-odds that are finite or -inf")
    return validate_pfm(_background(background)[:, None] * np.exp2(array), "pwm (as b * 2**pwm)")


def information_content(pfm, background=UNIFORM) -> np.ndarray:
    """Bits per column: the relative entropy ``sum_a p_a log2(p_a / b_a)``, shape ``(w,)``."""
    p, b = validate_pfm(pfm), _background(background)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, p * np.log2(p / b[:, None]), 0.0)
    return terms.sum(axis=0)


def logo_heights(pfm, background=UNIFORM) -> np.ndarray:
    """Letter heights of a sequence logo in bits, ``p * IC(column)``, shape ``(4, w)``.

    Schneider & Stephens (1990), doi:10.1093/nar/18.20.6097.
    """
    p = validate_pfm(pfm)
    return p * information_content(p, background)[None, :]


def consensus(pfm, weak: float = 0.0) -> str:
    """The most probable base of each column, in lower case where the column holds less than ``weak`` bits.

    Examples
    --------
    >>> consensus([[0.97, 0.4], [0.01, 0.2], [0.01, 0.2], [0.01, 0.2]], weak=0.5)
    'Aa'
    """
    p = validate_pfm(pfm)
    bits = information_content(p)
    return "".join(dna.ALPHABET[i] if b >= weak else dna.ALPHABET[i].lower()
                   for i, b in zip(p.argmax(axis=0), bits))


def reverse_complement_pfm(pfm) -> np.ndarray:
    """The matrix of the other strand: columns reversed, A<->T and C<->G swapped.

    :func:`lensbook.dna.reverse_complement` on a PFM checked by :func:`validate_pfm`,
    NumPy in and out.

    Examples
    --------
    >>> consensus(reverse_complement_pfm(counts_to_pfm(dna.one_hot("GATAAG"))))
    'CTTATC'
    """
    return dna.reverse_complement(torch.from_numpy(validate_pfm(pfm))).numpy()  # (4, w) -> (4, w)


# --- learned filters ---------------------------------------------------------------------


def filter_to_pfm(activations: torch.Tensor, x: torch.Tensor, width: int,
                  threshold: float = 0.5, pseudocount: float = 1.0) -> tuple[np.ndarray, int]:
    """The PFM of the windows that make one filter fire.

    The standard read-out of a first-layer filter (DeepBind, Alipanahi et al.
    2015, doi:10.1038/nbt.3300; Basset, Kelley et al. 2016,
    doi:10.1101/gr.200535.115): every window whose activation exceeds
    ``threshold`` times the filter's largest activation is collected, and the
    base counts of the aligned windows become a PFM.

    Parameters
    ----------
    activations : torch.Tensor, shape (N, L - width + 1)
        The filter's activation at each window start of each sequence.
    x : torch.Tensor, shape (N, 4, L)
        The one-hot sequences the activations were computed on.
    width : int
        The filter's width.
    threshold : float, optional
        Fraction of the largest activation a window must exceed. Default is 0.5.
    pseudocount : float, optional
        Added per column (see :func:`counts_to_pfm`). Default is 1.0.

    Returns
    -------
    pfm : numpy.ndarray, shape (4, width)
    n_sites : int
        How many windows were collected (0 gives a uniform PFM).
    """
    require_sequences(x)
    require(isinstance(width, int) and 1 <= width <= x.shape[2], "width", width,
            f"an int in [1, {x.shape[2]}] (the sequences are {x.shape[2]} bp)")
    expected = (x.shape[0], x.shape[2] - width + 1)
    require(isinstance(activations, torch.Tensor) and tuple(activations.shape) == expected,
            "activations", getattr(activations, "shape", activations), f"shape {expected}")
    require(0.0 < threshold < 1.0, "threshold", threshold, "a fraction in (0, 1)")
    top = float(activations.max())
    if top <= 0:
        return counts_to_pfm(np.zeros((4, width)), pseudocount=4.0), 0
    seqs, starts = torch.nonzero(activations > threshold * top, as_tuple=True)
    windows = x.unfold(2, width, 1)                        # (N, 4, L) -> (N, 4, L - w + 1, w)
    counts = windows[seqs, :, starts].sum(dim=0)          # (n_sites, 4, w) -> (4, w)
    return counts_to_pfm(counts.double().numpy(), pseudocount), int(seqs.numel())


# --- Tomtom ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TomtomHits:
    """Tomtom's answer for a list of queries against a list of targets.

    Attributes
    ----------
    p_values : numpy.ndarray, shape (n_queries, n_targets)
        The p-value of each query's best alignment with each target.
    offsets, overlaps, strands : numpy.ndarray, shape (n_queries, n_targets)
        Where that alignment sits; ``strands`` is 1 where the target's reverse
        complement matched.
    """

    p_values: np.ndarray
    offsets: np.ndarray
    overlaps: np.ndarray
    strands: np.ndarray

    def best(self, query: int) -> int:
        """Index of the rank-1 target of ``query`` (smallest p-value)."""
        return int(np.argmin(self.p_values[query]))


def tomtom(queries: Sequence, targets: Sequence) -> TomtomHits:
    """Compare each query PFM with each target PFM with Tomtom (``memelite.tomtom``).

    Tomtom's p-values use the target columns as the null distribution, so pass
    a whole database (all CORE vertebrate matrices on the CNN page), not a
    handful. The first call in a fresh environment compiles memelite's numba
    code (tens of seconds); numba caches it in ``NUMBA_CACHE_DIR``.

    Parameters
    ----------
    queries, targets : sequence of array-like, each shape (4, w)
        PFMs (columns sum to 1), or :class:`Motif` objects as targets.

    Returns
    -------
    TomtomHits
    """
    require(len(queries) > 0, "queries", queries, "at least one PFM")
    require(len(targets) >= 25, "targets", len(targets),
            "at least 25 target matrices (Tomtom's null distribution is built from them)")
    qs = [np.ascontiguousarray(validate_pfm(q, f"queries[{i}]")) for i, q in enumerate(queries)]
    ts = [np.ascontiguousarray(t.pfm if isinstance(t, Motif) else validate_pfm(t, f"targets[{i}]"))
          for i, t in enumerate(targets)]
    from memelite import tomtom as memelite_tomtom  # imported here: slow import, numba

    out = memelite_tomtom(qs, ts, n_jobs=1)  # (5, n_queries, n_targets)
    require(out.shape == (5, len(qs), len(ts)), "memelite.tomtom output", out.shape,
            f"shape (5, {len(qs)}, {len(ts)}): p-values, scores, offsets, overlaps, strands")
    return TomtomHits(p_values=out[0], offsets=out[2].astype(int), overlaps=out[3].astype(int),
                      strands=out[4].astype(int))
