"""The ``positional_encoding`` experiment of docs/transformer.md (section 4.4): sinusoidal positions.

The position vectors of Vaswani et al. (2017), and how similar two
positions' vectors are as a function of their distance.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..models.attention import sinusoidal_encoding
from .registry import experiment


@dataclass(frozen=True)
class PositionalEncodingResult:
    """The sinusoidal table and the similarity of position vectors with distance."""

    table: np.ndarray            # (positions, d_model)
    anchors: tuple[int, ...]     # positions whose similarity to every other position is kept
    similarity: np.ndarray       # (len(anchors), positions): cosine similarity

    @property
    def positions(self) -> int:
        return self.table.shape[0]

    @property
    def d_model(self) -> int:
        return self.table.shape[1]

    @property
    def neighbour_similarity(self) -> float:
        """Cosine similarity of the first anchor with the next position."""
        return float(self.similarity[0, self.anchors[0] + 1])

    @property
    def far_similarity(self) -> float:
        """Lowest cosine similarity of the first anchor with any position."""
        return float(self.similarity[0].min())


@experiment("positional_encoding")
def positional_encoding(positions: int = 128, d_model: int = 64,
                        anchors: tuple[int, ...] = (32, 96)) -> PositionalEncodingResult:
    """Sinusoidal positions (Vaswani et al. 2017) for ``positions`` x ``d_model``, and their similarities."""
    table = sinusoidal_encoding(positions, d_model)
    unit = table / table.norm(dim=1, keepdim=True)
    similarity = unit[list(anchors)] @ unit.T                                # (A, d) @ (d, P) -> (A, P)
    return PositionalEncodingResult(table=table.numpy(), anchors=tuple(anchors), similarity=similarity.numpy())
