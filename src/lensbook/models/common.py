"""What every model file shares: counting parameters."""

from __future__ import annotations

from torch import nn


def parameter_count(model: nn.Module, trainable_only: bool = False) -> int:
    """Number of parameters (weights and biases) of ``model``, each shared tensor counted once.

    Parameters
    ----------
    model : torch.nn.Module
        Works on the meta device too: only shapes are read.
    trainable_only : bool, optional
        Count only parameters with ``requires_grad``. Default is False.

    Examples
    --------
    >>> parameter_count(nn.Linear(1000 * 4, 128))
    512128
    """
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)


def parameter_counts(model: nn.Module, trainable_only: bool = False) -> dict[str, int]:
    """:func:`parameter_count` of each direct child that has any, in order (a per-layer table).

    Examples
    --------
    >>> parameter_counts(nn.Sequential(nn.Conv1d(4, 8, 5), nn.ReLU(), nn.Linear(8, 1)))
    {'0': 168, '2': 9}
    """
    counts = {name: parameter_count(child, trainable_only) for name, child in model.named_children()}
    return {name: n for name, n in counts.items() if n}
