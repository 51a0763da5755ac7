"""The one plotting style of the site: a light and a dark theme, deterministic SVG."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager

import matplotlib

matplotlib.use("Agg")  # figures are drawn off-screen, never shown
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

THEMES = ("light", "dark")

# Okabe-Ito colours (colour-blind safe); the dark theme uses lighter variants
# so that lines keep their contrast on Material's slate background.
_CYCLE = {
    "light": ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#555555"],
    "dark": ["#56B4E9", "#F0A030", "#3DD6A3", "#E89ACB", "#FF7F3F", "#A6D8F5", "#BBBBBB"],
}
_INK = {"light": "#1f1f1f", "dark": "#e3e3e3"}
_GRID = {"light": "#d9d9d9", "dark": "#4a4d57"}
# Colour maps that read on both backgrounds (sequential, perceptually uniform).
CMAP = {"light": "viridis", "dark": "magma"}

_current = ["light"]


def current_theme() -> str:
    """The theme being drawn now (``"light"`` or ``"dark"``)."""
    return _current[0]


def cmap() -> str:
    """The sequential colour map for the current theme."""
    return CMAP[current_theme()]


def ink() -> str:
    """The text and axis colour of the current theme."""
    return _INK[current_theme()]


@contextmanager
def themed(theme: str) -> Iterator[None]:
    """Draw inside this context to get the site's style in ``theme``."""
    if theme not in THEMES:
        raise ValueError(f"theme: expected one of {THEMES}, got {theme!r}")
    ink_colour, grid = _INK[theme], _GRID[theme]
    params = {
        "figure.facecolor": "none",
        "axes.facecolor": "none",
        "savefig.facecolor": "none",
        "savefig.transparent": True,
        "text.color": ink_colour,
        "axes.labelcolor": ink_colour,
        "axes.edgecolor": ink_colour,
        "xtick.color": ink_colour,
        "ytick.color": ink_colour,
        "grid.color": grid,
        "legend.frameon": False,
        "axes.prop_cycle": matplotlib.cycler(color=_CYCLE[theme]),
        "axes.spines.top": False,
        "axes.spines.right": False,
        "font.size": 10,
        "figure.dpi": 100,
        "svg.hashsalt": "lensbook",   # fixed ids: same inputs -> same bytes
        "svg.fonttype": "path",       # text as paths: no font needed by the reader
        "image.cmap": CMAP[theme],
    }
    previous = _current[0]
    _current[0] = theme
    try:
        with plt.rc_context(params):
            yield
    finally:
        _current[0] = previous


def new_figure(width: float = 7.0, height: float = 3.0, **subplots) -> tuple[Figure, object]:
    """A new figure and its axes in the current theme (``constrained`` layout)."""
    fig = Figure(figsize=(width, height), layout="constrained")
    axes = fig.subplots(**subplots)
    return fig, axes


def to_svg(fig: Figure) -> bytes:
    """Serialise a figure to SVG bytes with no date, so the same figure gives the same bytes."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return buffer.getvalue()
