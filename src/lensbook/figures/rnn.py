"""Figures of the RNN page (docs/rnn.md): the expression forecast and the vanishing gradient."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from ..experiments.expression import ExpressionForecast
from ..experiments.memory import MemoryResult
from . import style
from .registry import figure

# -- the expression example ---------------------------------------------------------------


def _forecast_alt(r: ExpressionForecast) -> str:
    return (f"Expression against hours after T-cell activation: the manuscript's four measurements "
            f"{', '.join(f'{v:g}' for v in r.query)} at hours {', '.join(f'{h:g}' for h in r.hours)}, and the "
            f"band of noise-free trajectories the kinetic model finds consistent with them. At hour "
            f"{r.target_hour:g} the oracle (the posterior under the generating model) predicts {r.oracle_mean:.1f} ± {r.oracle_sd:.1f} and an "
            f"ensemble of {len(r.seeds)} trained RNNs {r.ensemble_mean:.1f} ± {r.ensemble_sd:.1f}. "
            f"On fresh time courses the ensemble's R² is {r.ensemble_r2:.2f}, the oracle's {r.oracle_r2:.2f}.")


def _forecast_caption(r: ExpressionForecast) -> str:
    return (f"Forecasting hour {r.target_hour:g} from the manuscript's four measurements: the RNN ensemble "
            f"predicts {r.ensemble_mean:.1f} ± {r.ensemble_sd:.1f}, the oracle {r.oracle_mean:.1f} ± "
            f"{r.oracle_sd:.1f}; on fresh time courses the ensemble's R² is {r.ensemble_r2:.2f}, the oracle's "
            f"{r.oracle_r2:.2f}. "
            f"Left: the band holds 90% of the posterior's noise-free trajectories given the four dots (the "
            f"kinetic model's prior, log-normal noise with sd {r.cv:g} on the log scale); grey lines are "
            f"unrelated simulated cultures. At hour {r.target_hour:g}: each RNN seed's mean ± sd (small "
            f"markers), their ensemble, the oracle, and the manuscript's illustrative ~{r.manuscript_guess:g}. "
            f"Right: R² on {r.test_size} fresh time courses.")


@figure("expression-forecast", experiment="expression_forecast", alt=_forecast_alt, caption=_forecast_caption)
def expression_forecast(r: ExpressionForecast) -> Figure:
    """The manuscript's four measurements, the posterior band, and the predictions for hour 24."""
    fig, (ax, ax_r2) = style.new_figure(7.4, 3.3, ncols=2, width_ratios=[3.2, 1])
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
    ax.set_ylim(0, 1.35 * top)
    ax.set_xlabel("hours after activation")
    ax.set_ylabel("expression")
    ax.legend(loc="upper left", fontsize=7.5)
    ax.grid(alpha=0.5)
    names = ["hour 18\nas is", "RNN\nseeds", "RNN\nens.", "oracle"]
    values = [r.last_value_r2, float(np.mean(r.member_r2)), r.ensemble_r2, r.oracle_r2]
    ax_r2.bar(range(4), values, color=["C6", "C1", "C1", "C2"], width=0.65)
    ax_r2.plot(np.full(len(r.member_r2), 1.0), r.member_r2, "o", color=style.ink(), ms=3)
    for i, v in enumerate(values):
        ax_r2.text(i, v + 0.02, f"{v:.2f}", ha="center", fontsize=8)
    ax_r2.set_xticks(range(4), names, fontsize=7.5)
    ax_r2.set_ylim(0, 1.05)
    ax_r2.set_ylabel("R² at hour 24")
    return fig


# -- the vanishing gradient ---------------------------------------------------------------

_STYLE = {
    "rnn_default": ("C0", ":"), "rnn_orthogonal": ("C0", "--"), "rnn_trained": ("C0", "-"),
    "lstm_bias_0": ("C1", ":"), "lstm_bias_used": ("C1", "--"), "lstm_trained": ("C1", "-"),
}
FLOOR = 1e-12


def _reach(r: MemoryResult, name: str) -> str:
    k = r.gradients.to_1_percent[name]
    return f"below 1% after {k} steps" if k >= 0 else f"still above 1% after {r.gradients.length - 1} steps"


def _gradient_alt(r: MemoryResult) -> str:
    g = r.gradients
    return ("Two log-scale plots of the gradient norm of the last hidden state with respect to each input, "
            "against the distance back. At initialisation the RNN with PyTorch's default weights falls "
            f"{_reach(r, 'rnn_default')} (tenfold every {g.per_decade['rnn_default']:.1f} steps), the LSTM "
            f"with forget bias 0 {_reach(r, 'lstm_bias_0')}, the RNN with orthogonal weights "
            f"{_reach(r, 'rnn_orthogonal')}, and the LSTM with forget bias {r.forget_bias:g} is "
            f"{_reach(r, 'lstm_bias_used')}. After training neither keeps fading across the gap: there the "
            f"RNN's gradient stays near {g.gap_level['rnn_trained']:.2f} of its gradient to the last base and "
            f"the LSTM's near {g.gap_level['lstm_trained']:.3f}, and the LSTM's gradient to the donor window is "
            f"{g.donor_gain['lstm_trained']:.0f} times its gradient to the gap (the RNN's "
            f"{g.donor_gain['rnn_trained']:.1f} times).")


def _gradient_caption(r: MemoryResult) -> str:
    g = r.gradients
    return (f"How far back a gradient reaches. At initialisation the gradient of the RNN with PyTorch's default "
            f"weights falls tenfold every {g.per_decade['rnn_default']:.1f} steps; after training, the LSTM's gradient to the "
            f"donor window is {g.donor_gain['lstm_trained']:.0f} times its gradient to the gap (the RNN's "
            f"{g.donor_gain['rnn_trained']:.1f} times). "
            f"‖∂h<sub>T</sub>/∂x<sub>t</sub>‖ (Frobenius norm, mean over 8 sequences of the donor-order task, "
            f"T = {r.gradients.length}) against the distance T − t, on a log scale. Left: fresh models, two "
            f"initialisations each. Right: seed {r.seed_traced} of each model after its curriculum up to gap "
            f"{r.max_gap}; the shaded band is the donor window, the first 20 bases. Values below {FLOOR:g} are "
            f"drawn at the floor.")


@figure("gradient-decay", experiment="memory", alt=_gradient_alt, caption=_gradient_caption)
def gradient_decay(r: MemoryResult) -> Figure:
    """Gradient norm against distance, at initialisation and after training."""
    g = r.gradients
    fig, axes = style.new_figure(7.4, 3.2, ncols=2, sharey=True)
    for ax, trained in zip(axes, (False, True)):
        for name in g.names:
            if g.trained[name] != trained:
                continue
            colour, dash = _STYLE[name]
            profile = np.maximum(g.profiles[name], FLOOR)
            ax.plot(np.arange(len(profile)), profile, color=colour, ls=dash, lw=1.6, label=g.labels[name])
        if trained:
            ax.axvspan(g.length - 20.5, g.length - 0.5, color="C3", alpha=0.15, lw=0)
            ax.text(g.length - 21, FLOOR * 10, "donors", ha="right", fontsize=8, color="C3")
        ax.set_yscale("log")
        ax.set_ylim(FLOOR / 2, None)
        ax.set_xlabel("distance back, T − t (steps)")
        ax.set_title("after training" if trained else "at initialisation", fontsize=10)
        ax.grid(alpha=0.5)
        ax.legend(fontsize=7.5, loc="lower left")
    axes[0].set_ylabel("‖∂h_T / ∂x_t‖")
    return fig
