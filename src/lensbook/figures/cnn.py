"""Figures of the CNN page (docs/cnn.md)."""

from __future__ import annotations

from matplotlib.figure import Figure

from ..experiments.cnn import GATA_MANUSCRIPT_POSITION, ScanResult
from . import style
from .registry import figure


def _gata_alt(r: ScanResult) -> str:
    return (f"Bar chart of a hand-set {r.motif} filter's score at each window of {r.sequence}: "
            f"the peak, {r.peak_score:g} of {len(r.motif)} bases matching, is the window starting at "
            f"0-based position {r.peak_start}, bases {r.peak_first} to {r.peak_last} counted from 1.")


def _gata_caption(r: ScanResult) -> str:
    first, last = GATA_MANUSCRIPT_POSITION
    verdict = ("as the manuscript says" if (r.peak_first, r.peak_last) == (first, last)
               else f"not {first}–{last} as the manuscript says")
    return (f"A `{r.motif}` filter slid along the manuscript's sequence `{r.sequence}`. Each bar is one "
            f"window's score, ReLU(Σ w·x + b) with b = 0, which counts matching bases. The peak "
            f"({r.peak_score:g}) sits over bases {r.peak_first}–{r.peak_last} (1-based), {verdict}.")


@figure("gata-scan", experiment="gata_scan", alt=_gata_alt, caption=_gata_caption)
def gata_scan(r: ScanResult) -> Figure:
    """Feature map of the hand-set GATAAG filter along the manuscript's sequence."""
    width = len(r.motif)
    fig, (ax_seq, ax) = style.new_figure(7.0, 3.2, nrows=2, height_ratios=[1, 3], sharex=True)
    # the sequence, one letter per base, with the peak window highlighted
    for i, base in enumerate(r.sequence):
        inside = r.peak_start <= i < r.peak_start + width
        ax_seq.text(i, 0, base, ha="center", va="center", fontsize=13, family="monospace",
                    fontweight="bold" if inside else "normal", color="C1" if inside else style.ink())
    ax_seq.axvspan(r.peak_start - 0.5, r.peak_start + width - 0.5, color="C1", alpha=0.15, lw=0)
    ax_seq.set_ylim(-1, 1)
    ax_seq.set_yticks([])
    ax_seq.spines[["left", "bottom"]].set_visible(False)
    ax_seq.tick_params(bottom=False)
    # each window's score, plotted at the window's first base
    starts = range(len(r.scores))
    colours = ["C1" if s == r.peak_start else "C0" for s in starts]
    ax.bar(starts, r.scores, color=colours, width=0.7)
    ax.set_xticks(range(len(r.sequence)), [str(i + 1) for i in range(len(r.sequence))])
    ax.set_xlim(-0.6, len(r.sequence) - 0.4)
    ax.set_ylim(0, width + 0.5)
    ax.set_xlabel("window start (1-based base position)")
    ax.set_ylabel("filter score")
    ax.annotate(f"peak {r.peak_score:g}: bases {r.peak_first}–{r.peak_last}",
                xy=(r.peak_start, r.peak_score), xytext=(r.peak_start + 1.2, width + 0.1),
                arrowprops={"arrowstyle": "->", "color": style.ink()}, color=style.ink())
    ax.grid(axis="y", alpha=0.6)
    ax.set_axisbelow(True)
    return fig
