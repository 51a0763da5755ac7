"""Figures of the LSTM page (docs/lstm.md): memory over distance, the gates at work, both directions."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from ..experiments.memory import BoundaryResult, MemoryResult
from . import style
from .registry import figure

# -- memory over distance -----------------------------------------------------------------


def _fmt(values) -> str:
    return ", ".join(f"{v:.2f}" for v in values)


def _memory_alt(r: MemoryResult) -> str:
    return (f"Accuracy on the four-class donor-order task against the gap, for a tanh RNN and an LSTM, "
            f"{len(r.seeds)} seeds each. At gap 0 the RNN scores {_fmt(row[0] for row in r.rnn)}; at the "
            f"longest gap, {r.max_gap} bases, it scores {_fmt(row[-1] for row in r.rnn)} (chance "
            f"{r.chance:.2f}) and the LSTM {_fmt(row[-1] for row in r.lstm)}. Right: accuracy on each "
            f"donor alone; at gap {r.max_gap} the RNN gets the first donor {r.rnn_first_at_longest:.2f} "
            f"and the second {r.rnn_second_at_longest:.2f} on average (chance 0.5).")


def _memory_caption(r: MemoryResult) -> str:
    return (f"Memory over distance: accuracy on the four-class donor-order task against the gap. At the "
            f"longest gap, {r.max_gap} bases, the RNN seeds score {_fmt(row[-1] for row in r.rnn)} (chance "
            f"{r.chance:.2f}) and the LSTM seeds {_fmt(row[-1] for row in r.lstm)}. "
            f"Each thin line is one seed, trained with the curriculum up to that gap and tested on "
            f"{r.test_size} fresh sequences at that gap; thick lines are the means. Dotted: chance "
            f"({r.chance:.2f}) and the oracle ({r.oracle:.0f}, the rule itself). RNN: {r.hidden_rnn} units, "
            f"{r.params_rnn:,} parameters; LSTM: {r.hidden_lstm} units, {r.params_lstm:,} parameters; same "
            f"batches, steps and clipping. Right: the same models scored on each donor's variant alone.")


def _symlog(ax, gaps) -> None:
    ax.set_xscale("symlog", linthresh=10, linscale=0.5)
    ax.set_xticks(list(gaps), [str(g) for g in gaps])
    ax.set_xlim(-1, gaps[-1] * 1.15)
    ax.set_xlabel("gap (random bases before the acceptor)")
    ax.grid(alpha=0.5)


@figure("memory-over-gap", experiment="memory", alt=_memory_alt, caption=_memory_caption)
def memory_over_gap(r: MemoryResult) -> Figure:
    """Class accuracy against gap (left) and each donor's accuracy (right), every seed shown."""
    fig, (ax, ax_slot) = style.new_figure(7.6, 3.4, ncols=2, width_ratios=[1.25, 1])
    gaps = np.array(r.gaps)
    for rows, colour, name in ((r.rnn, "C0", "RNN"), (r.lstm, "C1", "LSTM")):
        for row in rows:
            ax.plot(gaps, row, "o-", color=colour, alpha=0.45, lw=0.9, ms=3)
        ax.plot(gaps, np.mean(rows, axis=0), "-", color=colour, lw=2.4, label=f"{name} (mean)")
    ax.axhline(r.chance, color=style.ink(), ls=":", lw=1)
    ax.axhline(r.oracle, color=style.ink(), ls=":", lw=1)
    ax.text(gaps[-1], r.chance + 0.02, "chance", ha="right", fontsize=8)
    _symlog(ax, r.gaps)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("accuracy (4 classes)")
    ax.legend(fontsize=8, loc="lower left")
    for rows, colour, dash, name in ((r.rnn_first, "C0", "--", "RNN, first donor"),
                                     (r.rnn_second, "C0", "-", "RNN, second donor"),
                                     (r.lstm_first, "C1", "--", "LSTM, first donor"),
                                     (r.lstm_second, "C1", "-", "LSTM, second donor")):
        ax_slot.plot(gaps, np.mean(rows, axis=0), ls=dash, marker="o", ms=3, color=colour, lw=1.6, label=name)
    ax_slot.axhline(0.5, color=style.ink(), ls=":", lw=1)
    _symlog(ax_slot, r.gaps)
    ax_slot.set_ylim(0.4, 1.02)
    ax_slot.set_ylabel("accuracy on one donor (mean)")
    ax_slot.text(r.gaps[-1], 0.51, "chance", ha="right", fontsize=8)
    ax_slot.legend(fontsize=7.5, loc="center right")
    return fig


# -- the gates at work --------------------------------------------------------------------

_VARIANTS = ("GTAAGT", "GTGAGT")


def _gates_alt(r: MemoryResult) -> str:
    g = r.gates
    return (f"Heat maps of the forget, input and output gates of a trained LSTM's {g.forget.shape[0]} units "
            f"along one {len(g.sequence)}-base sequence whose first donor starts {g.distance} bases before the "
            f"acceptor, and below them the cell state of the two units that carry the donors. Unit "
            f"{g.units['first']} keeps the first donor's variant: at the end its two class means are "
            f"{g.separation['first']:.1f} standard deviations apart; its forget gate averages "
            f"{g.forget_gap['first']:.3f} across the gap. Unit {g.units['second']} keeps the second donor "
            f"({g.separation['second']:.1f} standard deviations; forget gate {g.forget_gap['second']:.3f}). "
            f"True class {g.label}, predicted {g.predicted}.")


def _gates_caption(r: MemoryResult) -> str:
    g = r.gates
    return (f"The gates at work. Unit {g.units['first']} keeps the first donor's variant (at the end its two "
            f"class means are {g.separation['first']:.1f} standard deviations apart; its forget gate averages "
            f"{g.forget_gap['first']:.3f} across the gap), unit {g.units['second']} the second donor's "
            f"({g.separation['second']:.1f} standard deviations; forget gate {g.forget_gap['second']:.3f}). "
            f"Seed {r.seed_traced}'s LSTM after the curriculum to gap {r.max_gap}, read by the hand-written cell "
            f"with its weights copied in. Top: the three gates of every unit along one sequence (red lines: "
            f"donor 1, donor 2, acceptor; arrows: the two units below). Bottom: the cell state C(t) of the unit "
            f"that best separates the first donor's two variants at the end, and of the one for the second "
            f"donor; coloured lines are means over {g.batch} sequences split by that donor's variant, the black "
            f"line is the traced sequence.")


@figure("lstm-gates", experiment="memory", alt=_gates_alt, caption=_gates_caption)
def lstm_gates(r: MemoryResult) -> Figure:
    """Forget, input and output gates (units x positions), then the two carrying units' cell state."""
    g = r.gates
    length = len(g.sequence)
    fig, axes = style.new_figure(7.6, 7.0, nrows=5, sharex=True, height_ratios=[1, 1, 1, 1.1, 1.1])
    marks = [(g.first, "donor 1"), (g.second, "donor 2"), (length - 2, "acceptor")]
    image = None
    for ax, values, name in zip(axes[:3], (g.forget, g.input, g.output),
                                ("forget f(t)", "input i(t)", "output o(t)")):
        image = ax.imshow(values, aspect="auto", cmap=style.cmap(), vmin=0, vmax=1, interpolation="nearest",
                          extent=(-0.5, length - 0.5, values.shape[0] - 0.5, -0.5))
        ax.set_ylabel(f"{name}\nunit", fontsize=8)
        ax.tick_params(labelsize=7)
        for slot in ("first", "second"):
            ax.annotate("", xy=(-0.5, g.units[slot]), xytext=(-length * 0.035, g.units[slot]),
                        arrowprops={"arrowstyle": "->", "color": style.ink(), "lw": 1}, annotation_clip=False)
        for start, _ in marks:
            ax.axvline(start - 0.5, color="C3", lw=0.9)
    fig.colorbar(image, ax=axes[:3], shrink=0.7, label="gate value")
    positions = np.arange(length)
    for row, (ax, slot) in enumerate(zip(axes[3:], ("first", "second"))):
        for variant in (0, 1):
            ax.plot(positions, g.bands[row, variant], color=f"C{variant}", lw=1.6,
                    label=f"{slot} donor\n{_VARIANTS[variant]}")
        ax.plot(positions, g.traced_cell[row], color=style.ink(), lw=0.8, label="traced\nsequence")
        for start, _ in marks:
            ax.axvline(start - 0.5, color="C3", lw=0.9)
        ax.set_ylabel(f"unit {g.units[slot]}\nC(t)", fontsize=8)
        ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5))
        ax.grid(alpha=0.5)
    axes[-1].set_xlabel("position (base)")
    axes[0].set_title(f"donors at bases {g.first} and {g.second}, acceptor at {length - 2} (red lines)",
                      fontsize=8, color="C3", loc="left")
    axes[0].set_xlim(-0.5, length - 0.5)
    return fig


# -- both directions ----------------------------------------------------------------------


def _bi_alt(r: BoundaryResult) -> str:
    return (f"Bar chart of accuracy at candidate exon ends (each CAG) on a task whose label depends on the "
            f"bases that follow. One-way LSTM: {_fmt(r.uni)} over {len(r.seeds)} seeds; two-way LSTM: "
            f"{_fmt(r.bi)}. Always answering no scores {r.majority:.2f}; the rule itself scores "
            f"{r.oracle:.0f}.")


def _bi_caption(r: BoundaryResult) -> str:
    return (f"One way against two ways: accuracy at candidate exon ends (each CAG), where the label depends on "
            f"the bases that follow. One-way LSTM: {_fmt(r.uni)}; two-way LSTM: {_fmt(r.bi)} (one value per "
            f"seed); always answering no scores {r.majority:.2f}. "
            f"Same budget for both: {r.steps} steps of {r.batch} fresh {r.length}-base sequences, the same "
            f"learning rate and clipping, {r.hidden_uni} features per position (one-way: {r.hidden_uni} units, "
            f"{r.params_uni:,} parameters; two-way: {r.hidden_bi} per direction, {r.params_bi:,} parameters). "
            f"Dots are seeds; dotted lines: always answering no, and the rule itself.")


@figure("bidirectional", experiment="bidirectional", alt=_bi_alt, caption=_bi_caption)
def bidirectional(r: BoundaryResult) -> Figure:
    """Accuracy at candidate positions: one-way against two-way LSTM, every seed shown."""
    fig, ax = style.new_figure(4.6, 3.0)
    on_bar = "white" if style.current_theme() == "light" else "black"   # readable on the bar's colour
    for i, (values, colour) in enumerate(((r.uni, "C0"), (r.bi, "C1"))):
        ax.bar(i, np.mean(values), color=colour, width=0.6, alpha=0.9)
        offsets = np.linspace(-0.15, 0.15, len(values))
        ax.plot(i + offsets, values, "o", color=style.ink(), ms=4, mec=on_bar, mew=0.6)
        ax.text(i, np.mean(values) / 2, f"mean\n{np.mean(values):.2f}", ha="center", va="center",
                fontsize=9, color=on_bar)
    ax.axhline(r.majority, color=style.ink(), ls=":", lw=1)
    ax.text(0.5, r.majority + 0.01, "always 'no'", ha="center", va="bottom", fontsize=8)
    ax.axhline(r.oracle, color=style.ink(), ls=":", lw=1)
    ax.set_xticks([0, 1], ["one-way LSTM\n(left to right)", "two-way LSTM"])
    ax.set_xlim(-0.6, 1.6)
    ax.set_ylim(0, 1.08)
    ax.set_ylabel("accuracy at each CAG")
    ax.grid(axis="y", alpha=0.5)
    ax.set_axisbelow(True)
    return fig
