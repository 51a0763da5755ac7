"""Figures of the Transformer page (docs/transformer.md, section 4.4)."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch

from ..experiments.attention_costs import CostResult
from ..experiments.long_range import DistanceResult
from ..experiments.matrix import MatrixResult
from ..experiments.positional_encoding import PositionalEncodingResult
from ..experiments.qkv_schematic import QKVShapes
from . import style
from .choosing import COLOURS, MARKERS
from .registry import figure


# -- accuracy against distance ------------------------------------------------------------


@figure("nearer-enhancer-distance", experiment="lens_matrix", narrow=True)
def nearer_enhancer_distance(r: MatrixResult) -> Figure:
    """AUROC per band of the acting enhancer's distance for each lens of the matrix's long-range row."""
    narrow = style.is_narrow()
    fig, ax = style.new_figure(3.7, 4.6) if narrow else style.new_figure(7.1, 3.6)
    task = "long-range"
    edges = np.array(dict(r.band_edges)[task])
    centres = (edges[:-1] + edges[1:]) / 2
    reach = dict(r.cnn_reach)[task]
    ax.axvspan(reach, edges[-1] + 30, color=style.ink(), alpha=0.07, lw=0)
    ax.plot(centres, r.cell(task, "cnn").oracle_bands, color=style.ink(), ls="--", lw=1.2, label="oracle")
    for lens in r.architectures:
        cell = r.cell(task, lens)
        colour, marker = COLOURS[lens], MARKERS[lens]
        for seed in np.array(cell.band_scores):                  # (bands,) per seed
            ax.plot(centres, seed, ls="none", marker=marker, ms=3.5, color=colour, alpha=0.45)
        ax.plot(centres, cell.mean_bands, color=colour, lw=2, marker=marker, ms=5, label=cell.label)
    ax.axhline(dict(r.single_element)[task], color=style.ink(), lw=1.0, alpha=0.7, ls=":",
               label="one element alone" if narrow else "any one element alone (exact)")
    ax.set_ylim(0.4, 1.03)
    ax.set_xlim(edges[0] - 20, edges[-1] + 20)
    ax.set_xticks(edges)
    ax.set_xlabel("distance of the nearer enhancer (bp)")
    ax.set_ylabel("AUROC")
    ax.grid(alpha=0.5)
    ax.set_axisbelow(True)
    ax.text(reach + 8, 0.43, "beyond the\nCNN's reach" if narrow else "beyond the CNN's reach",
            fontsize=9, color=style.ink())
    if narrow:   # under the panel: inside, it would cover the points
        ax.legend(loc="upper left", bbox_to_anchor=(-0.2, -0.16), fontsize=9, ncols=2)
    else:
        fig.legend(*ax.get_legend_handles_labels(), loc="outside upper center", fontsize=9, ncols=3)
    return fig


# -- reading attention ---------------------------------------------------------------------


@figure("attention-reading", experiment="long_range", narrow=True)
def attention_reading(r: DistanceResult) -> Figure:
    """Example attention rows (positives and negatives) and the seed-level summary."""
    a = r.attention
    narrow = style.is_narrow()
    if narrow:   # stacked: the four example rows above, the summary below
        fig = Figure(figsize=(3.7, 10.4), layout="constrained")
        left, right = fig.subfigures(2, 1, height_ratios=[1.1, 1])
    else:
        fig = Figure(figsize=(7.1, 5.2), layout="constrained")
        left, right = fig.subfigures(1, 2, width_ratios=[1.1, 1])
    rows = left.subplots(4, 1, sharex=True, sharey=True)
    bins = np.arange(a.bins)
    for k, ax in enumerate(rows):
        weights = np.array(a.examples[k])
        positive = a.example_distances[k] >= 0
        colour = "C2" if positive else "C3"
        ax.bar(bins, weights, color=colour, width=0.8)
        mark = a.example_marks[k]
        ax.plot([mark], [weights[mark] + 0.12], marker="o", ms=5, color=style.ink(),
                mfc=style.ink() if positive else "none", ls="none")
        ax.plot([a.promoter_bin], [1.15], marker="v", ms=5, color=style.ink(), ls="none")
        label = (f"enhancer {a.example_distances[k]} bp upstream" if positive else "no enhancer")
        ax.text(0.01, 0.98, f"{label}; P = {a.example_probabilities[k]:.2f}", transform=ax.transAxes,
                fontsize=9, va="top", color=style.ink())
        ax.axhline(a.uniform, color=style.ink(), lw=0.8, ls=":")
        ax.set_ylim(0, 1.7)
        ax.set_yticks([0, 0.5, 1])
        ax.set_ylabel("weight", fontsize=9)
    rows[-1].set_xlabel(f"bin ({a.bin_size} bp each)")
    ax = right.subplots()
    items = [("weight on enhancer bin\n(with enhancer)", a.enhancer_weight, "C2"),
             ("top bin = enhancer\n(with enhancer)", a.top1_enhancer, "C2"),
             ("peak weight\n(with enhancer)", a.peak_positive, "C2"),
             ("top bin = best partial\nmatch (no enhancer)", a.top1_match_negative, "C3"),
             ("top bin = promoter's\nown bin (no enhancer)", a.top1_self_negative, "C3"),
             ("peak weight\n(no enhancer)", a.peak_negative, "C3"),
             ("peak > 0.5\n(no enhancer)", a.sharp_negative, "C3")]
    y = np.arange(len(items))[::-1]
    for yi, (label, values, colour) in zip(y, items):
        ax.barh(yi, np.mean(values), color=colour, height=0.6, alpha=0.85)
        ax.plot(values, [yi] * len(values), ls="none", marker="|", ms=12, mew=1.5, color=style.ink())
        ax.text(max(values) + 0.04, yi, f"{np.mean(values):.2f}", va="center", fontsize=9, color=style.ink())
    ax.axvline(a.uniform, color=style.ink(), lw=0.8, ls=":")
    ax.text(a.uniform + 0.01, y[0] + 0.5, f"uniform {a.uniform:.3f}", fontsize=9, color=style.ink())
    ax.set_yticks(y, [label for label, _, _ in items], fontsize=9)
    ax.set_xlim(0, 1.25)
    ax.set_xticks([0, 0.5, 1.0])   # at 9 pt, quarter steps would run into each other
    ax.set_ylim(-0.6, len(items) - 0.2)
    ax.set_xlabel("mean over test sequences" if narrow else "mean over\ntest sequences")
    return fig


# -- what attention costs -------------------------------------------------------------------


@figure("attention-costs", experiment="attention_costs", narrow=True)
def attention_costs(r: CostResult) -> Figure:
    """FLOPs and attention-matrix bytes against sequence length, log-log."""
    narrow = style.is_narrow()
    if narrow:   # stacked: FLOPs above, the attention matrix's size below
        fig, (ax, ax_mem) = style.new_figure(3.7, 6.6, nrows=2)
    else:
        fig, (ax, ax_mem) = style.new_figure(7.1, 3.2, ncols=2, width_ratios=[1.4, 1])
    L = np.array(r.lengths, dtype=float)
    colours = {"attention": "C2", "convolution": "C0", "LSTM": "C1"}
    for name, values in r.flops.items():
        ax.plot(L, values, marker="o", ms=4, lw=2, color=colours[name], label=name)
    for power, anchor in ((1, r.flops["LSTM"][0] / 2), (2, r.flops["attention"][0] * 2)):
        ax.plot(L, anchor * (L / L[0]) ** power, ls=":", lw=1, color=style.ink())
        ax.text(L[-1] * 1.08, anchor * (L[-1] / L[0]) ** power, f"∝ L{'²' if power == 2 else ''}",
                fontsize=9, va="center", color=style.ink())
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ticks = L[::2] if narrow else L   # a phone's column takes every other length
    ax.set_xticks(ticks, [f"{int(n):,}" for n in ticks], fontsize=9)
    ax.set_xlim(L[0] / 1.3, L[-1] * 1.6)
    ax.set_xlabel("sequence length L")
    ax.set_ylabel("FLOPs per forward pass")
    ax.legend(fontsize=9, loc="upper left")
    ax.grid(alpha=0.5, which="major")
    mib = np.array(r.attention_matrix_bytes) / 2**20
    ax_mem.plot(L, mib, marker="o", ms=4, lw=2, color="C2")
    for k, (x, m) in enumerate(zip(L[::2], mib[::2])):
        # the first to the right of its point: on the left it would run into the y-axis
        ax_mem.annotate(f"{m:,.0f} MiB" if m >= 1 else f"{m * 1024:,.0f} KiB", (x, m), textcoords="offset points",
                        xytext=(7, -1) if k == 0 else (-4, 7), fontsize=9, ha="left" if k == 0 else "right",
                        va="center" if k == 0 else "baseline", color=style.ink())
    ax_mem.annotate(f"{mib[-1]:,.0f} MiB", (L[-1], mib[-1]), textcoords="offset points", xytext=(-4, 7),
                    fontsize=9, ha="right", color=style.ink())
    ax_mem.set_xscale("log", base=2)
    ax_mem.set_yscale("log")
    ax_mem.set_xticks(L[::2], [f"{int(n):,}" for n in L[::2]], fontsize=9)
    ax_mem.set_xlabel("sequence length L")
    ax_mem.set_ylabel("attention weights (MiB)")
    ax_mem.grid(alpha=0.5)
    return fig


# -- positions -------------------------------------------------------------------------------


@figure("positional-encoding", experiment="positional_encoding", narrow=True)
def positional_encoding(r: PositionalEncodingResult) -> Figure:
    """The sinusoidal table as a heat map and the similarity of positions against distance."""
    narrow = style.is_narrow()
    if narrow:   # stacked: the table above, the similarity below
        fig, (ax, ax_sim) = style.new_figure(3.7, 6.4, nrows=2)
    else:
        fig, (ax, ax_sim) = style.new_figure(7.1, 3.0, ncols=2, width_ratios=[1.2, 1])
    image = ax.imshow(r.table.T, aspect="auto", cmap=style.cmap(), vmin=-1, vmax=1, origin="lower",
                      interpolation="nearest")
    ax.set_xlabel("position")
    ax.set_ylabel("dimension")
    # on a phone above the table: beside it, it would narrow both panels
    colourbar = fig.colorbar(image, ax=ax, shrink=0.85, **({"location": "top", "aspect": 30} if narrow else {}))
    colourbar.ax.tick_params(labelsize=9)
    positions = np.arange(r.positions)
    for k, anchor in enumerate(r.anchors):
        ax_sim.plot(positions, r.similarity[k], color=f"C{k}", lw=1.8, label=f"position {anchor}")
        ax_sim.axvline(anchor, color=f"C{k}", lw=0.8, ls=":")
    ax_sim.set_xlabel("position")
    ax_sim.set_ylabel("cosine similarity")
    ax_sim.set_ylim(-0.05, 1.05)
    ax_sim.legend(fontsize=9, loc="lower center")
    ax_sim.grid(alpha=0.5)
    return fig


# -- queries, keys and values ----------------------------------------------------------------


def _shape(dims: tuple[int, ...]) -> str:
    return " × ".join(str(n) for n in dims)


def _box(ax, x0: float, x1: float, y: float, height: float, lines: list[str], colour: str | None) -> None:
    """A rounded box from ``x0`` to ``x1`` centred on ``y``, with centred lines of text."""
    face = "none" if colour is None else colour
    ax.add_patch(FancyBboxPatch((x0, y - height / 2), x1 - x0, height, boxstyle="round,pad=0,rounding_size=2",
                                facecolor=face, alpha=0.16 if colour else 1, lw=0))
    ax.add_patch(FancyBboxPatch((x0, y - height / 2), x1 - x0, height, boxstyle="round,pad=0,rounding_size=2",
                                facecolor="none", edgecolor=colour or style.ink(), lw=1.6))
    step = 7.0
    top = y + step * (len(lines) - 1) / 2
    for i, line in enumerate(lines):
        ax.text((x0 + x1) / 2, top - i * step, line, ha="center", va="center", fontsize=12, color=style.ink())


def _arrow(ax, start: tuple[float, float], end: tuple[float, float]) -> None:
    ax.annotate("", xy=end, xytext=start,
                arrowprops=dict(arrowstyle="-|>", color=style.ink(), lw=1.3, shrinkA=0, shrinkB=0,
                                mutation_scale=14))


@figure("qkv-schematic", experiment="qkv_schematic")
def qkv_schematic(r: QKVShapes) -> Figure:
    """Queries, keys and values of the page's hybrid, top to bottom, with the shapes of one sequence.

    Drawn narrow (4.4 in) so that its 12-pt text stays legible on a phone.
    """
    sh, heads, d_head = r.shapes, r.config.heads, r.d_head
    width, height = 4.4, 6.9
    fig = Figure(figsize=(width, height))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 100 * height / width)
    ax.set_axis_off()
    bins = sh["x"][0]
    colour = {"Q": "C0", "K": "C1", "V": "C2"}
    columns = {"Q": (1, 32), "K": (34.5, 65.5), "V": (68, 99)}

    _box(ax, 12, 88, 143, 17, [f"input embeddings $X$: {_shape(sh['x'])}",
                                f"one row per bin, $d_{{model}}$ = {sh['x'][1]}"], None)
    for name, (x0, x1) in columns.items():
        _arrow(ax, (50 + (x0 + x1 - 100) * 0.35, 134.5), ((x0 + x1) / 2, 125.5))
        _box(ax, x0, x1, 111, 29, [f"${name} = X\\,W_{name}$", f"$W_{name}$: {_shape(sh['W_' + name])}",
                                   f"${name}$: {_shape(sh[name])}",
                                   f"${name}_h$: {_shape(sh[name + '_head'])}"], colour[name])
    _arrow(ax, (16.5, 96.5), (16.5, 91))
    _arrow(ax, (50, 96.5), (50, 91))
    _box(ax, 1, 65.5, 83, 16, [f"scores $S = Q_h K_h^\\top / \\sqrt{{{d_head}}}$",
                               f"{_shape(sh['scores'][1:])} for each of {heads} heads"], "C3")
    _arrow(ax, (33, 75), (33, 67))
    _box(ax, 1, 65.5, 59, 16, ["$\\alpha$ = softmax($S$), row by row",
                               f"{_shape(sh['alpha'][1:])}; each row sums to 1"], "C3")
    _arrow(ax, (33, 51), (33, 43))
    _arrow(ax, (83.5, 96.5), (83.5, 43))
    _box(ax, 1, 99, 35, 16, ["weighted sum $Z_h = \\alpha\\, V_h$", f"{_shape(sh['Z_head'])} per head: "
                             f"row $i$ gathers from all {bins}"], "C2")
    _arrow(ax, (50, 27), (50, 19))
    _box(ax, 1, 99, 11, 16, [f"concatenate the {heads} heads: {_shape(sh['Z'])}",
                             f"$\\times\\, W_O$ ({_shape(sh['W_O'])}) → output {_shape(sh['output'])}"], None)
    return fig
