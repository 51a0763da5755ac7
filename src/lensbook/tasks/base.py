"""The interface shared by the synthetic tasks."""

from __future__ import annotations

from typing import Literal, Protocol, runtime_checkable

import torch


@runtime_checkable
class Task(Protocol):
    """A synthetic task with an oracle.

    Attributes
    ----------
    name : str
        Short identifier, e.g. ``"local-motif"``.
    target : {"binary", "regression"}
        Binary tasks are scored by AUROC, regression tasks by R²
        (``lensbook.metrics``).
    channels : int
        ``C`` of the inputs (4 for one-hot DNA).
    length : int
        ``L`` of the inputs.
    """

    name: str
    target: Literal["binary", "regression"]
    channels: int
    length: int

    def sample(self, n: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        """A fresh batch: ``x`` of shape ``(n, C, L)`` float32, ``y`` of shape ``(n,)`` float32."""
        ...

    def oracle(self, x: torch.Tensor) -> torch.Tensor:
        """The Bayes-optimal score for each row of ``x``, shape ``(n,)``.

        For a binary task, any score monotone in P(y=1 | x) (its log-odds, say);
        for a regression task, E[y | x].
        """
        ...
