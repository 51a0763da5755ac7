"""Figures of the choosing page (docs/choosing.md, section 4.5): the lens matrix and its learning curves."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ..experiments.matrix import MatrixResult
from ..experiments.matrix_cells import LABELS
from . import style
from .registry import figure

#: One colour per lens, the same on every panel.
COLOURS = {"fully-connected": "C6", "cnn": "C0", "lstm": "C2", "transformer": "C1"}
#: One marker per lens, so that the lenses differ without colour too.
MARKERS = {"fully-connected": "s", "cnn": "o", "lstm": "^", "transformer": "D"}


def _short(architecture: str) -> str:
    return LABELS[architecture].replace("Fully connected", "FC").replace("Transformer", "Transf.")


@figure("lens-matrix", experiment="lens_matrix", narrow=True)
def lens_matrix(r: MatrixResult) -> Figure:
    """Test score of each seed, per task and lens, with the mean's 95% interval, against the oracle and chance."""
    narrow = style.is_narrow()   # a phone: one panel under the other, in the tasks' order
    ncols = 2 if len(r.tasks) > 1 and not narrow else 1
    nrows = int(np.ceil(len(r.tasks) / ncols))
    fig, axes = style.new_figure(3.7 if narrow else 6.4, (2.3 if narrow else 2.9) * nrows, nrows=nrows, ncols=ncols,
                                 squeeze=False)
    for ax in axes.flat[len(r.tasks):]:
        ax.set_visible(False)
    for ax, task in zip(axes.flat, r.tasks):
        cells = [r.cell(task, a) for a in r.architectures]
        chance = 0.5 if cells[0].metric == "AUROC" else 0.0
        for i, c in enumerate(cells):
            colour = COLOURS[c.architecture]
            offsets = np.linspace(-0.2, 0.2, len(c.scores))
            ax.scatter(i + offsets, c.scores, s=14, color=colour, marker=MARKERS[c.architecture], alpha=0.55,
                       zorder=3, lw=0)
            low, high = c.interval
            ax.errorbar(i, c.mean, yerr=[[c.mean - low], [high - c.mean]], fmt="_", ms=14, mew=2.2,
                        color=colour, elinewidth=2.2, capsize=4, zorder=4)
        ax.axhline(cells[0].oracle, color=style.ink(), ls="--", lw=1, label="oracle")
        ax.axhline(chance, color=style.ink(), ls=":", lw=1, label="chance")
        bottom = min(chance, min(min(c.scores) for c in cells), min(c.interval[0] for c in cells))
        ax.set_ylim(bottom - 0.05, 1.02)
        labels = [_short(c.architecture) for c in cells]
        single = dict(r.single_element).get(task)
        if single is not None:   # the exact best score of any one element alone, as a fifth column
            ax.scatter([len(cells)], [single], s=40, marker="x", color=style.ink(), zorder=4, lw=1.8)
            labels.append("one\nelement")
        ax.set_xticks(range(len(labels)), labels, fontsize=10)
        verdict = r.verdict(task)
        ax.set_title(f"{task}: " + ("undetermined" if verdict == "undetermined" else _short(verdict)),
                     fontsize=11)
        ax.set_ylabel(cells[0].metric, fontsize=10)
        ax.tick_params(axis="y", labelsize=9)
        ax.grid(axis="y", alpha=0.6)
        ax.set_axisbelow(True)
    # centre right: between the lenses' scores and the chance line, where no marker sits
    axes.flat[0].legend(loc="center right", fontsize=9, handlelength=1.6, framealpha=0.9)
    return fig


@figure("learning-curves", experiment="lens_matrix", narrow=True)
def learning_curves(r: MatrixResult) -> Figure:
    """Test and training-set score against training-set size, per lens, on the tasks with curves."""
    tasks = r.curve_tasks
    narrow = style.is_narrow()
    size = (3.7, 3.0 * len(tasks) + 1.5) if narrow else (6.4, 3.2 * len(tasks) + 0.8)   # narrow: a two-column legend
    fig, axes = style.new_figure(*size, nrows=len(tasks), squeeze=False, sharex=True)
    for ax, task in zip(axes[:, 0], tasks):
        curves = [r.curve(task, a) for a in r.architectures]
        for c in curves:
            colour, marker = COLOURS[c.architecture], MARKERS[c.architecture]
            ax.plot(c.sizes, c.mean_test, color=colour, marker=marker, ms=5, lw=2, zorder=3)
            ax.plot(c.sizes, c.mean_train, color=colour, marker=marker, ms=4, lw=1.2, ls="--", alpha=0.8,
                    mfc="none", zorder=2)
        oracle = curves[0].oracle
        ax.axhline(oracle, color=style.ink(), ls="-.", lw=1)
        ax.axhline(0.9 * oracle, color=style.ink(), ls=":", lw=1)
        ax.set_xscale("log", base=2)
        ax.set_xticks(curves[0].sizes, [f"{s:,}" for s in curves[0].sizes], fontsize=9)
        ax.set_ylim(0.45, 1.02)
        ax.set_ylabel("AUROC", fontsize=10)
        ax.set_title(task, fontsize=11, loc="left")
        ax.grid(alpha=0.5)
        ax.set_axisbelow(True)
    axes[-1, 0].set_xlabel("training sequences (nested sets)", fontsize=10)
    handles = [Line2D([], [], color=COLOURS[a], marker=MARKERS[a], lw=2, label=_short(a)) for a in r.architectures]
    handles += [Line2D([], [], color=style.ink(), lw=2, label="test"),
                Line2D([], [], color=style.ink(), lw=1.2, ls="--", label="training set"),
                Line2D([], [], color=style.ink(), lw=1, ls="-.", label="oracle"),
                Line2D([], [], color=style.ink(), lw=1, ls=":", label="0.9 × oracle")]
    # below the panels, where no curve runs
    axes[-1, 0].legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.2), fontsize=9,
                       ncols=2 if narrow else 4, frameon=False)
    return fig
