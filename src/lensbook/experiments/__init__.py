"""Experiments: each function runs one experiment end to end and returns a frozen
dataclass of numbers. Pages, figures and readers all call these.

Registered experiments (``@experiment("name")``) are the ones the site build
runs and caches; their result fields fill the ``{{ name.field }}`` placeholders
in the pages, so prose, alt text and figures read the same object.
"""

from .registry import EXPERIMENTS, experiment, load_all

__all__ = ["EXPERIMENTS", "experiment", "load_all"]
