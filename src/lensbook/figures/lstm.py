"""Figures of the LSTM page (docs/lstm.md): the cell, memory over distance, the gates at work, both directions."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Ellipse, FancyArrowPatch, FancyBboxPatch

from ..experiments.bidirectional import BoundaryResult
from ..experiments.lstm_cell import CellSketch
from ..experiments.memory import MemoryResult
from . import style
from .registry import figure

# -- the cell -----------------------------------------------------------------------------

_GATES = (("f", "forget", "σ", "C0"), ("i", "input", "σ", "C2"), ("c", "candidate", "g = tanh", "C4"),
          ("o", "output", "σ", "C3"))


def _arrow(ax, start, end, **kwargs) -> None:
    style_ = {"arrowstyle": "-|>", "mutation_scale": 12, "lw": 1.4, "color": style.ink(),
              "shrinkA": 0, "shrinkB": 0}
    style_.update(kwargs)
    ax.add_patch(FancyArrowPatch(start, end, **style_))


def _node(ax, xy, text, size=0.28, squash=1.0) -> None:
    """A round node of radius ``size`` (x units); ``squash``: y units per x unit on the page, for a
    drawing whose axes are not equal."""
    ax.add_patch(Ellipse(xy, 2 * size, 2 * size * squash, facecolor="none", edgecolor=style.ink(), lw=1.4, zorder=3))
    ax.text(*xy, text, ha="center", va="center", fontsize=10 if style.is_narrow() else 11, zorder=4)


@figure("lstm-cell", experiment="lstm_cell", narrow=True)
def lstm_cell(r: CellSketch) -> Figure:
    """One LSTM step drawn from the trained model's sizes: the four gates, their weights, the belt.

    The phone layout keeps the drawing and gives its text room: taller gate boxes, labels broken
    into short lines, the read-out note under the input bus and the forget-bias note at the left.
    """
    narrow = style.is_narrow()
    fig, ax = style.new_figure(*((3.7, 4.9) if narrow else (6.6, 4.2)))
    ax.set_xlim(-1.0 if narrow else 0, 10.4)
    ax.set_ylim(-1.3 if narrow else -0.2, 6.4)
    ax.set_axis_off()
    ink = style.ink()
    belt, gate_y, bus, node = 5.4, 2.35, 0.55, 0.28
    squash = 0.52 if narrow else 1.0          # the phone's axes: an x unit is about half a y unit on the page
    node_y = node * squash
    xs = {"f": 1.75, "i": 3.65, "c": 5.55, "o": 7.45}
    mix = (xs["c"] - 0.95, 4.2)                                              # i ⊙ g
    read = xs["o"] + 1.45                                                    # tanh(C) and o ⊙ tanh(C)
    # the cell state, the conveyor belt, in segments between its nodes
    _arrow(ax, (0.1, belt), (xs["f"] - node, belt), lw=2.4, arrowstyle="-")
    _arrow(ax, (xs["f"] + node, belt), (xs["c"] - node, belt), lw=2.4, arrowstyle="-")
    _arrow(ax, (xs["c"] + node, belt), (10.1, belt), lw=2.4)
    ax.text(0.1, belt + 0.3, f"C(t−1): {r.hidden}", fontsize=9 if narrow else 10, ha="left")
    ax.text(10.1, belt + 0.3, f"C(t): {r.hidden}", fontsize=9 if narrow else 10, ha="right")
    _node(ax, (xs["f"], belt), "×", node, squash)
    _node(ax, (xs["c"], belt), "+", node, squash)
    _node(ax, mix, "×", node, squash)
    _node(ax, (read, gate_y), "×", node, squash)
    box = 0.5 if narrow else 0.36
    ax.add_patch(FancyBboxPatch((read - box, 3.8), 2 * box, 0.42, boxstyle="round,pad=0.05",
                                facecolor="none", edgecolor=ink, lw=1.2))
    ax.text(read, 4.01, "tanh", ha="center", va="center", fontsize=9)
    _arrow(ax, (read, belt), (read, 4.27))                                   # belt -> tanh
    _arrow(ax, (read, 3.75), (read, gate_y + node_y))                        # tanh -> ×
    # the input bus [h(t-1), x(t)], into every gate
    ax.plot([0.1, xs["o"]], [bus, bus], color=ink, lw=1.4)
    ax.text(0.1, bus - 0.22, f"[h(t−1), x(t)]:{chr(10) if narrow else ' '}{r.hidden} + {r.channels} = "
            f"{r.hidden + r.channels} values", fontsize=9 if narrow else 10, ha="left", va="top")
    width, height = (1.68, 2.1) if narrow else (1.56, 1.5)
    for key, name, squash, colour in _GATES:
        x = xs[key]
        _arrow(ax, (x, bus), (x, gate_y - height / 2 - 0.06), lw=1.2)
        ax.add_patch(FancyBboxPatch((x - width / 2, gate_y - height / 2), width, height,
                                    boxstyle="round,pad=0.06", facecolor=colour, alpha=0.28,
                                    edgecolor=colour, lw=1.6))
        rows, cols = r.weights[key]
        if narrow:   # short lines: the box is about as wide as "forget" at 9 points
            ax.text(x, gate_y + 0.75, "cand." if key == "c" else name, ha="center", va="center", fontsize=9)
            ax.text(x, gate_y + 0.32, squash.replace(" = ", "="), ha="center", va="center", fontsize=9)
            ax.text(x, gate_y - 0.45, f"W_{key}\n{rows}×{cols}\nb_{key}: {r.bias}", ha="center", va="center",
                    fontsize=9, linespacing=1.15)
        else:
            ax.text(x, gate_y + 0.45, name, ha="center", va="center", fontsize=10)
            ax.text(x, gate_y + 0.08, squash, ha="center", va="center", fontsize=11)
            ax.text(x, gate_y - 0.38, f"W_{key}: {rows}×{cols}\nb_{key}: {r.bias}", ha="center", va="center",
                    fontsize=9, linespacing=1.25)
    top = gate_y + height / 2 + 0.06
    # gate outputs to their nodes
    _arrow(ax, (xs["f"], top), (xs["f"], belt - node_y))
    _arrow(ax, (xs["i"], top), (mix[0] - 0.2, mix[1] - 0.2))
    _arrow(ax, (xs["c"], top), (mix[0] + 0.2, mix[1] - 0.2))
    _arrow(ax, (mix[0] + 0.2, mix[1] + 0.2), (xs["c"] - 0.2, belt - 0.2))
    _arrow(ax, (xs["o"] + width / 2 + 0.06, gate_y), (read - node, gate_y))
    # the new hidden state: to the read-out, and round to the next step
    _arrow(ax, (read + node, gate_y), (10.3, gate_y))
    if not narrow:
        ax.text(10.3, gate_y + 0.2, f"h(t): {r.hidden}", fontsize=10, ha="right", va="bottom")
    ax.text(10.3, bus - 0.22 if narrow else gate_y - 0.42,
            f"h(t): {r.hidden}, to the next\nstep and the read-out\n({r.outputs} classes)" if narrow
            else f"to the next step\nand the read-out\n({r.outputs} classes)", fontsize=9,
            ha="right", va="top", linespacing=1.2)
    if narrow:
        ax.text(-0.95, 4.25, f"b_f starts\nat {r.forget_bias:g}:\nf ≈ {r.forget_start:.2f},\nkeep",
                fontsize=9, ha="left", va="center", color="C0")
    else:
        ax.text(xs["f"] - 0.2, 4.2, f"b_f starts at {r.forget_bias:g}:\nf ≈ {r.forget_start:.2f}, keep",
                fontsize=9, ha="right", va="center", color="C0")
    return fig


# -- memory over distance -----------------------------------------------------------------


def _symlog(ax, gaps) -> None:
    ax.set_xscale("symlog", linthresh=10, linscale=0.5)
    ax.set_xticks(list(gaps), [str(g) for g in gaps])
    ax.set_xlim(-1, gaps[-1] * 1.15)
    ax.set_xlabel("gap (random bases before\nthe acceptor): linear up to 10,\nlogarithmic above")
    ax.grid(alpha=0.5)


@figure("memory-over-gap", experiment="memory", narrow=True)
def memory_over_gap(r: MemoryResult) -> Figure:
    """Class accuracy against gap (left) and each donor's accuracy (right), every seed shown."""
    narrow = style.is_narrow()
    if narrow:   # stacked: class accuracy above, each donor below
        fig, (ax, ax_slot) = style.new_figure(3.7, 8.4, nrows=2)
    else:
        fig, (ax, ax_slot) = style.new_figure(7.1, 4.0, ncols=2, width_ratios=[1.2, 1])
    gaps = np.array(r.gaps)
    for rows, colour, name in ((r.rnn, "C0", "RNN"), (r.lstm, "C1", "LSTM")):
        for row in rows:
            ax.plot(gaps, row, "o-", color=colour, alpha=0.45, lw=0.9, ms=3)
        ax.plot(gaps, np.mean(rows, axis=0), "-", color=colour, lw=2.4, label=f"{name} (mean)")
    ax.axhline(r.chance, color=style.ink(), ls=":", lw=1)
    ax.axhline(r.oracle, color=style.ink(), ls=":", lw=1)
    ax.text(gaps[0], r.chance + 0.02, "chance", ha="left", fontsize=9)  # at gap 0 every model is far above it
    _symlog(ax, r.gaps)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("accuracy (4 classes)")
    ax.legend(fontsize=9, loc="lower left")
    for rows, colour, dash, name in ((r.rnn_first, "C0", "--", "RNN, first donor"),
                                     (r.rnn_second, "C0", "-", "RNN, second donor"),
                                     (r.lstm_first, "C1", "--", "LSTM, first donor"),
                                     (r.lstm_second, "C1", "-", "LSTM, second donor")):
        ax_slot.plot(gaps, np.mean(rows, axis=0), ls=dash, marker="o", ms=3, color=colour, lw=1.6, label=name)
    ax_slot.axhline(0.5, color=style.ink(), ls=":", lw=1)
    _symlog(ax_slot, r.gaps)
    ax_slot.set_ylim(0.4, 1.02)
    ax_slot.set_ylabel("accuracy on one donor (mean)")
    ax_slot.text(r.gaps[0], 0.51, "chance", ha="left", fontsize=9)
    if narrow:   # under the panel: inside it would cover the lines
        ax_slot.legend(fontsize=9, loc="upper left", bbox_to_anchor=(-0.2, -0.42))
    else:
        ax_slot.legend(fontsize=9, loc="lower left", bbox_to_anchor=(-0.05, 1.0), ncols=2)
    return fig


# -- the gates at work --------------------------------------------------------------------

_VARIANTS = ("GTAAGT", "GTGAGT")


@figure("lstm-gates", experiment="memory", narrow=True)
def lstm_gates(r: MemoryResult) -> Figure:
    """Forget, input and output gates (units x positions), then the two carrying units' cell state."""
    g = r.gates
    length = len(g.sequence)
    narrow = style.is_narrow()
    fig, axes = style.new_figure(*((3.7, 10.0) if narrow else (7.1, 7.6)), nrows=5, sharex=True,
                                 height_ratios=[1, 1, 1, 1.1, 1.1])
    marks = [(g.first, "donor 1"), (g.second, "donor 2"), (length - 2, "acceptor")]
    image = None
    for ax, values, name in zip(axes[:3], (g.forget, g.input, g.output),
                                ("forget f(t)", "input i(t)", "output o(t)")):
        image = ax.imshow(values, aspect="auto", cmap=style.cmap(), vmin=0, vmax=1, interpolation="nearest",
                          extent=(-0.5, length - 0.5, values.shape[0] - 0.5, -0.5))
        ax.set_ylabel(f"{name}\nunit", fontsize=9)
        ax.tick_params(labelsize=9)
        for slot in ("first", "second"):
            ax.annotate("", xy=(-0.5, g.units[slot]), xytext=(-length * 0.035, g.units[slot]),
                        arrowprops={"arrowstyle": "->", "color": style.ink(), "lw": 1}, annotation_clip=False)
        for start, _ in marks:
            ax.axvline(start - 0.5, color="C3", lw=0.9)
    fig.colorbar(image, ax=axes[:3], shrink=0.7, label="gate value", aspect=15 if narrow else 20)
    positions = np.arange(length)
    for row, (ax, slot) in enumerate(zip(axes[3:], ("first", "second"))):
        for variant in (0, 1):
            ax.plot(positions, g.bands[row, variant], color=f"C{variant}", lw=1.6,
                    label=f"{slot} donor\n{_VARIANTS[variant]}")
        ax.plot(positions, g.traced_cell[row], color=style.ink(), lw=0.8, label="traced\nsequence")
        for start, _ in marks:
            ax.axvline(start - 0.5, color="C3", lw=0.9)
        ax.set_ylabel(f"unit {g.units[slot]}\nC(t)", fontsize=9)
        ax.tick_params(labelsize=9)
        if narrow:   # under the panel: inside it would cover the traces
            ax.legend(fontsize=9, loc="upper left", bbox_to_anchor=(-0.25, -0.08 if row == 0 else -0.45), ncols=2)
        else:
            # inside, in the empty right half: no gap opens before the colour bar
            ax.legend(fontsize=9, loc="center right" if row == 0 else "upper right",
                      bbox_to_anchor=(1.0, 0.5 if row == 0 else 0.88), ncols=3)
        ax.grid(alpha=0.5)
    axes[-1].set_xlabel("position (base)")
    axes[0].set_title(f"donors at bases {g.first} and {g.second}, acceptor at {length - 2}{chr(10) if narrow else ' '}"
                      "(vertical lines)", fontsize=9, color="C3", loc="left")
    axes[0].set_xlim(-0.5, length - 0.5)
    return fig


# -- both directions ----------------------------------------------------------------------


@figure("bidirectional", experiment="bidirectional", narrow=True)
def bidirectional(r: BoundaryResult) -> Figure:
    """Accuracy at candidate positions: one-way against two-way LSTM, every seed shown."""
    fig, ax = style.new_figure(*((3.7, 3.3) if style.is_narrow() else (4.6, 3.0)))
    on_bar = "white" if style.current_theme() == "light" else "black"   # readable on the bar's colour
    for i, (values, colour) in enumerate(((r.uni, "C0"), (r.bi, "C1"))):
        ax.bar(i, np.mean(values), color=colour, width=0.6, alpha=0.9)
        offsets = np.linspace(-0.15, 0.15, len(values))
        ax.plot(i + offsets, values, "o", color=style.ink(), ms=4, mec=on_bar, mew=0.6)
        ax.text(i, np.mean(values) / 2, f"mean\n{np.mean(values):.2f}", ha="center", va="center",
                fontsize=9, color=on_bar)
    ax.axhline(r.majority, color=style.ink(), ls=":", lw=1)
    ax.text(0.5, r.majority + 0.01, "always 'no'", ha="center", va="bottom", fontsize=9)
    ax.axhline(r.oracle, color=style.ink(), ls=":", lw=1)
    ax.set_xticks([0, 1], ["one-way LSTM\n(left to right)", "two-way LSTM"])
    ax.set_xlim(-0.6, 1.6)
    ax.set_ylim(0, 1.08)
    ax.set_ylabel("accuracy at each CAG")
    ax.grid(axis="y", alpha=0.5)
    ax.set_axisbelow(True)
    return fig
