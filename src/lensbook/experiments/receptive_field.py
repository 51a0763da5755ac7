"""How far a stack of convolutions sees: shared by the ``deepsea_parameters`` and
``dilated_receptive_field`` experiments of docs/cnn.md (section 4.1)."""

from __future__ import annotations

from .._validate import require


def receptive_field(stages: list[tuple[int, int, int]]) -> tuple[int, int]:
    """Receptive field and step, in input bases, after a stack of ``(window, stride, dilation)`` layers.

    A window of ``k`` units with dilation ``d`` reaches ``d (k - 1)`` units further, each unit
    ``step`` bases from the next; a stride multiplies the step (section 4.1, "Stacking layers").

    Examples
    --------
    >>> receptive_field([(8, 1, 1), (4, 4, 1), (8, 1, 1), (4, 4, 1), (8, 1, 1)])  # DeepSEA's trunk
    (163, 16)
    >>> receptive_field([(11, 1, 1), (11, 1, 4)])                                # two dilated convolutions
    (51, 1)
    """
    size, step = 1, 1
    for window, stride, dilation in stages:
        require(window >= 1 and stride >= 1 and dilation >= 1, "stages", (window, stride, dilation),
                "(window, stride, dilation), each >= 1")
        size += dilation * (window - 1) * step
        step *= stride
    return size, step
