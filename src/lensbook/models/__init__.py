"""Models: one small nn.Module per concept, one architecture per file."""

from .common import parameter_count, parameter_counts

__all__ = ["parameter_count", "parameter_counts"]
