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
from ..experiments.cnn import MotifCNNResult
from ..experiments.deepsea_parameters import DeepSEAParameters
from ..experiments.dilated_receptive_field import DilationResult
from ..experiments.gata_scan import ScanResult
from . import style
from .registry import figure


@figure("gata-scan", experiment="gata_scan", narrow=True)
def gata_scan(r: ScanResult) -> Figure:
    """Feature map of the hand-set GATAAG filter along the manuscript's sequence."""
    width = len(r.motif)
    narrow = style.is_narrow()
    fig, (ax_seq, ax) = style.new_figure(*((3.7, 3.4) if narrow else (7.0, 3.2)), nrows=2, height_ratios=[1, 3],
                                         sharex=True)
    # the sequence, one letter per base, with the peak window highlighted
    for i, base in enumerate(r.sequence):
        inside = r.peak_start <= i < r.peak_start + width
        ax_seq.text(i, 0, base, ha="center", va="center", fontsize=11 if narrow else 13, family="monospace",
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
    ax.set_xlabel("window start (base, 1-based)" if narrow else "window start (1-based base position)")
    ax.set_ylabel("filter score")
    ax.annotate(f"peak {r.peak_score:g}:{chr(10) if narrow else ' '}bases {r.peak_first}–{r.peak_last}",
                xy=(r.peak_start, r.peak_score), xytext=(r.peak_start + 1.2, width - (0.9 if narrow else -0.1)),
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


@figure("motif-cnn-auroc", experiment="motif_cnn", narrow=True)
def motif_cnn_auroc(r: MotifCNNResult) -> Figure:
    """CNN and oracle AUROC per planted motif."""
    narrow = style.is_narrow()
    fig, ax = style.new_figure(*((3.7, 3.8) if narrow else (6.5, 2.8)))
    k = np.arange(len(r.motif_names))
    for offset, values, colour, label in ((-0.2, r.oracle_auroc, "C6", "oracle (Bayes-optimal)"),
                                          (0.2, r.cnn_auroc, "C0", "CNN")):
        bars = ax.bar(k + offset, values, width=0.38, color=colour, label=label)
        ax.bar_label(bars, labels=[f"{v:.3f}" for v in values], padding=2, fontsize=9, color=style.ink(),
                     rotation=90 if narrow else 0)
    ax.set_xticks(k, [f"{n}\n{i}" for n, i in zip(r.motif_names, r.motif_ids)])
    ax.set_ylim(0.5, 1.1 if narrow else 1.04)
    ax.set_ylabel("test AUROC (0.5 = chance)")
    if narrow:
        ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=1)
    else:
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.grid(axis="y", alpha=0.6)
    ax.set_axisbelow(True)
    return fig


def _searched(r: MotifCNNResult):
    return sorted((f for f in r.filters if f.searched), key=lambda f: f.p_value)


@figure("motif-cnn-logos", experiment="motif_cnn", narrow=True)
def motif_cnn_logos(r: MotifCNNResult) -> Figure:
    """Learned filters as logos next to the JASPAR logos of their best Tomtom matches."""
    rows = _searched(r)
    narrow = style.is_narrow()
    fig, axes = style.new_figure(3.7 if narrow else 7.0, 0.2 + (1.6 if narrow else 1.3) * len(rows),
                                 nrows=len(rows), ncols=2, squeeze=False)
    for (ax_filter, ax_match), f in zip(axes, rows):
        match = motifs.reverse_complement_pfm(f.match_pfm) if f.strand else f.match_pfm
        low = min(0, -f.offset)
        high = max(f.pfm.shape[1], match.shape[1] - f.offset)
        draw_logo(ax_filter, f.pfm, start=0)
        draw_logo(ax_match, match, start=-f.offset)
        for ax in (ax_filter, ax_match):
            ax.set_xlim(low - 0.6, high - 0.4)
        ax_filter.set_ylabel("bits")
        ax_filter.set_title(f"filter {f.index + 1}{chr(10) if narrow else ' '}(learned)", fontsize=9, loc="left")
        strand = (" (rev. compl.)" if f.strand else "")
        if narrow:
            ax_match.set_title(f"{f.match_name}{' (rev.)' if f.strand else ''}\n{f.match_id}\np = {f.p_value:.1e}",
                               fontsize=9, loc="left")
        else:
            ax_match.set_title(f"{f.match_name} {f.match_id}{strand}\np = {f.p_value:.1e}", fontsize=9, loc="left")
    return fig


@figure("motif-cnn-feature-maps", experiment="motif_cnn", narrow=True)
def motif_cnn_feature_maps(r: MotifCNNResult) -> Figure:
    """Feature maps of every filter along one test sequence with the three motifs planted."""
    n = r.n_filters
    narrow = style.is_narrow()
    fig, axes = style.new_figure(3.7 if narrow else 7.0, (0.9 + 0.6 * n) if narrow else (0.5 + 0.55 * n), nrows=n,
                                 sharex=True, sharey=True)
    widths = {rec.name: len(rec.consensus) for rec in r.recoveries}
    top = max(float(r.example_maps.max()), 1e-6)
    centres = np.arange(r.example_maps.shape[1]) + 1 + (r.width - 1) / 2   # 1-based centre of each window
    for i, ax in enumerate(axes):
        for k, (name, start, _) in enumerate(r.example_sites):
            ax.axvspan(start + 0.5, start + widths[name] + 0.5, color=f"C{k + 1}", alpha=0.25, lw=0)
            if i == 0:
                ax.text(start + widths[name] / 2, top * 1.25, name, ha="center", va="bottom", fontsize=9,
                        color=f"C{k + 1}", rotation=0)
        ax.fill_between(centres, r.example_maps[i], step="mid", color="C0", alpha=0.9, lw=0)
        ax.set_ylabel(f"{i + 1}", rotation=0, ha="right", va="center")
        f = r.filters[i]
        label = f.match_name if f.searched else ("silent" if f.n_sites == 0 else f"< {r.min_information:g} bits")
        ax.text(1.01, 0.5, label, transform=ax.transAxes, fontsize=9, va="center", color=style.ink())
        ax.set_yticks([])
        ax.spines[["left"]].set_visible(False)
    axes[0].set_ylim(0, top * 1.2)
    axes[0].set_title("filter", loc="left", fontsize=9, pad=16 if narrow else 6)
    axes[-1].set_xlim(0.5, r.length + 0.5)
    axes[-1].set_xlabel(f"centre of the {r.width}-bp window\n(base, 1-based)" if narrow
                        else f"base position at the centre of the {r.width}-bp window (1-based)")
    return fig


@figure("motif-cnn-ism", experiment="motif_cnn", narrow=True)
def motif_cnn_ism(r: MotifCNNResult) -> Figure:
    """In-silico mutagenesis: every single-base change of one sequence, scored by the CNN and the oracle."""
    name = r.motif_names[r.ism_class - 1]
    narrow = style.is_narrow()
    fig, (ax, ax_map) = style.new_figure(*((3.7, 5.4) if narrow else (7.0, 4.4)), nrows=2, height_ratios=[1.2, 1])
    positions = np.arange(1, r.length + 1)
    ax.axvspan(r.ism_start + 0.5, r.ism_start + r.ism_width + 0.5, color=style.ink(), alpha=0.12, lw=0)
    ax.bar(positions, r.ism_cnn.min(axis=0), width=1.0, color="C0", label="CNN")
    ax.step(positions, r.ism_oracle.min(axis=0), where="mid", color="C1", lw=1.0, label="oracle")
    ax.axhline(0, color=style.ink(), lw=0.6)
    ax.set_xlim(0.5, r.length + 0.5)
    ax.set_xlabel("base position (1-based)")
    ax.set_ylabel(f"worst change in\nlog P({name})")
    ax.legend(loc="lower right", ncols=1 if narrow else 2)
    # zoom: every substitution around the site
    lo = max(0, r.ism_start - 8)
    hi = min(r.length, r.ism_start + r.ism_width + 8)
    window = r.ism_cnn[:, lo:hi]
    limit = float(np.abs(r.ism_cnn).max())
    cmap = "RdBu" if style.current_theme() == "light" else "berlin_r"
    image = ax_map.imshow(window, cmap=cmap, vmin=-limit, vmax=limit, aspect="auto",
                          extent=(lo + 0.5, hi + 0.5, 3.5, -0.5), interpolation="nearest")
    ax_map.set_yticks(range(4), list("ACGT"))
    ax_map.set_xticks(range(lo + 1, hi + 1), list(r.ism_sequence[lo:hi]), family="monospace", fontsize=9)
    ax_map.set_ylabel("new base")
    ax_map.set_xlabel(f"original base at positions {lo + 1}-{hi}{chr(10) if narrow else ' '}(site boxed: "
                      f"{r.ism_start + 1}-{r.ism_start + r.ism_width})")
    ax_map.spines[["left", "bottom"]].set_visible(False)
    ax_map.add_patch(Rectangle((r.ism_start + 0.5, -0.5), r.ism_width, 4, fill=False, edgecolor=style.ink(), lw=1.2))
    if narrow:
        fig.colorbar(image, ax=ax_map, label="change in log P", location="bottom", shrink=0.9)
    else:
        fig.colorbar(image, ax=ax_map, label="change in log P", shrink=0.9)
    return fig


# --- DeepSEA ------------------------------------------------------------------------------------


def _percent(fraction: float) -> str:
    return f"{100 * fraction:.1f}%" if fraction >= 0.01 else f"{100 * fraction:.2f}%"


@figure("deepsea-parameters", experiment="deepsea_parameters", narrow=True)
def deepsea_parameters(r: DeepSEAParameters) -> Figure:
    """DeepSEA's parameters per layer."""
    narrow = style.is_narrow()
    fig, ax = style.new_figure(*((3.7, 3.6) if narrow else (6.5, 2.4)))
    y = np.arange(len(r.names))[::-1]
    bars = ax.barh(y, r.counts, color=["C0" if n.startswith("conv") else "C1" for n in r.names])
    gap = "\n" if narrow else " "
    ax.bar_label(bars, labels=[f"{c:,}{gap}({_percent(c / r.total)})" for c in r.counts], padding=3, fontsize=9,
                 color=style.ink())
    ax.set_yticks(y, [label.replace(": ", ":\n") for label in r.labels] if narrow else r.labels)
    ax.set_xlim(0, max(r.counts) * (1.75 if narrow else 1.45))
    ax.set_xlabel("parameters")
    ax.ticklabel_format(axis="x", style="plain")
    ax.xaxis.set_major_formatter(lambda v, _: f"{v / 1e6:.0f}M")
    return fig


# --- dilated convolutions ------------------------------------------------------------------------


@figure("dilated-receptive-field", experiment="dilated_receptive_field")
def dilated_receptive_field(r: DilationResult) -> Figure:
    """Two dilated convolutions drawn tap by tap, and SpliceAI's context growing unit by unit."""
    fig, (ax, ax_grow) = style.new_figure(4.2, 6.2, nrows=2, height_ratios=[1, 1.2])
    (w1, d1), (w2, d2) = r.stack
    half = r.stack_field // 2
    # (a) one output (top) reads w2 units of layer 1, d2 apart; each of them reads w1 bases, d1 apart
    taps2 = [d2 * (j - (w2 - 1) // 2) for j in range(w2)]
    for t in taps2:
        for j in range(w1):
            ax.plot([t, t + d1 * (j - (w1 - 1) // 2)], [1, 0], color="C0", lw=0.5, alpha=0.55)
        ax.plot([0, t], [2, 1], color="C1", lw=1.3)
    every = np.arange(-half, half + 1)
    ax.scatter(every, np.zeros_like(every), s=6, color="C0", zorder=3)
    ax.scatter(every, np.ones_like(every), s=6, facecolor="none", edgecolor=style.ink(), lw=0.5, zorder=3)
    ax.scatter(taps2, np.ones(len(taps2)), s=16, color="C1", zorder=4)
    ax.scatter([0], [2], s=40, color="C1", zorder=4)
    ax.set_yticks([0, 1, 2], ["input", f"conv D={d1}", f"conv D={d2}"], fontsize=11)
    ax.set_xticks([-half, 0, half])
    ax.tick_params(axis="x", labelsize=11)
    ax.set_xlabel(f"base, relative to the output\n({r.stack_field} bases seen)", fontsize=11)
    ax.text(-half, 1.75, f"taps {d2} apart", fontsize=11, ha="left", va="center", color="C1")
    ax.set_title(f"(a) W = {w1}: D = {d1}, then D = {d2}", loc="left", fontsize=12)
    ax.set_ylim(-0.3, 2.3)
    ax.spines[["left"]].set_visible(False)
    ax.tick_params(axis="y", left=False)
    # (b) the context CL after each residual unit of the whole model, with and without dilation
    units = np.arange(1, len(r.units) + 1)
    ax_grow.plot(units, r.context, "o-", color="C1", ms=4, label="dilated (SpliceAI)")
    ax_grow.plot(units, r.undilated, "s--", color="C0", ms=3.5, label="all D = 1")
    for name, (n, cl) in r.presets.items():
        ax_grow.annotate(f"{cl:,}", xy=(n, cl), xytext=(-4, 6), textcoords="offset points", ha="right",
                         fontsize=11, color=style.ink())
    ax_grow.annotate(f"{r.undilated[-1]:,}", xy=(units[-1], r.undilated[-1]), xytext=(0, -16),
                     textcoords="offset points", ha="right", fontsize=11, color=style.ink())
    dilations = [d for _, d in r.units]
    for k, d in enumerate(dict.fromkeys(dilations)):
        first = dilations.index(d) + 1
        last = len(dilations) - dilations[::-1].index(d)
        ax_grow.axvspan(first - 0.5, last + 0.5, color=style.ink(), alpha=0.0 if k % 2 else 0.07, lw=0)
        ax_grow.text((first + last) / 2, 1.0, f"D={d}", transform=ax_grow.get_xaxis_transform(), ha="center",
                     va="bottom", fontsize=11)
    ax_grow.set_yscale("log")
    ax_grow.set_ylim(10, 30_000)
    ax_grow.set_xlim(0.5, len(r.units) + 0.5)
    ax_grow.set_xticks([4, 8, 12, 16])
    ax_grow.tick_params(labelsize=11)
    ax_grow.set_xlabel(f"residual units of SpliceAI-{r.preset}\n(2 convolutions each)", fontsize=11)
    ax_grow.set_ylabel("context CL (bases)", fontsize=11)
    ax_grow.set_title("(b) context after each unit", loc="left", fontsize=12, pad=18)
    ax_grow.legend(loc="upper left", fontsize=10.5)
    ax_grow.grid(axis="y", alpha=0.6, which="major")
    ax_grow.set_axisbelow(True)
    return fig
