"""Figures of the choosing page (docs/choosing.md, section 4.5): the lens matrix, seed by seed."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from ..experiments.matrix import LABELS, MatrixResult
from . import style
from .registry import figure

#: One colour per lens, the same on every panel.
COLOURS = {"fully-connected": "C6", "cnn": "C0", "lstm": "C2", "transformer": "C1"}


@figure("lens-matrix", experiment="lens_matrix")
def lens_matrix(r: MatrixResult) -> Figure:
    """Score of each seed, per task and lens, against the oracle and chance."""
    fig, axes = style.new_figure(8.0, 2.9, ncols=len(r.tasks), squeeze=False)
    # one y-range for every panel of a metric, so that heights compare across tasks
    lows = {}
    for task in r.tasks:
        cells = [r.cell(task, a) for a in r.architectures]
        chance = 0.5 if cells[0].metric == "AUROC" else 0.0
        low = min(chance, min(min(c.scores) for c in cells))
        lows[cells[0].metric] = min(lows.get(cells[0].metric, low), low)
    for ax, task in zip(axes[0], r.tasks):
        cells = [r.cell(task, a) for a in r.architectures]
        chance = 0.5 if cells[0].metric == "AUROC" else 0.0
        for i, c in enumerate(cells):
            colour = COLOURS[c.architecture]
            offsets = np.linspace(-0.15, 0.15, len(c.scores))
            ax.scatter(i + offsets, c.scores, s=16, color=colour, zorder=3)
            ax.plot([i - 0.3, i + 0.3], [c.mean, c.mean], color=colour, lw=2.2, zorder=2)
        ax.axhline(cells[0].oracle, color=style.ink(), ls="--", lw=1, label="oracle")
        ax.axhline(chance, color=style.ink(), ls=":", lw=1, label="chance")
        ax.set_ylim(lows[cells[0].metric] - 0.05, 1.02)
        ax.set_xticks(range(len(cells)), [LABELS[c.architecture].replace("Fully connected", "FC")
                                          for c in cells], rotation=35, ha="right")
        ax.set_title(task, fontsize=10)
        ax.set_ylabel(cells[0].metric)
        ax.grid(axis="y", alpha=0.6)
        ax.set_axisbelow(True)
    # the two reference lines are named in a legend, where no line or point can cover them
    axes[0][0].legend(loc="lower right", fontsize=7, handlelength=1.6, framealpha=0.9)
    return fig
