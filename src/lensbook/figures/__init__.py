"""Figures: pure functions from an experiment's result to a matplotlib Figure.

They never train and never write files; the site build (``lensbook.site``)
draws each registered figure in a light and a dark theme and caches the SVGs.
"""

from .registry import FIGURES, FigureSpec, figure, load_all

__all__ = ["FIGURES", "FigureSpec", "figure", "load_all"]
