"""The one training loop of the package: seeded, device-agnostic, fresh batches.

Every model on the site is trained here. A task supplies ``sample(generator,
step) -> (x, y)``, which draws a *fresh* batch each step (a fixed small set
lets a model memorise its background), and may grow its difficulty with
``step`` (a curriculum).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import torch
from torch import nn

from ._validate import require

log = logging.getLogger("lensbook.train")

Sampler = Callable[[torch.Generator, int], tuple[torch.Tensor, torch.Tensor]]
Loss = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


@contextmanager
def seeded(seed: int) -> Iterator[None]:
    """Seed torch's global RNG inside the block only (e.g. for ``nn.Module`` initialisation).

    The previous global state is restored on exit, so the library never leaves
    global randomness changed behind the caller's back.
    """
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        yield


@contextmanager
def evaluating(model: nn.Module) -> Iterator[nn.Module]:
    """Put ``model`` in evaluation mode inside the block; restore every submodule's mode on exit.

    Dropout then keeps every unit and batch normalisation uses its running
    statistics. On exit, even through an exception, each submodule gets back
    the ``training`` flag it had before (a model frozen in part stays so).
    Gradients are not switched off: wrap the call in ``torch.no_grad()`` to
    predict, or leave them on to take gradients of an evaluation-mode model
    (saliency, in silico mutagenesis).

    Examples
    --------
    >>> model = nn.Sequential(nn.Linear(4, 2), nn.Dropout(0.5))
    >>> with evaluating(model), torch.no_grad():
    ...     model[1].training
    False
    >>> model[1].training
    True
    """
    modes = [(module, module.training) for module in model.modules()]
    model.eval()
    try:
        yield model
    finally:
        for module, mode in modes:
            module.training = mode


@dataclass(frozen=True)
class TrainLog:
    """What a training run did: the loss at every step."""

    losses: tuple[float, ...]

    @property
    def final_loss(self) -> float:
        """Mean loss over the last 10% of steps (at least one)."""
        tail = self.losses[-max(1, len(self.losses) // 10):]
        return sum(tail) / len(tail)


def train(
    model: nn.Module,
    sample: Sampler,
    loss_fn: Loss,
    *,
    steps: int,
    lr: float = 1e-3,
    weight_decay: float = 0.0,
    clip: float | None = 1.0,
    seed: int = 0,
    log_every: int = 0,
) -> TrainLog:
    """Train ``model`` in place with AdamW on fresh batches.

    Parameters
    ----------
    model : torch.nn.Module
        Trained on whatever device its parameters are on; batches are moved there.
    sample : callable
        ``sample(generator, step) -> (x, y)``: a fresh batch for this step.
    loss_fn : callable
        ``loss_fn(model(x), y) -> scalar tensor``.
    steps : int
        Number of optimiser steps, at least 1.
    lr : float, optional
        Learning rate. Default is 1e-3.
    weight_decay : float, optional
        AdamW weight decay. Default is 0.0.
    clip : float or None, optional
        Gradient-norm clipping threshold (standard for recurrent nets); None
        turns it off. Default is 1.0.
    seed : int, optional
        Seeds the batch generator. Default is 0.
    log_every : int, optional
        Log the loss every this many steps at INFO level (0: never). Default is 0.

    Returns
    -------
    TrainLog
        The loss at every step.
    """
    require(isinstance(steps, int) and steps >= 1, "steps", steps, "an int >= 1")
    require(lr > 0, "lr", lr, "a positive learning rate")
    device = next(model.parameters()).device
    generator = torch.Generator().manual_seed(seed)
    optimiser = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    was_training = model.training
    model.train()
    losses = []
    try:
        for step in range(steps):
            x, y = sample(generator, step)
            loss = loss_fn(model(x.to(device)), y.to(device))
            optimiser.zero_grad(set_to_none=True)
            loss.backward()
            if clip is not None:
                nn.utils.clip_grad_norm_(model.parameters(), clip)
            optimiser.step()
            losses.append(float(loss.detach()))
            if log_every and (step + 1) % log_every == 0:
                log.info("step %d/%d loss %.4f", step + 1, steps, losses[-1])
    finally:
        model.train(was_training)
    return TrainLog(tuple(losses))
