"""The one plotting style of the site: a light and a dark theme, deterministic SVG, and the
column a figure is drawn for (``layout``: wide, or narrow for a phone variant)."""

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


# --- layouts: the column a figure is shown in ----------------------------------------------

#: Where a figure is shown: the text column's width in CSS pixels on a desktop (1280 px wide
#: screen) and on a phone (390 px). A figure wider than the column is scaled down to it.
COLUMN_PX = {"wide": 688, "narrow": 358}
#: The smallest text a reader should get, in CSS pixels as shown (the body's small print).
MIN_TEXT_PX = 12.0
LAYOUTS = tuple(COLUMN_PX)

_layout = ["wide"]


def current_layout() -> str:
    """The layout being drawn now: ``"wide"``, or ``"narrow"`` for a figure's phone variant."""
    return _layout[0]


def is_narrow() -> bool:
    """True while a figure registered with ``narrow=True`` draws its phone layout
    (stack panels, fewer ticks, shorter labels)."""
    return _layout[0] == "narrow"


@contextmanager
def layout(name: str) -> Iterator[None]:
    """Draw inside this context for the ``"wide"`` (default) or ``"narrow"`` layout."""
    if name not in COLUMN_PX:
        raise ValueError(f"layout: expected one of {LAYOUTS}, got {name!r}")
    previous = _layout[0]
    _layout[0] = name
    try:
        yield
    finally:
        _layout[0] = previous


def min_fontsize(width: float, layout: str | None = None) -> float:
    """The smallest font size (points) whose text reads at ``MIN_TEXT_PX`` when a figure ``width``
    inches wide is shown in the layout's column (scaled down if it is wider, never up).

    >>> round(min_fontsize(7.0, "wide"), 1), round(min_fontsize(7.0, "narrow"), 1)
    (9.0, 16.9)
    """
    natural_px = width * 96  # 72 pt an inch, 4/3 CSS px a point
    scale = min(1.0, COLUMN_PX[layout or current_layout()] / natural_px)
    return MIN_TEXT_PX * 0.75 / scale


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
