"""The attention reading under its earlier import path; its home is ``long_range_attention``.

The Transformer page's experiments have one file each: ``long_range``,
``long_range_attention``, ``attention_costs``, ``positional_encoding``,
``qkv_schematic`` and ``enformer``. Import from those; this module only keeps
``from lensbook.experiments.transformer import read_attention`` working until
nothing uses it.
"""

from .long_range_attention import AttentionReading, read_attention, summarise_readings

__all__ = ["AttentionReading", "read_attention", "summarise_readings"]
