"""Figures of the CNN page (docs/cnn.md)."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.patches import PathPatch, Rectangle
from matplotlib.path import Path
from matplotlib.textpath import TextPath
from matplotlib.transforms import Affine2D

from .. import dna, motifs
from ..experiments.cnn import (
    GATA_MANUSCRIPT_POSITION,
    MIN_INFORMATION,
    P_THRESHOLD,
    DeepSEAParameters,
    MotifCNNResult,
    ScanResult,
)
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


# --- sequence logos ---------------------------------------------------------------------------

#: Base colours for logos, per theme (A green, C blue, G amber, T red: the usual convention).
_BASES = {
    "light": {"A": "#009E73", "C": "#0072B2", "G": "#E69F00", "T": "#C0392B"},
    "dark": {"A": "#3DD6A3", "C": "#56B4E9", "G": "#F5C542", "T": "#FF6B6B"},
}


def base_colours() -> dict[str, str]:
    """The logo colour of each base in the current theme."""
    return _BASES[style.current_theme()]


@lru_cache(maxsize=None)
def _glyph(base: str) -> Path:
    """The outline of one letter, scaled to the unit square."""
    path = TextPath((0, 0), base, size=1, prop=FontProperties(family="DejaVu Sans", weight="bold"))
    box = path.get_extents()
    return path.transformed(Affine2D().translate(-box.x0, -box.y0).scale(1 / box.width, 1 / box.height))


def draw_logo(ax, pfm: np.ndarray, start: int = 0) -> None:
    """Draw the sequence logo of ``pfm`` (4, w) on ``ax``, its first column at x = ``start``.

    Letter heights are ``p * IC`` in bits (:func:`lensbook.motifs.logo_heights`;
    Schneider & Stephens 1990), the tallest letter on top.
    """
    heights = motifs.logo_heights(pfm)                        # (4, w)
    colours = base_colours()
    for column in range(heights.shape[1]):
        bottom = 0.0
        for row in np.argsort(heights[:, column], kind="stable"):
            height = float(heights[row, column])
            if height < 0.02:        # under 1% of the axis: invisible, and costly in the SVG
                continue
            base = dna.ALPHABET[row]
            x0 = start + column - 0.45
            glyph = _glyph(base).transformed(Affine2D().scale(0.9, height).translate(x0, bottom))
            ax.add_patch(PathPatch(glyph, facecolor=colours[base], edgecolor="none"))
            bottom += height
    ax.set_xlim(start - 0.6, start + heights.shape[1] - 0.4)
    ax.set_ylim(0, 2)
    ax.set_yticks([0, 1, 2])
    ax.spines[["bottom"]].set_visible(False)
    ax.tick_params(bottom=False, labelbottom=False)


# --- the trained motif CNN --------------------------------------------------------------------


def _auroc_alt(r: MotifCNNResult) -> str:
    pairs = "; ".join(f"{n} {c:.3f} against {o:.3f}"
                      for n, c, o in zip(r.motif_names, r.cnn_auroc, r.oracle_auroc))
    return (f"Bar chart of test AUROC per planted motif for the trained CNN and for the Bayes-optimal oracle: "
            f"{pairs}. The CNN reaches at least {r.min_ratio:.3f} of the oracle's AUROC for every motif.")


def _auroc_caption(r: MotifCNNResult) -> str:
    return (f"One-vs-rest AUROC on {r.n_test:,} fresh test sequences ({r.length} bp): the CNN "
            f"({r.n_filters} filters of {r.width} bp, {r.steps + r.anneal_steps} steps of {r.batch} fresh sequences) "
            f"next to the "
            f"oracle, the exact Bayes posterior of the generating model. The oracle is the ceiling, and it is "
            f"below 1: a short motif in {r.length} bp of random DNA is sometimes matched by chance, and a "
            f"planted instance is sometimes a poor match. Worst CNN/oracle ratio: {r.min_ratio:.3f}.")


@figure("motif-cnn-auroc", experiment="motif_cnn", alt=_auroc_alt, caption=_auroc_caption)
def motif_cnn_auroc(r: MotifCNNResult) -> Figure:
    """CNN and oracle AUROC per planted motif."""
    fig, ax = style.new_figure(6.5, 2.8)
    k = np.arange(len(r.motif_names))
    for offset, values, colour, label in ((-0.2, r.oracle_auroc, "C6", "oracle (Bayes-optimal)"),
                                          (0.2, r.cnn_auroc, "C0", "CNN")):
        bars = ax.bar(k + offset, values, width=0.38, color=colour, label=label)
        ax.bar_label(bars, labels=[f"{v:.3f}" for v in values], padding=2, fontsize=9, color=style.ink())
    ax.set_xticks(k, [f"{n}\n{i}" for n, i in zip(r.motif_names, r.motif_ids)])
    ax.set_ylim(0.5, 1.04)
    ax.set_ylabel("test AUROC (0.5 = chance)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.grid(axis="y", alpha=0.6)
    ax.set_axisbelow(True)
    return fig


def _searched(r: MotifCNNResult):
    return sorted((f for f in r.filters if f.searched), key=lambda f: f.p_value)


def _logos_alt(r: MotifCNNResult) -> str:
    found = "; ".join(f"filter {f.index + 1} matches {f.match_name} {f.match_id} with p = {f.p_value:.1e}"
                      for f in _searched(r))
    return (f"Sequence logos of the CNN's learned filters, each beside the logo of its rank-1 Tomtom match "
            f"among {r.n_targets} JASPAR CORE vertebrate matrices: {found}. {r.n_recovered} of "
            f"{len(r.recoveries)} planted motifs are recovered by the same TF or family with p below "
            f"{P_THRESHOLD:g}.")


def _logos_caption(r: MotifCNNResult) -> str:
    silent = r.n_filters - r.n_searched
    verb = "is" if silent == 1 else "are"
    return (f"What the CNN's filters learned: {r.n_recovered} of {len(r.recoveries)} planted motifs are "
            f"recovered by the same TF or family with p below {P_THRESHOLD:g}. "
            f"Left: each learned filter as a PFM, built from the {r.n_test:,} test sequences' windows (both "
            f"strands) where it fires above half its maximum. Right: its rank-1 Tomtom match among all "
            f"{r.n_targets} JASPAR CORE vertebrate matrices, turned to the strand and offset Tomtom aligned. "
            f"{silent} of the {r.n_filters} filters carried less than {MIN_INFORMATION:g} bits and {verb} not "
            f"shown (silent, or firing almost everywhere). Letter height: probability x information content, "
            f"in bits.")


@figure("motif-cnn-logos", experiment="motif_cnn", alt=_logos_alt, caption=_logos_caption)
def motif_cnn_logos(r: MotifCNNResult) -> Figure:
    """Learned filters as logos next to the JASPAR logos of their best Tomtom matches."""
    rows = _searched(r)
    fig, axes = style.new_figure(7.0, 0.2 + 1.05 * len(rows), nrows=len(rows), ncols=2, squeeze=False)
    for (ax_filter, ax_match), f in zip(axes, rows):
        match = motifs.reverse_complement_pfm(f.match_pfm) if f.strand else f.match_pfm
        low = min(0, -f.offset)
        high = max(f.pfm.shape[1], match.shape[1] - f.offset)
        draw_logo(ax_filter, f.pfm, start=0)
        draw_logo(ax_match, match, start=-f.offset)
        for ax in (ax_filter, ax_match):
            ax.set_xlim(low - 0.6, high - 0.4)
        ax_filter.set_ylabel("bits")
        ax_filter.set_title(f"filter {f.index + 1} (learned)", fontsize=9, loc="left")
        strand = " (rev. compl.)" if f.strand else ""
        ax_match.set_title(f"{f.match_name} {f.match_id}{strand}: p = {f.p_value:.1e}", fontsize=8.5, loc="left")
    return fig


def _maps_alt(r: MotifCNNResult) -> str:
    sites = ", ".join(f"{name} at bases {start + 1}-{start + len(c)}"
                      for (name, start, _), c in zip(r.example_sites, (x.consensus for x in r.recoveries)))
    peaks = "; ".join(f"filter {i + 1} peaks at {r.example_maps[i].max():.1f} in the window centred on base "
                      f"{int(r.example_maps[i].argmax()) + 1 + (r.width - 1) / 2:g}"
                      for i in range(r.n_filters) if r.example_maps[i].max() > 0)
    return (f"Feature maps of all {r.n_filters} filters along one {r.length}-bp random sequence carrying the "
            f"consensus of {sites} (1-based): {peaks}.")


def _maps_caption(r: MotifCNNResult) -> str:
    top = int(np.argmax(r.example_maps.max(axis=1)))
    return (f"Feature maps of the trained CNN along one sequence. Each row is one filter's feature map, "
            f"ReLU(w·x + b) at every {r.width}-bp window (best strand), "
            f"along a {r.length}-bp random sequence into which the consensus of each planted motif was written "
            f"(shaded). On the right, the filter's rank-1 JASPAR match; \"silent\" filters never fire, "
            f"\"< {MIN_INFORMATION:g} bits\" ones fire almost everywhere and carry no motif. The strongest "
            f"response: filter {top + 1} peaks at {r.example_maps[top].max():.1f} in the window centred on base "
            f"{int(r.example_maps[top].argmax()) + 1 + (r.width - 1) / 2:g}.")


@figure("motif-cnn-feature-maps", experiment="motif_cnn", alt=_maps_alt, caption=_maps_caption)
def motif_cnn_feature_maps(r: MotifCNNResult) -> Figure:
    """Feature maps of every filter along one test sequence with the three motifs planted."""
    n = r.n_filters
    fig, axes = style.new_figure(7.0, 0.5 + 0.55 * n, nrows=n, sharex=True, sharey=True)
    widths = {rec.name: len(rec.consensus) for rec in r.recoveries}
    top = max(float(r.example_maps.max()), 1e-6)
    centres = np.arange(r.example_maps.shape[1]) + 1 + (r.width - 1) / 2   # 1-based centre of each window
    for i, ax in enumerate(axes):
        for k, (name, start, _) in enumerate(r.example_sites):
            ax.axvspan(start + 0.5, start + widths[name] + 0.5, color=f"C{k + 1}", alpha=0.25, lw=0)
            if i == 0:
                ax.text(start + widths[name] / 2, top * 1.25, name, ha="center", va="bottom", fontsize=9,
                        color=f"C{k + 1}")
        ax.fill_between(centres, r.example_maps[i], step="mid", color="C0", alpha=0.9, lw=0)
        ax.set_ylabel(f"{i + 1}", rotation=0, ha="right", va="center")
        f = r.filters[i]
        label = f.match_name if f.searched else ("silent" if f.n_sites == 0 else f"< {MIN_INFORMATION:g} bits")
        ax.text(1.01, 0.5, label, transform=ax.transAxes, fontsize=8, va="center", color=style.ink())
        ax.set_yticks([])
        ax.spines[["left"]].set_visible(False)
    axes[0].set_ylim(0, top * 1.2)
    axes[0].set_title("filter", loc="left", fontsize=9)
    axes[-1].set_xlim(0.5, r.length + 0.5)
    axes[-1].set_xlabel(f"base position at the centre of the {r.width}-bp window (1-based)")
    return fig


def _ism_alt(r: MotifCNNResult) -> str:
    return (f"In-silico mutagenesis of one {r.length}-bp test sequence carrying a {r.ism_name} site at bases "
            f"{r.ism_start + 1}-{r.ism_start + r.ism_width}: the worst single-base change lowers the CNN's "
            f"log-probability of {r.ism_name} by {r.ism_drop:.2f} (the oracle's by {r.ism_oracle_drop:.2f}); "
            f"no change outside the site lowers it by more than {r.ism_outside_drop:.2f}.")


def _ism_caption(r: MotifCNNResult) -> str:
    return (f"In-silico mutagenesis: every base of a test sequence changed, one at a time, to each of the other "
            f"three bases. The worst single change lowers the CNN's log-probability of {r.ism_name} by "
            f"{r.ism_drop:.2f} (the oracle's by {r.ism_oracle_drop:.2f}); no change outside the site lowers it by "
            f"more than {r.ism_outside_drop:.2f}. Top: the "
            f"largest drop in log P({r.ism_name} | x) at each position, for the CNN (bars) and the oracle (line). "
            f"Bottom: all substitutions around the {r.ism_name} site, the original base labelled below; "
            f"red lowers the score, blue raises it. The sequence is the first {r.ism_name}-class test sequence "
            f"the CNN calls with probability above 0.9.")


@figure("motif-cnn-ism", experiment="motif_cnn", alt=_ism_alt, caption=_ism_caption)
def motif_cnn_ism(r: MotifCNNResult) -> Figure:
    """In-silico mutagenesis: every single-base change of one sequence, scored by the CNN and the oracle."""
    fig, (ax, ax_map) = style.new_figure(7.0, 4.2, nrows=2, height_ratios=[1.2, 1])
    positions = np.arange(1, r.length + 1)
    ax.axvspan(r.ism_start + 0.5, r.ism_start + r.ism_width + 0.5, color=style.ink(), alpha=0.12, lw=0)
    ax.bar(positions, r.ism_cnn.min(axis=0), width=1.0, color="C0", label="CNN")
    ax.step(positions, r.ism_oracle.min(axis=0), where="mid", color="C1", lw=1.0, label="oracle")
    ax.axhline(0, color=style.ink(), lw=0.6)
    ax.set_xlim(0.5, r.length + 0.5)
    ax.set_xlabel("base position (1-based)")
    ax.set_ylabel(f"worst change in\nlog P({r.ism_name})")
    ax.legend(loc="lower right", ncols=2)
    # zoom: every substitution around the site
    lo = max(0, r.ism_start - 8)
    hi = min(r.length, r.ism_start + r.ism_width + 8)
    window = r.ism_cnn[:, lo:hi]
    limit = float(np.abs(r.ism_cnn).max())
    cmap = "RdBu" if style.current_theme() == "light" else "berlin_r"
    image = ax_map.imshow(window, cmap=cmap, vmin=-limit, vmax=limit, aspect="auto",
                          extent=(lo + 0.5, hi + 0.5, 3.5, -0.5), interpolation="nearest")
    ax_map.set_yticks(range(4), list("ACGT"))
    ax_map.set_xticks(range(lo + 1, hi + 1), list(r.ism_sequence[lo:hi]), family="monospace", fontsize=8)
    ax_map.set_ylabel("new base")
    ax_map.set_xlabel(f"original base at positions {lo + 1}-{hi} (site boxed: "
                      f"{r.ism_start + 1}-{r.ism_start + r.ism_width})")
    ax_map.spines[["left", "bottom"]].set_visible(False)
    ax_map.add_patch(Rectangle((r.ism_start + 0.5, -0.5), r.ism_width, 4, fill=False, edgecolor=style.ink(), lw=1.2))
    fig.colorbar(image, ax=ax_map, label="change in log P", shrink=0.9)
    return fig


# --- DeepSEA ------------------------------------------------------------------------------------


def _percent(fraction: float) -> str:
    return f"{100 * fraction:.1f}%" if fraction >= 0.01 else f"{100 * fraction:.2f}%"


def _deepsea_alt(r: DeepSEAParameters) -> str:
    return (f"Horizontal bar chart of DeepSEA's {r.total:,} parameters by layer: the first fully connected "
            f"layer holds {r.counts[r.names.index('fc')]:,}, {100 * r.share('fc'):.1f}% of them; the three "
            f"convolutions together hold {100 * r.conv_share:.1f}%.")


def _deepsea_caption(r: DeepSEAParameters) -> str:
    return (f"Where DeepSEA's {r.total:,} parameters sit (counted from the PyTorch modules, weights and biases). "
            f"The convolutions reuse their filters at every position; the fully connected layer has one weight "
            f"per (feature map, position, unit), {r.fc_inputs:,} inputs x {r.n_hidden} units: "
            f"{100 * r.share('fc'):.1f}% of all parameters, against {100 * r.conv_share:.1f}% in the three "
            f"convolutions.")


@figure("deepsea-parameters", experiment="deepsea_parameters", alt=_deepsea_alt, caption=_deepsea_caption)
def deepsea_parameters(r: DeepSEAParameters) -> Figure:
    """DeepSEA's parameters per layer."""
    fig, ax = style.new_figure(6.5, 2.4)
    y = np.arange(len(r.names))[::-1]
    bars = ax.barh(y, r.counts, color=["C0" if n.startswith("conv") else "C1" for n in r.names])
    ax.bar_label(bars, labels=[f"{c:,} ({_percent(c / r.total)})" for c in r.counts], padding=3, fontsize=9,
                 color=style.ink())
    ax.set_yticks(y, r.labels)
    ax.set_xlim(0, max(r.counts) * 1.45)
    ax.set_xlabel("parameters")
    ax.ticklabel_format(axis="x", style="plain")
    ax.xaxis.set_major_formatter(lambda v, _: f"{v / 1e6:.0f}M")
    return fig
