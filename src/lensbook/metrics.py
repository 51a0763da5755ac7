"""Scores used on every page: AUROC, accuracy and R², computed the same way everywhere."""

from __future__ import annotations

import numpy as np
import torch

from ._validate import require


def _as_numpy(values, name: str) -> np.ndarray:
    array = values.detach().cpu().numpy() if isinstance(values, torch.Tensor) else np.asarray(values)
    array = array.astype(np.float64).ravel()
    require(array.size > 0, name, values, "a non-empty array")
    require(bool(np.isfinite(array).all()), name, values, "finite values")
    return array


def auroc(scores, labels) -> float:
    """Area under the ROC curve: the chance that a random positive outscores a random negative.

    Ties count one half (Mann-Whitney U), so a constant score gives 0.5.

    Parameters
    ----------
    scores : array-like, shape (N,)
        Higher means "more likely positive".
    labels : array-like, shape (N,)
        0 or 1, with at least one of each.

    Examples
    --------
    >>> auroc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])
    0.75
    """
    s, y = _as_numpy(scores, "scores"), _as_numpy(labels, "labels")
    require(s.shape == y.shape, "labels", y.shape, f"the shape of scores {s.shape}")
    require(bool(np.isin(y, (0.0, 1.0)).all()), "labels", labels, "only 0 and 1")
    n_pos, n_neg = int(y.sum()), int((1 - y).sum())
    require(n_pos > 0 and n_neg > 0, "labels", labels, "at least one positive and one negative")
    order = np.argsort(s, kind="mergesort")
    ranks = np.empty_like(s)
    sorted_s = s[order]
    # average ranks over ties
    _, first, counts = np.unique(sorted_s, return_index=True, return_counts=True)
    average = first + (counts + 1) / 2.0
    ranks[order] = np.repeat(average, counts)
    return float((ranks[y == 1].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def accuracy(predicted, labels) -> float:
    """Fraction of equal entries (``predicted`` already thresholded to 0/1)."""
    p, y = _as_numpy(predicted, "predicted"), _as_numpy(labels, "labels")
    require(p.shape == y.shape, "labels", y.shape, f"the shape of predicted {p.shape}")
    return float((p == y).mean())


def r2(predicted, targets) -> float:
    """Coefficient of determination, 1 - SS_res / SS_tot (1 is perfect, 0 is the mean).

    Examples
    --------
    >>> r2([1.0, 2.0, 3.0], [1.0, 2.0, 3.0])
    1.0
    """
    p, y = _as_numpy(predicted, "predicted"), _as_numpy(targets, "targets")
    require(p.shape == y.shape, "targets", y.shape, f"the shape of predicted {p.shape}")
    total = float(((y - y.mean()) ** 2).sum())
    require(total > 0, "targets", targets, "targets that are not all equal")
    return 1.0 - float(((y - p) ** 2).sum()) / total
