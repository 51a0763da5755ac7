"""The ``deepsea_parameters`` experiment of docs/cnn.md (section 4.1, "Real applications: DeepSEA"):
the published DeepSEA's parameters counted layer by layer, on the meta device (no memory, no training).
Zhou & Troyanskaya (2015), doi:10.1038/nmeth.3547.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from ..models.deepsea import DeepSEA, DeepSEAConfig, parameter_counts
from .receptive_field import receptive_field
from .registry import experiment


@dataclass(frozen=True)
class DeepSEAParameters:
    """DeepSEA's parameters per layer, counted from the modules (weights and biases).

    ``fc_positions`` is the length of each last feature map (the dense layer
    reads ``fc_positions`` positions of every map); neighbouring positions sit
    ``fc_step`` bases apart on the input (the product of the pool strides) and
    each sees ``fc_receptive_field`` bases.
    """

    names: tuple[str, ...]
    labels: tuple[str, ...]
    counts: tuple[int, ...]
    fc_inputs: int
    n_hidden: int
    n_outputs: int
    pool: int
    fc_positions: int
    fc_step: int
    fc_receptive_field: int

    @property
    def total(self) -> int:
        """All parameters."""
        return sum(self.counts)

    def share(self, name: str) -> float:
        """Fraction of all parameters in layer ``name``."""
        return self.counts[self.names.index(name)] / self.total

    @property
    def dense_share(self) -> float:
        """Fraction in both fully connected layers."""
        return self.share("fc") + self.share("out")

    @property
    def conv_share(self) -> float:
        """Fraction in the three convolutions."""
        return sum(self.share(n) for n in self.names if n.startswith("conv"))


@experiment("deepsea_parameters")
def deepsea_parameters() -> DeepSEAParameters:
    """Count the published DeepSEA's parameters layer by layer (built on the meta device: no memory)."""
    config = DeepSEAConfig.deepsea()
    with torch.device("meta"):
        model = DeepSEA(config)
    counts = parameter_counts(model)
    c1, c2, c3 = config.channels
    labels = {"conv1": f"conv1: {c1} x 4 x {config.width}", "conv2": f"conv2: {c2} x {c1} x {config.width}",
              "conv3": f"conv3: {c3} x {c2} x {config.width}",
              "fc": f"dense: {model.fc.in_features:,} -> {config.n_hidden}",
              "out": f"output: {config.n_hidden} -> {config.n_outputs}"}
    conv, pool = (config.width, 1, 1), (config.pool, config.pool, 1)
    size, step = receptive_field([conv, pool, conv, pool, conv])
    return DeepSEAParameters(names=tuple(counts), labels=tuple(labels[n] for n in counts),
                             counts=tuple(counts.values()), fc_inputs=model.fc.in_features,
                             n_hidden=config.n_hidden, n_outputs=config.n_outputs, pool=config.pool,
                             fc_positions=config.lengths()[2], fc_step=step, fc_receptive_field=size)
