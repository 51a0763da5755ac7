"""Figures of the Transformer page (docs/transformer.md, section 4.4)."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from ..experiments.long_range import DistanceResult
from ..experiments.transformer import CostResult, PositionalEncodingResult
from . import style
from .registry import figure

_MODEL_COLOUR = {"CNN": "C0", "LSTM": "C1", "Transformer": "C2"}
_MODEL_MARKER = {"CNN": "o", "LSTM": "s", "Transformer": "^"}


# -- accuracy against distance ------------------------------------------------------------


def _distance_alt(r: DistanceResult) -> str:
    means = ", ".join(f"{m} {np.mean(r.overall_auroc[i]):.3f}" for i, m in enumerate(r.models))
    return (f"Line chart of AUROC and balanced accuracy against enhancer-promoter distance "
            f"({r.min_distance} to {r.max_distance} bp, bands of {r.band_edges[1] - r.band_edges[0]} bp) for a CNN, "
            f"an LSTM and a Transformer head, {r.n_seeds} seeds each, next to the oracle. The CNN sees enhancers "
            f"up to {r.cnn_reach_bp} bp away: mean AUROC {r.cnn_near_auroc:.2f} in the bands within reach, "
            f"{r.cnn_far_auroc:.2f} beyond. Overall AUROC: {means}; oracle {r.oracle_overall_auroc:.3f}.")


def _distance_caption(r: DistanceResult) -> str:
    means = ", ".join(f"{m} {np.mean(r.overall_auroc[i]):.3f}" for i, m in enumerate(r.models))
    return (f"Accuracy against enhancer-promoter distance. Overall AUROC: {means}; oracle "
            f"{r.oracle_overall_auroc:.3f}. The CNN scores AUROC {r.cnn_near_auroc:.2f} within its reach and "
            f"{r.cnn_far_auroc:.2f} beyond. "
            f"Three heads on one frozen motif stem, all reading out at the promoter's bin "
            f"({r.length:,}-bp sequences, {r.bin_size}-bp bins, promoter at 0-based position {r.promoter_start}). "
            f"Lines: mean over {r.n_seeds} seeds; markers: each seed. Each band's positives are scored against "
            f"the same {r.n_test:,} negatives; balanced accuracy is (sensitivity + specificity) / 2 at a logit "
            f"of 0. The shaded region is beyond the CNN's receptive field of {r.cnn_receptive_field_bins} bins "
            f"(enhancers more than {r.cnn_reach_bp} bp upstream). Budget per head: {r.steps} steps of "
            f"{r.batch} fresh sequences.")


@figure("long-range-distance", experiment="long_range", alt=_distance_alt, caption=_distance_caption)
def long_range_distance(r: DistanceResult) -> Figure:
    """AUROC and balanced accuracy per distance band for each head, with the oracle."""
    fig, axes = style.new_figure(7.6, 3.3, ncols=2, sharex=True)
    centres = np.array(r.band_centres)
    for ax, values, oracle, label in ((axes[0], r.auroc, r.oracle_auroc, "AUROC"),
                                      (axes[1], r.accuracy, r.oracle_accuracy, "balanced accuracy")):
        ax.axvspan(r.cnn_reach_bp, r.max_distance + 30, color=style.ink(), alpha=0.07, lw=0)
        ax.plot(centres, oracle, color=style.ink(), ls="--", lw=1.2, label="oracle")
        for i, model in enumerate(r.models):
            per_seed = np.array(values[i])                       # (seeds, bands)
            colour = _MODEL_COLOUR[model]
            for s in range(per_seed.shape[0]):
                ax.plot(centres, per_seed[s], ls="none", marker=_MODEL_MARKER[model], ms=3.5,
                        color=colour, alpha=0.45)
            ax.plot(centres, per_seed.mean(axis=0), color=colour, lw=2, label=model,
                    marker=_MODEL_MARKER[model], ms=5)
        ax.axhline(0.5, color=style.ink(), lw=0.8, alpha=0.5)
        ax.set_ylim(0.4, 1.03)
        ax.set_xlim(r.min_distance - 20, r.max_distance + 20)
        ax.set_xlabel("enhancer–promoter distance (bp)")
        ax.set_ylabel(label)
        ax.grid(alpha=0.5)
        ax.set_axisbelow(True)
    axes[0].text(r.cnn_reach_bp + 12, 0.8, "beyond the CNN's reach", fontsize=8, color=style.ink())
    axes[0].text(r.max_distance + 10, 0.515, "chance", fontsize=8, color=style.ink(), ha="right")
    axes[1].legend(loc="lower left", fontsize=8, ncols=2)
    return fig


# -- reading attention ---------------------------------------------------------------------


def _reading_alt(r: DistanceResult) -> str:
    a = r.attention
    return (f"Four bar charts of the promoter bin's attention over {a.bins} bins (two sequences with an enhancer, "
            f"two without) and a summary over {a.n_seeds} seeds: on sequences with an enhancer the promoter puts "
            f"a mean weight of {a.mean_enhancer_weight:.2f} on the enhancer's bin (uniform would be {a.uniform:.3f}) "
            f"and its top bin is the enhancer's in {a.mean_top1_enhancer:.0%} of them; on sequences without one "
            f"the top bin is the best partial match in {a.mean_top1_match_negative:.0%} and "
            f"{a.mean_sharp_negative:.0%} peak above 0.5.")


def _reading_caption(r: DistanceResult) -> str:
    a = r.attention
    return (f"Reading the trained model's attention. On sequences with an enhancer the promoter puts a mean "
            f"weight of {a.mean_enhancer_weight:.2f} on the enhancer's bin (uniform would be {a.uniform:.3f}); "
            f"on sequences without one, {a.mean_sharp_negative:.0%} of its attention rows still peak above 0.5. "
            f"Left: the attention row of the promoter's bin (bin {a.promoter_bin}, marked ▼) in the first two "
            f"test sequences with an enhancer (its bin marked ●) and the first two without one (the bin where the "
            f"stem's enhancer filter scores highest, the best partial match, marked ○), from the seed-{r.seeds[0]} "
            f"Transformer; P is the model's probability that an enhancer is present. Each seed's model has "
            f"{a.heads} heads; shown is the one that puts the most weight on the enhancer in a separate set of "
            f"{r.n_selection} sequences. Right: means over {a.n_positive:,} test sequences with and {a.n_negative:,} without "
            f"an enhancer, one tick per seed.")


@figure("attention-reading", experiment="long_range", alt=_reading_alt, caption=_reading_caption)
def attention_reading(r: DistanceResult) -> Figure:
    """Example attention rows (positives and negatives) and the seed-level summary."""
    a = r.attention
    fig = Figure(figsize=(7.8, 4.8), layout="constrained")
    left, right = fig.subfigures(1, 2, width_ratios=[1.25, 1])
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
                fontsize=8, va="top", color=style.ink())
        ax.axhline(a.uniform, color=style.ink(), lw=0.8, ls=":")
        ax.set_ylim(0, 1.7)
        ax.set_yticks([0, 0.5, 1])
        ax.set_ylabel("weight", fontsize=8)
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
        ax.text(max(values) + 0.04, yi, f"{np.mean(values):.2f}", va="center", fontsize=8, color=style.ink())
    ax.axvline(a.uniform, color=style.ink(), lw=0.8, ls=":")
    ax.text(a.uniform + 0.01, y[0] + 0.5, f"uniform {a.uniform:.3f}", fontsize=8, color=style.ink())
    ax.set_yticks(y, [label for label, _, _ in items], fontsize=8)
    ax.set_xlim(0, 1.18)
    ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0])
    ax.set_ylim(-0.6, len(items) - 0.2)
    ax.set_xlabel("mean over test sequences")
    return fig


# -- what attention costs -------------------------------------------------------------------


def _cost_alt(r: CostResult) -> str:
    return (f"Log-log line charts against sequence length {r.shortest:,} to {r.longest:,}: FLOPs of one forward "
            f"pass of an attention, a convolution and an LSTM layer of width {r.width}, and the attention "
            f"matrix's size. Attention grows with slope {r.attention_slope:.2f} (as L²), convolution "
            f"{r.convolution_slope:.2f} and LSTM {r.lstm_slope:.2f} (as L); at L = {r.longest:,} attention costs "
            f"{r.attention_over_convolution_longest:.0f} times the convolution and its matrix takes "
            f"{r.matrix_mib_longest:,.0f} MiB.")


def _cost_caption(r: CostResult) -> str:
    return (f"What attention costs: against sequence length, attention's FLOPs grow with slope "
            f"{r.attention_slope:.2f} (as L²), the convolution's {r.convolution_slope:.2f} and the LSTM's "
            f"{r.lstm_slope:.2f} (as L); at L = {r.longest:,} attention costs "
            f"{r.attention_over_convolution_longest:.0f} times the convolution. "
            f"FLOPs counted by `torch.utils.flop_counter` for one sequence: self-attention with {r.heads} heads "
            f"(the four projections included), a convolution with kernel {r.kernel}, and an LSTM (one counted "
            f"step times L). Right: bytes of the float32 attention weights, {r.heads} × L × L. Dotted lines "
            f"show slopes 1 and 2. Counts, not timings: wall-clock time and memory are measured by `make bench`.")


@figure("attention-costs", experiment="attention_costs", alt=_cost_alt, caption=_cost_caption)
def attention_costs(r: CostResult) -> Figure:
    """FLOPs and attention-matrix bytes against sequence length, log-log."""
    fig, (ax, ax_mem) = style.new_figure(7.6, 3.1, ncols=2, width_ratios=[1.4, 1])
    L = np.array(r.lengths, dtype=float)
    colours = {"attention": "C2", "convolution": "C0", "LSTM": "C1"}
    for name, values in r.flops.items():
        ax.plot(L, values, marker="o", ms=4, lw=2, color=colours[name], label=name)
    for power, anchor in ((1, r.flops["LSTM"][0] / 2), (2, r.flops["attention"][0] * 2)):
        ax.plot(L, anchor * (L / L[0]) ** power, ls=":", lw=1, color=style.ink())
        ax.text(L[-1] * 1.08, anchor * (L[-1] / L[0]) ** power, f"∝ L{'²' if power == 2 else ''}",
                fontsize=8, va="center", color=style.ink())
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xticks(L, [f"{int(n):,}" for n in L], fontsize=8)
    ax.set_xlim(L[0] / 1.3, L[-1] * 1.6)
    ax.set_xlabel("sequence length L")
    ax.set_ylabel("FLOPs per forward pass")
    ax.legend(fontsize=8, loc="upper left")
    ax.grid(alpha=0.5, which="major")
    mib = np.array(r.attention_matrix_bytes) / 2**20
    ax_mem.plot(L, mib, marker="o", ms=4, lw=2, color="C2")
    for x, m in zip(L[::2], mib[::2]):
        ax_mem.annotate(f"{m:,.0f} MiB" if m >= 1 else f"{m * 1024:,.0f} KiB", (x, m), textcoords="offset points",
                        xytext=(-4, 7), fontsize=8, ha="right", color=style.ink())
    ax_mem.annotate(f"{mib[-1]:,.0f} MiB", (L[-1], mib[-1]), textcoords="offset points", xytext=(-4, 7),
                    fontsize=8, ha="right", color=style.ink())
    ax_mem.set_xscale("log", base=2)
    ax_mem.set_yscale("log")
    ax_mem.set_xticks(L[::2], [f"{int(n):,}" for n in L[::2]], fontsize=8)
    ax_mem.set_xlabel("sequence length L")
    ax_mem.set_ylabel("attention weights (MiB)")
    ax_mem.grid(alpha=0.5)
    return fig


# -- positions -------------------------------------------------------------------------------


def _pe_alt(r: PositionalEncodingResult) -> str:
    return (f"Heat map of sinusoidal position vectors ({r.positions} positions by {r.d_model} dimensions), and "
            f"line chart of the cosine similarity between position {r.anchors[0]} and every other position: "
            f"{r.neighbour_similarity:.2f} with its neighbour, falling to {r.far_similarity:.2f}.")


def _pe_caption(r: PositionalEncodingResult) -> str:
    return (f"Sinusoidal position vectors: position {r.anchors[0]} has a cosine similarity of "
            f"{r.neighbour_similarity:.2f} with its neighbour and of {r.far_similarity:.2f} with the least "
            f"similar position. "
            f"Left: PE(pos, 2i) = sin(pos / 10000^(2i/d)) and PE(pos, 2i+1) = cos(pos / 10000^(2i/d)) for "
            f"d = {r.d_model}; early dimensions oscillate fast, later ones slowly, so each position gets its own "
            f"pattern. Right: cosine similarity of positions {r.anchors[0]} and {r.anchors[1]} with every "
            f"position: nearby positions look alike, distant ones less so. Added to the input, these vectors "
            f"make attention's output depend on order.")


@figure("positional-encoding", experiment="positional_encoding", alt=_pe_alt, caption=_pe_caption)
def positional_encoding(r: PositionalEncodingResult) -> Figure:
    """The sinusoidal table as a heat map and the similarity of positions against distance."""
    fig, (ax, ax_sim) = style.new_figure(7.6, 3.0, ncols=2, width_ratios=[1.2, 1])
    image = ax.imshow(r.table.T, aspect="auto", cmap=style.cmap(), vmin=-1, vmax=1, origin="lower",
                      interpolation="nearest")
    ax.set_xlabel("position")
    ax.set_ylabel("dimension")
    colourbar = fig.colorbar(image, ax=ax, shrink=0.85)
    colourbar.ax.tick_params(labelsize=8)
    positions = np.arange(r.positions)
    for k, anchor in enumerate(r.anchors):
        ax_sim.plot(positions, r.similarity[k], color=f"C{k}", lw=1.8, label=f"position {anchor}")
        ax_sim.axvline(anchor, color=f"C{k}", lw=0.8, ls=":")
    ax_sim.set_xlabel("position")
    ax_sim.set_ylabel("cosine similarity")
    ax_sim.set_ylim(-0.05, 1.05)
    ax_sim.legend(fontsize=8, loc="lower center")
    ax_sim.grid(alpha=0.5)
    return fig
