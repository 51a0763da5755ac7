"""Enformer's published sizes, and the arithmetic that links them (section 4.4, "Real Applications").

Avsec, Ž. et al. (2021). Effective gene expression prediction from sequence by
integrating long-range interactions. *Nature Methods* 18, 1196-1203.
doi:10.1038/s41592-021-01252-x. The sizes below are those of the paper and of
its released model code (deepmind-research ``enformer/enformer.py``).

Only the constants that the paper states are typed in; every other number
(bins, cropping, the conv tower's widths, the size of one attention map) is
computed from them, so the page's arithmetic can be checked by a test.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .._validate import require


def exponential_linspace_int(start: int, end: int, num: int, divisible_by: int = 1) -> tuple[int, ...]:
    """``num`` integers from ``start`` to ``end`` spaced evenly on a log scale, rounded to ``divisible_by``.

    The rule Enformer's code uses for the widths of its conv tower.

    Examples
    --------
    >>> exponential_linspace_int(768, 1536, 6, divisible_by=128)
    (768, 896, 1024, 1152, 1280, 1536)
    """
    require(isinstance(num, int) and num >= 2, "num", num, "an int >= 2")
    require(start > 0 and end > 0, "start", (start, end), "positive start and end")
    base = math.exp(math.log(end / start) / (num - 1))
    return tuple(int(round(start * base**i / divisible_by) * divisible_by) for i in range(num))


@dataclass(frozen=True)
class EnformerConfig:
    """Enformer's published sizes (Avsec et al. 2021, doi:10.1038/s41592-021-01252-x).

    Attributes
    ----------
    sequence_length : int
        Input DNA in bp (196,608).
    channels : int
        Width of the trunk after the conv tower (1,536).
    stem_kernel : int
        Width of the stem's first convolution (15).
    tower_blocks : int
        Conv tower blocks, each ending in a pooling of 2 (6).
    tower_kernel : int
        Width of each tower block's convolution (5).
    pool_size : int
        Down-sampling of each pooling step, the stem's and each tower block's (2).
    transformer_layers : int
        Transformer blocks (11).
    heads : int
        Attention heads per block (8).
    key_size : int
        Query/key width per head (64).
    target_length : int
        Output bins kept after cropping both ends (896).
    human_tracks, mouse_tracks : int
        Output tracks of the human (5,313) and mouse (1,643) heads.
    """

    sequence_length: int = 196_608
    channels: int = 1536
    stem_kernel: int = 15
    tower_blocks: int = 6
    tower_kernel: int = 5
    pool_size: int = 2
    transformer_layers: int = 11
    heads: int = 8
    key_size: int = 64
    target_length: int = 896
    human_tracks: int = 5313
    mouse_tracks: int = 1643

    @property
    def poolings(self) -> int:
        """Pooling steps: one in the stem, one per tower block (7)."""
        return 1 + self.tower_blocks

    @property
    def bin_size(self) -> int:
        """Base pairs per bin after all the pooling: ``pool_size ** poolings`` (2^7 = 128)."""
        return self.pool_size ** self.poolings

    @property
    def bins(self) -> int:
        """Bins the transformer attends over: ``sequence_length / bin_size`` (1,536)."""
        return self.sequence_length // self.bin_size

    @property
    def cropped_bins_per_side(self) -> int:
        """Bins cut from each end before the output heads (320)."""
        return (self.bins - self.target_length) // 2

    @property
    def output_bp(self) -> int:
        """The central stretch of DNA the outputs cover: ``target_length * bin_size`` (114,688 bp)."""
        return self.target_length * self.bin_size

    @property
    def tower_channels(self) -> tuple[int, ...]:
        """Widths of the conv tower's blocks, from ``channels // 2`` up to ``channels``."""
        return exponential_linspace_int(self.channels // 2, self.channels, self.tower_blocks, divisible_by=128)

    @property
    def value_size(self) -> int:
        """Value width per head: ``channels // heads`` (192)."""
        return self.channels // self.heads

    @property
    def attention_weights_per_layer(self) -> int:
        """Entries of one layer's attention maps for one sequence: ``heads * bins**2``."""
        return self.heads * self.bins**2

    @property
    def attention_weights_at_bp_resolution(self) -> int:
        """The same count had attention run on base pairs instead of bins: ``heads * sequence_length**2``."""
        return self.heads * self.sequence_length**2

    @property
    def human_outputs(self) -> int:
        """Numbers predicted per human sequence: ``target_length * human_tracks``."""
        return self.target_length * self.human_tracks


#: The published model.
ENFORMER = EnformerConfig()
