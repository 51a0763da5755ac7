"""The ``enformer`` experiment of docs/transformer.md (section 4.4): Enformer's published sizes.

Nothing is trained: the page quotes the arithmetic of Enformer's published
configuration (``lensbook.models.enformer``), computed rather than typed.
"""

from __future__ import annotations

from ..models.enformer import ENFORMER, EnformerConfig
from .registry import experiment


@experiment("enformer")
def enformer() -> EnformerConfig:
    """Enformer's published configuration; its properties are the page's arithmetic."""
    return ENFORMER
