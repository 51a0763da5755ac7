"""The registry of figures: name -> (experiment, draw, alt text, caption)."""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from matplotlib.figure import Figure

_NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@dataclass(frozen=True)
class FigureSpec:
    """One figure of the site.

    Attributes
    ----------
    name : str
        Kebab-case name; the page shows it with ``![](figures/NAME.svg)``.
    experiment : str
        Name of the registered experiment whose result ``draw`` receives.
    draw : callable
        ``draw(result) -> matplotlib.figure.Figure``.
    narrow : bool
        Whether ``draw`` also has a phone layout. The build then draws it a
        second time inside ``style.layout("narrow")`` (``style.is_narrow()``
        is true; ``style.min_fontsize(width)`` says how small its text may
        be) and serves it as ``NAME-narrow.svg``, which phones get through a
        ``<picture>`` (``lensbook.site.pages.figure_html``). Default is False:
        one drawing, scaled down to the column on a phone.

    The figure's alt text and caption are written in the page that shows it,
    under the figure line (``alt:`` and ``caption:``, templates over the same
    results; see ``lensbook.site.rewrite``), not here.
    """

    name: str
    experiment: str
    draw: Callable[[Any], Figure]
    narrow: bool = False


FIGURES: dict[str, FigureSpec] = {}


def figure(
    name: str,
    *,
    experiment: str,
    narrow: bool = False,
) -> Callable[[Callable[[Any], Figure]], Callable[[Any], Figure]]:
    """Register a drawing function as figure ``name``; the function is returned unchanged.

    ``narrow=True``: the function draws a phone layout too, when ``style.is_narrow()``
    (see ``FigureSpec``).
    """
    if not _NAME.match(name):
        raise ValueError(f"figure name {name!r}: expected kebab-case such as 'gata-scan'")

    def register(draw: Callable[[Any], Figure]) -> Callable[[Any], Figure]:
        if name in FIGURES and FIGURES[name].draw is not draw:
            raise ValueError(f"figure {name!r} is registered twice")
        FIGURES[name] = FigureSpec(name, experiment, draw, narrow)
        return draw

    return register


def load_all() -> dict[str, FigureSpec]:
    """Import every module of ``lensbook.figures`` so that all registrations run."""
    package = importlib.import_module("lensbook.figures")
    for info in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"lensbook.figures.{info.name}")
    return FIGURES
