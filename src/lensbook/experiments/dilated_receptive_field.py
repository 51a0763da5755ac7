"""The ``dilated_receptive_field`` experiment of docs/cnn.md (section 4.1, "Receptive fields and
dilation"): how far SpliceAI's dilated convolutions see, from its configuration."""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from ..models.spliceai import PRESETS, SpliceAIConfig
from .receptive_field import receptive_field
from .registry import experiment


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
