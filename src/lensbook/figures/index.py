"""The figure of the chapter's opening (docs/index.md): three lenses on one sequence."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from ..experiments.lens_view import LensView
from ..experiments.matrix import MatrixResult
from . import style
from .registry import figure


def _sites(ax, v: LensView) -> None:
    for start, width, colour in zip((v.pos_a, v.pos_b), v.motif_widths, ("C1", "C2")):
        ax.axvspan(start, start + width, color=colour, alpha=0.25, lw=0)


@figure("three-lenses", experiment="lens_matrix", narrow=True)
def three_lenses(r: MatrixResult) -> Figure:
    """CNN feature maps, LSTM hidden states and a Transformer attention row on one sequence."""
    v = r.view
    a, b = v.motif_names
    narrow = style.is_narrow()
    fig, (ax1, ax2, ax3) = style.new_figure(*((3.7, 7.4) if narrow else (7.1, 5.8)), nrows=3, sharex=True)
    brk = "\n" if narrow else " "   # a phone's column takes the panel titles in two lines
    centres = v.bin_centres
    # macro: the CNN's feature maps at base resolution
    extent = (0, v.sequence_length, len(v.filters) - 0.5, -0.5)
    scaled = v.feature_map / np.maximum(v.feature_map.max(axis=1, keepdims=True), 1e-12)
    image = ax1.imshow(scaled, aspect="auto", interpolation="nearest", extent=extent, cmap=style.cmap(),
                       vmin=0, vmax=1)
    # filters are numbered from 1, as the motif scanner on docs/cnn.md numbers them
    ax1.set_yticks(range(len(v.filters)), [f"filter {f + 1}" for f in v.filters], fontsize=9)
    ax1.set_title(f"CNN (macro): its most active filters,{brk}base by base", fontsize=10, loc="left")
    for start, width, colour in zip((v.pos_a, v.pos_b), v.motif_widths, ("C1", "C2")):
        # the planted sites, shaded as in the panels below (outlined so the map shows through)
        ax1.axvspan(start, start + width, facecolor=colour, alpha=0.35, edgecolor=colour, lw=1.2)
    if narrow:   # under the CNN panel: beside it, it would take width from all three panels
        bar = fig.colorbar(image, ax=ax1, location="bottom", pad=0.04, aspect=30, shrink=0.8)
        bar.set_label("filter response (its own maximum = 1)", fontsize=9)
    else:
        bar = fig.colorbar(image, ax=[ax1, ax2, ax3], location="right", shrink=0.3, anchor=(0.0, 1.0), pad=0.02)
        bar.set_label("filter response\n(its own maximum = 1)", fontsize=9)
    bar.ax.tick_params(labelsize=9)
    # telephoto: the LSTM's hidden units along the bins
    _sites(ax2, v)
    for k, unit in enumerate(v.units):
        ax2.plot(centres, v.hidden[k], marker="o", ms=2.5, lw=1.2, color=f"C{(k + 3) % 7}",
                 label=f"unit {unit}")
    ax2.set_ylabel("hidden state")
    ax2.set_title(f"LSTM (telephoto): its {len(v.units)} most variable{brk}hidden units, bin by bin",
                  fontsize=10, loc="left")
    ax2.grid(axis="y", alpha=0.6)
    # fisheye: one attention row
    _sites(ax3, v)
    colours = ["C1" if t == v.bin_a else ("C2" if t == v.query_bin else "C0") for t in range(len(v.attention))]
    ax3.bar(centres, v.attention, width=v.pool * 0.8, color=colours)
    ax3.axhline(v.uniform, color=style.ink(), ls=":", lw=1)
    ax3.set_ylabel("attention weight")
    ax3.set_xlabel("position along the sequence (bp, 0-based)")
    ax3.set_title(f"Transformer (fisheye):{brk}where the {b} bin attends", fontsize=10, loc="left")
    ax3.set_xlim(0, v.sequence_length)
    handles = [Patch(color="C1", alpha=0.6, label=f"{a} site"), Patch(color="C2", alpha=0.6, label=f"{b} site")]
    ax3.legend(handles=handles, loc="upper left", fontsize=9)   # upper left: no bar reaches it
    ax3.grid(axis="y", alpha=0.6)
    ax3.set_axisbelow(True)
    return fig
