"""Figures of the RNN page (docs/rnn.md): the expression forecast and the vanishing gradient."""

from __future__ import annotations

import textwrap

import numpy as np
from matplotlib.figure import Figure

from ..experiments.expression import ExpressionForecast
from ..experiments.memory import MemoryResult
from . import style
from .registry import figure

# -- the expression example ---------------------------------------------------------------


@figure("expression-forecast", experiment="expression_forecast", narrow=True)
def expression_forecast(r: ExpressionForecast) -> Figure:
    """The manuscript's four measurements, the posterior band, and the predictions for hour 24."""
    narrow = style.is_narrow()
    if narrow:   # stacked: the forecast, its legend, then the R² panel
        fig, (ax, ax_r2) = style.new_figure(3.7, 7.4, nrows=2, height_ratios=[1.9, 1])
    else:
        fig, (ax, ax_r2) = style.new_figure(7.1, 3.6, ncols=2, width_ratios=[2.5, 1])
    hours = list(r.hours) + [r.target_hour]
    for row in r.examples:
        ax.plot(hours, row, color=style.ink(), alpha=0.18, lw=0.8)
    ax.fill_between(r.band_hours, r.band_low, r.band_high, color="C0", alpha=0.25, lw=0,
                    label="posterior band (90%)")
    ax.plot(r.band_hours, r.band_mid, color="C0", lw=1.5)
    ax.plot(r.hours, r.query, "o", color=style.ink(), ms=6, label="manuscript's measurements", zorder=5)
    t = r.target_hour
    for i, (m, s) in enumerate(zip(r.member_mean, r.member_sd)):
        ax.errorbar(t + 0.6 + 0.25 * i, m, yerr=s, fmt=".", color="C1", alpha=0.6, ms=4, lw=0.8)
    ax.errorbar(t + 2.4, r.ensemble_mean, yerr=r.ensemble_sd, fmt="s", color="C1", ms=6, capsize=3,
                label=f"RNN ensemble {r.ensemble_mean:.1f} ± {r.ensemble_sd:.1f}")
    ax.errorbar(t - 0.8, r.oracle_mean, yerr=r.oracle_sd, fmt="D", color="C2", ms=6, capsize=3,
                label=f"oracle {r.oracle_mean:.1f} ± {r.oracle_sd:.1f}")
    ax.plot([t + 3.6], [r.manuscript_guess], "x", color="C3", ms=8, mew=2,
            label=f"manuscript's ~{r.manuscript_guess:g}")
    ax.set_xticks(hours)
    ax.set_xlim(-1, t + 4.5)
    top = max(max(r.band_high), max(r.query), r.oracle_mean + r.oracle_sd, r.ensemble_mean + r.ensemble_sd,
              max(m + s for m, s in zip(r.member_mean, r.member_sd)))
    ax.set_ylim(0, (1.1 if narrow else 1.45) * top)
    ax.set_xlabel("hours after activation")
    ax.set_ylabel("expression")
    if narrow:
        ax.legend(loc="upper left", bbox_to_anchor=(-0.2, -0.22), fontsize=9)
    else:
        ax.legend(loc="upper left", fontsize=9)
    ax.grid(alpha=0.5)
    names = ["hour 18\nas is", "RNN\nseeds", "RNN\nens.", "oracle"]
    values = [r.last_value_r2, float(np.mean(r.member_r2)), r.ensemble_r2, r.oracle_r2]
    ax_r2.bar(range(4), values, color=["C6", "C1", "C1", "C2"], width=0.65)
    ax_r2.plot(np.full(len(r.member_r2), 1.0), r.member_r2, "o", color=style.ink(), ms=3)
    for i, v in enumerate(values):
        ax_r2.text(i, v + 0.02, f"{v:.2f}", ha="center", fontsize=9)
    ax_r2.set_xticks(range(4), names, fontsize=9, rotation=0 if narrow else 40,
                     ha="center" if narrow else "right", rotation_mode="anchor")
    ax_r2.set_ylim(0, 1.05)
    ax_r2.set_ylabel("R² at hour 24")
    return fig


# -- the vanishing gradient ---------------------------------------------------------------

_STYLE = {
    "rnn_default": ("C0", ":"), "rnn_orthogonal": ("C0", "--"), "rnn_trained": ("C0", "-"),
    "lstm_bias_0": ("C1", ":"), "lstm_bias_used": ("C1", "--"), "lstm_trained": ("C1", "-"),
}
FLOOR = 1e-12


@figure("gradient-decay", experiment="memory", narrow=True)
def gradient_decay(r: MemoryResult) -> Figure:
    """Gradient norm against distance: fresh models (left), every trained seed (right)."""
    g = r.gradients
    narrow = style.is_narrow()
    if narrow:   # stacked: at initialisation above, after training below
        fig, axes = style.new_figure(3.7, 9.0, nrows=2, sharey=True)
    else:
        fig, axes = style.new_figure(7.1, 3.4, ncols=2, sharey=True)
    for ax, trained in zip(axes, (False, True)):
        for name in g.names:
            if g.trained[name] != trained:
                continue
            colour, dash = _STYLE[name]
            profiles = g.seed_profiles[name] if trained else g.profiles[name][None]
            label = f"{g.labels[name]}, {len(profiles)} seeds" if trained else g.labels[name]
            if narrow:
                label = textwrap.fill(label, 34)
            for i, profile in enumerate(np.maximum(profiles, FLOOR)):
                ax.plot(np.arange(len(profile)), profile, color=colour, ls=dash, lw=1.3 if trained else 1.6,
                        alpha=0.85, label=label if i == 0 else None)
        if trained:
            ax.axvspan(g.length - 20.5, g.length - 0.5, color="C3", alpha=0.15, lw=0)
            ax.text(g.length - 21, FLOOR * 10, "donors", ha="right", fontsize=9, color="C3")
        ax.set_yscale("log")
        ax.set_ylim(FLOOR / 2, None)
        ax.set_xlabel("distance back, T − t (steps)")
        ax.set_title("after training" if trained else "at initialisation", fontsize=10)
        ax.grid(alpha=0.5)
        if narrow:   # below the panel: its lines fill it
            ax.legend(fontsize=9, loc="upper left", bbox_to_anchor=(-0.3, -0.2))
        else:
            ax.legend(fontsize=9, loc="lower left")
        if narrow:
            ax.set_ylabel("‖∂h_T / ∂x_t‖")
    axes[0].set_ylabel("‖∂h_T / ∂x_t‖")
    return fig
