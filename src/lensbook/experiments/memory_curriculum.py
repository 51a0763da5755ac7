"""The first stage of the ``memory`` experiment (experiments/memory.py): a reader taken through growing gaps.

A tanh RNN or an LSTM learns ``DonorOrderTask`` with a curriculum over the
gap between the donors and the acceptor, and is scored at each gap on the
class and on each donor's variant alone. Standard practice throughout: a
fresh batch every step and gradient-norm clipping at 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from .._validate import require
from ..tasks.memory import DonorOrderTask
from ..train import train


def predict(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """Class predictions ``(N,)`` (model put in eval mode, then restored)."""
    was = model.training
    model.eval()
    try:
        with torch.no_grad():
            return model(x).argmax(dim=1)
    finally:
        model.train(was)


def scores(predicted: torch.Tensor, y: torch.Tensor) -> tuple[float, float, float]:
    """Accuracy on the class, on the first donor's variant alone and on the second's alone."""
    return (float((predicted == y).float().mean()),
            float((predicted // 2 == y // 2).float().mean()),
            float((predicted % 2 == y % 2).float().mean()))


@dataclass(frozen=True)
class CurriculumRun:
    """One model taken through the gaps; ``accuracy[k]`` is measured right after stage ``k``.

    ``first``/``second``: accuracy on each donor's variant alone (chance 0.5).
    """

    gaps: tuple[int, ...]
    accuracy: tuple[float, ...]
    first: tuple[float, ...]
    second: tuple[float, ...]


def _stage_sampler(earlier: tuple[int, ...], gap: int, size: int, ramp: int):
    """Batches for one curriculum stage: ``sampler(offset)(generator, step)``.

    Half of the batches (at random) replay a gap of an earlier stage; the
    others use the stage's gap, which grows linearly from the previous stage's
    gap to ``gap`` over the first ``ramp`` steps, then stays there.
    """
    previous = earlier[-1] if earlier else gap

    def sampler(offset: int):
        def sample(generator: torch.Generator, step: int) -> tuple[torch.Tensor, torch.Tensor]:
            if earlier and torch.rand((), generator=generator) < 0.5:
                now = earlier[int(torch.randint(len(earlier), (), generator=generator))]
            else:
                fraction = min(1.0, (offset + step + 1) / max(ramp, 1))
                now = round(previous + (gap - previous) * fraction)
            return DonorOrderTask(now).sample(size, generator)
        return sample

    return sampler


def order_curriculum(model: nn.Module, seed: int, gaps: tuple[int, ...], *, lr: float, first_steps: int,
                     stage_steps: int, first_batch: int, batch: int, test_size: int) -> CurriculumRun:
    """Train ``model`` (an ``RNNReader`` or ``LSTMReader``) on ``DonorOrderTask`` through growing gaps.

    Stage ``k`` trains at gap ``gaps[k]``, reached by a linear ramp from
    ``gaps[k-1]`` over the stage's first half; half of its batches replay a
    shorter gap of an earlier stage (chosen at random), so the model keeps
    what it learnt. Each stage ends with a quarter of its steps at a fifth of
    the learning rate. The model after stage ``k`` is the model "trained with the
    curriculum up to gap ``gaps[k]``", and is tested on ``test_size`` fresh
    sequences at that gap. Stage 0 (``first_steps``, batches of
    ``first_batch``) learns the task; the later stages (``stage_steps`` each,
    batches of ``batch``) stretch it. ``model`` is trained in place.
    """
    require(len(gaps) >= 1 and all(isinstance(g, int) and g >= 0 for g in gaps)
            and list(gaps) == sorted(set(gaps)), "gaps", gaps, "increasing ints >= 0")
    measured = []
    for k, gap in enumerate(gaps):
        steps = first_steps if k == 0 else stage_steps
        size = first_batch if k == 0 else batch
        settle = steps // 4  # the last quarter of a stage at a fifth of the learning rate
        sampler = _stage_sampler(gaps[:k], gap, size, ramp=steps // 2)
        train(model, sampler(0), F.cross_entropy, steps=steps - settle, lr=lr, clip=1.0, seed=1000 * seed + k)
        train(model, sampler(steps - settle), F.cross_entropy, steps=settle, lr=lr / 5, clip=1.0,
              seed=1000 * seed + k + 500)
        x, y = DonorOrderTask(gap).sample(test_size, torch.Generator().manual_seed(7919 + gap))
        measured.append(scores(predict(model, x), y))
    accuracy, first, second = (tuple(column) for column in zip(*measured))
    return CurriculumRun(gaps=tuple(gaps), accuracy=accuracy, first=first, second=second)
