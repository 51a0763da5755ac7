"""One place that checks arguments at the public boundary and raises clear errors.

``require`` checks any condition; ``require_sequences`` checks the one tensor
layout of the package, ``(N, C, L)`` (one-hot DNA: ``(N, 4, L)``).
"""

from __future__ import annotations

from typing import Any

import torch


def require(condition: bool, name: str, got: Any, expected: str) -> None:
    """Raise ``ValueError`` naming the argument, what it got and what was expected.

    Parameters
    ----------
    condition : bool
        The check; nothing happens when it is true.
    name : str
        The argument's name as the caller wrote it.
    got : Any
        The offending value (its ``repr`` is shortened to 80 characters).
    expected : str
        What the argument should have been, in words.

    Raises
    ------
    ValueError
        When ``condition`` is false.
    """
    if not condition:
        text = repr(got)
        if len(text) > 80:
            text = text[:77] + "..."
        raise ValueError(f"{name}: expected {expected}, got {text}")


def require_sequences(x: Any, name: str = "x", *, channels: int = 4, length: int | None = None,
                      unbatched: bool = False) -> None:
    """Raise ``ValueError`` unless ``x`` is a batch of sequences in the package's layout, ``(N, C, L)``.

    The one check of the tensor convention shared from ``lensbook.dna`` to the
    figures: a floating-point ``torch.Tensor``, channels first, at least one
    sequence of at least one position. One-hot DNA is the default, ``C = 4``.

    Parameters
    ----------
    x : Any
        The argument to check.
    name : str, optional
        The argument's name as the caller wrote it. Default is ``"x"``.
    channels : int, optional
        ``C``, the size of dimension 1. Default is 4 (A, C, G, T).
    length : int or None, optional
        ``L`` when the caller needs one length exactly; None accepts any
        ``L >= 1``. Default is None.
    unbatched : bool, optional
        Also accept one sequence of shape ``(C, L)``. Default is False.

    Raises
    ------
    ValueError
        Naming ``name``, the shape it got and the shape expected.

    Examples
    --------
    >>> require_sequences(torch.zeros(2, 4, 10))
    >>> require_sequences(torch.zeros(2, 10, 4))
    Traceback (most recent call last):
    ...
    ValueError: x: expected 4 channels in dimension 1, shape (N, 4, L) (channels first), got (2, 10, 4)
    """
    steps = "L" if length is None else str(length)
    shape = f"({channels}, {steps}) or (N, {channels}, {steps})" if unbatched else f"(N, {channels}, {steps})"
    what = "one-hot DNA" if channels == 4 else "a tensor"
    require(isinstance(x, torch.Tensor), name, type(x), f"a torch.Tensor of shape {shape}")
    dims = (2, 3) if unbatched else (3,)
    require(x.dim() in dims, name, tuple(x.shape), f"{what} of shape {shape}")
    require(x.shape[-2] == channels, name, tuple(x.shape),
            f"{channels} channels in dimension {x.dim() - 2}, shape {shape} (channels first)")
    require((x.dim() == 2 or x.shape[0] >= 1) and x.shape[-1] >= 1, name, tuple(x.shape),
            "at least one sequence of at least one step (an empty sequence has nothing to read)")
    require(length is None or x.shape[-1] == length, name, tuple(x.shape), f"{what} of shape {shape}")
    require(x.is_floating_point(), name, x.dtype, "a floating-point tensor")
