# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Interactive: Chapter 4
#
# One scene, three lenses. A promoter sits near the end of a stretch of random
# DNA, and in half of the sequences an enhancer motif sits some distance
# upstream of it. The question is the one the chapter keeps asking: **can
# information from the enhancer reach the promoter?** A CNN, an LSTM and a
# Transformer are trained on the same scene, with the same motif-detecting
# first layer and the same training budget, and each reads out its answer at
# the promoter. What differs is the lens: how information travels along the
# sequence to that position.
#
# The scene asks about reach, not a relation: one enhancer, present or not,
# so that "where does the promoter look?" has one right answer to compare
# the lenses with. A task whose label is a relation between two distant
# elements, which no single element carries, is measured on the
# [Transformer page](transformer.md#key-advantages-of-transformers) and in
# the [lens matrix](choosing.md#the-lens-matrix).
#
# This page is a notebook: the numbers below were measured when the site was
# built. Download it (the button at the top of the page), change the knobs
# and run it top to bottom; on a laptop CPU it takes well under a minute.

# %% [markdown]
# ## The knobs

# %%
MOTIF = "GATAAG"  # the enhancer motif (a GATA site), planted in the positive sequences
DISTANCE = 60  # bp from the start of the enhancer to the start of the promoter
SEQ_LEN = 200  # bp per sequence
STEPS = 300  # training budget: optimiser steps per model, 64 fresh sequences each
SEED = 0  # same seed, same numbers

# %% [markdown]
# Try `DISTANCE = 20`: the enhancer then falls inside the CNN's receptive
# field and the CNN catches up. Try a longer `SEQ_LEN` and `DISTANCE`, or a
# smaller `STEPS`, and watch which lens suffers first.

# %%
import matplotlib.pyplot as plt
import torch
from IPython.display import display
from torch import nn

from lensbook import dna, metrics
from lensbook.models import parameter_count
from lensbook.train import evaluating, seeded, train

PROMOTER = "TATAAA"  # a TATA box, at the same place in every sequence
PROMOTER_AT = SEQ_LEN - 20  # its 0-based start
JITTER = 4  # the enhancer's position varies by up to this many bp either way
KERNEL = 9  # width of the shared motif-detecting convolution
POOL = 4  # the stem max-pools the sequence into bins of this many bp
CHANNELS = 16
PROMOTER_BIN = PROMOTER_AT // POOL  # the bin every model reads out at

for name, ok, expected in [
    ("MOTIF", len(MOTIF) >= 1 and set(MOTIF) <= set("ACGT"), "a motif over ACGT"),
    ("SEQ_LEN", isinstance(SEQ_LEN, int) and SEQ_LEN >= 40, "an int >= 40"),
    ("DISTANCE", isinstance(DISTANCE, int) and len(MOTIF) + JITTER <= DISTANCE <= PROMOTER_AT - JITTER,
     f"an int in [{len(MOTIF) + JITTER}, {PROMOTER_AT - JITTER}] (the enhancer must fit upstream)"),
    ("STEPS", isinstance(STEPS, int) and STEPS >= 1, "an int >= 1"),
]:
    if not ok:
        raise ValueError(f"{name}: expected {expected}, got {globals()[name]!r}")

print(f"enhancer {MOTIF} about {DISTANCE} bp upstream of the promoter {PROMOTER} at position {PROMOTER_AT}")


def show(fig: plt.Figure, alt: str) -> None:
    """Display ``fig`` with a description of what it shows (read out by screen readers on the site)."""
    display(fig, metadata={"image/png": {"alt": alt}})
    plt.close(fig)


# %% [markdown]
# ## The scene
#
# Every sequence is uniform random DNA with the promoter at `PROMOTER_AT`.
# A positive one (label 1) also carries the enhancer `DISTANCE` bp upstream
# (give or take `JITTER` bp); a negative one does not. Each training step draws
# fresh sequences, so no model can memorise its background.


# %%
promoter, enhancer = dna.one_hot(PROMOTER), dna.one_hot(MOTIF)  # (4, 6) each


def scene(n: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """``n`` one-hot sequences ``(n, 4, SEQ_LEN)`` and their labels ``(n,)``."""
    bases = torch.randint(4, (n, SEQ_LEN), generator=generator)
    x = dna.from_indices(bases)  # (n, L) -> (n, 4, L)
    x[:, :, PROMOTER_AT:PROMOTER_AT + len(PROMOTER)] = promoter
    y = (torch.rand(n, generator=generator) < 0.5).float()
    shift = torch.randint(-JITTER, JITTER + 1, (n,), generator=generator)
    rows = y.nonzero()  # (P, 1): the positive sequences
    columns = (PROMOTER_AT - DISTANCE + shift[rows]) + torch.arange(len(MOTIF))  # (P, len(MOTIF))
    x[rows, :, columns] = enhancer.T  # (P, len(MOTIF), 4) <- (len(MOTIF), 4)
    return x, y


x_test, y_test = scene(1000, torch.Generator().manual_seed(SEED + 1))
print("test set:", tuple(x_test.shape), "positives:", int(y_test.sum()))


# %% [markdown]
# The yardstick is an oracle that knows the rule and looks for the motif in
# the window where the enhancer may sit. That is close to the best any model
# can do; it falls short of 1 when random background happens to hold the motif
# in that window in a negative sequence.

# %%
def oracle(x: torch.Tensor) -> torch.Tensor:
    """1 where ``MOTIF`` occurs in the enhancer window, else 0."""
    sequences = dna.decode(x)
    lo, hi = PROMOTER_AT - DISTANCE - JITTER, PROMOTER_AT - DISTANCE + JITTER + len(MOTIF)
    return torch.tensor([float(MOTIF in s[lo:hi]) for s in sequences])


oracle_auroc = metrics.auroc(oracle(x_test), y_test)
print(f"oracle AUROC: {oracle_auroc:.3f}")


# %% [markdown]
# ## Three lenses
#
# All three start with the same stem: a convolution of width `KERNEL` whose
# filters can learn to detect the motif wherever it is, then a max-pool into
# bins of `POOL` bp (fewer steps for the LSTM, fewer positions for attention).
# Then each model reads out at the promoter's bin:
#
# * **CNN**: three more convolutions of width 5 over the bins. Each output
#   position sees a fixed window, its *receptive field*; anything outside it
#   cannot reach the promoter.
# * **LSTM**: reads the bins left to right; its cell state can carry the
#   enhancer's signal forward, one step per bin. How far it holds that signal
#   is measured, not guaranteed: the chapter measured it only over the
#   distances its experiments test (on the [Transformer](transformer.md)
#   and [LSTM](lstm.md) pages), and this notebook measures it at `DISTANCE`
#   bp, in the AUROC below.
# * **Transformer**: the promoter's bin attends to every bin at once (one
#   attention layer with learned position embeddings), so distance costs
#   nothing.


# %%
def stem() -> nn.Module:
    """The shared first layers: motif detectors, then bins, ``(N, 4, L) -> (N, CHANNELS, L // POOL)``."""
    return nn.Sequential(nn.Conv1d(4, CHANNELS, KERNEL, padding="same"), nn.ReLU(), nn.MaxPool1d(POOL))


class CNN(nn.Module):
    """Stem plus three convolutions over the bins, read out at the promoter."""

    def __init__(self) -> None:
        super().__init__()
        self.stem = stem()
        self.convs = nn.ModuleList(
            nn.Conv1d(CHANNELS, CHANNELS, 5, padding="same") for _ in range(3))
        self.out = nn.Linear(CHANNELS, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.stem(x)  # (N, 4, L) -> (N, C, B)
        for conv in self.convs:
            h = torch.relu(conv(h))  # (N, C, B) -> (N, C, B)
        return self.out(h[:, :, PROMOTER_BIN]).squeeze(1)  # (N, C) -> (N,)


class LSTM(nn.Module):
    """Stem plus a left-to-right LSTM, read out at the promoter."""

    def __init__(self) -> None:
        super().__init__()
        self.stem = stem()
        self.lstm = nn.LSTM(CHANNELS, CHANNELS, batch_first=True)
        with torch.no_grad():  # forget-gate bias 2: start out remembering (gates are i, f, g, o)
            self.lstm.bias_hh_l0[CHANNELS:2 * CHANNELS].fill_(2.0)
        self.out = nn.Linear(CHANNELS, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.stem(x).transpose(1, 2)  # (N, 4, L) -> (N, B, C)
        h, _ = self.lstm(h[:, :PROMOTER_BIN + 1])  # (N, P + 1, C) -> (N, P + 1, C)
        return self.out(h[:, -1]).squeeze(1)  # (N, C) -> (N,)


class Transformer(nn.Module):
    """Stem plus one attention layer: the promoter's position attends to all positions."""

    def __init__(self) -> None:
        super().__init__()
        self.stem = stem()
        self.position = nn.Parameter(0.02 * torch.randn(1, SEQ_LEN // POOL, CHANNELS))
        self.attention = nn.MultiheadAttention(CHANNELS, num_heads=2, batch_first=True)
        self.norm = nn.LayerNorm(CHANNELS)
        self.out = nn.Linear(CHANNELS, 1)

    def attend(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The promoter's new representation ``(N, C)`` and its attention over the bins ``(N, B)``."""
        h = self.stem(x).transpose(1, 2) + self.position  # (N, 4, L) -> (N, B, C)
        query = h[:, PROMOTER_BIN:PROMOTER_BIN + 1]  # (N, B, C) -> (N, 1, C)
        context, weights = self.attention(query, h, h)  # (N, 1, C), weights (N, 1, B)
        return self.norm(query + context)[:, 0], weights[:, 0]  # (N, C), (N, B)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.out(self.attend(x)[0]).squeeze(1)  # (N, C) -> (N,)


def reach(model: nn.Module) -> int:
    """How far upstream of the promoter an input base can change the output, measured with autograd."""
    x = torch.zeros(1, 4, SEQ_LEN, requires_grad=True)
    model(x).sum().backward()
    seen = (x.grad.abs().sum(1)[0] > 0).nonzero().flatten()
    return PROMOTER_AT - int(seen.min())


with seeded(SEED):
    reaches = {"CNN": reach(CNN()), "LSTM": reach(LSTM()), "Transformer": reach(Transformer())}
for name, bp in reaches.items():
    print(f"{name}: the output at the promoter depends on bases up to {bp} bp upstream")

# %% [markdown]
# ## Training: the same budget for each

# %%
def sample(generator: torch.Generator, step: int) -> tuple[torch.Tensor, torch.Tensor]:
    return scene(64, generator)


def evaluate(model: nn.Module) -> float:
    with evaluating(model), torch.no_grad():  # evaluation mode inside the block only
        return metrics.auroc(model(x_test), y_test)


# operations that must run one after another from input to readout: layers, plus one per recurrent step
in_sequence = {"CNN": 1 + 3, "LSTM": 1 + PROMOTER_BIN + 1, "Transformer": 1 + 1}
rows, logs, models = [], {}, {}
for name, make in [("CNN", CNN), ("LSTM", LSTM), ("Transformer", Transformer)]:
    with seeded(SEED):
        model = make()
    log = train(model, sample, nn.functional.binary_cross_entropy_with_logits,
                steps=STEPS, lr=3e-3, seed=SEED)
    models[name], logs[name] = model, log.losses
    rows.append((name, parameter_count(model), in_sequence[name], evaluate(model)))

print(f"{'model':<12}{'parameters':>11}{'in sequence':>13}{'AUROC':>8}")
for name, parameters, steps, score in rows:
    print(f"{name:<12}{parameters:>11,}{steps:>13}{score:>8.3f}")
print(f"{'oracle':<12}{'':>11}{'':>13}{oracle_auroc:>8.3f}")

# %% [markdown]
# Test AUROC on 1,000 fresh sequences (0.5 is chance; the oracle is the
# yardstick). "In sequence" counts the operations that must run one after
# another from the input to the readout: a layer each, plus one per recurrent
# step for the LSTM. A layer works on all positions at once; the LSTM's steps
# cannot run side by side. To time the three on your machine, put `%%time`
# at the top of the cell above.

# %%
fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.2), facecolor="white", layout="constrained")
colours = {"CNN": "#0072B2", "LSTM": "#E69F00", "Transformer": "#009E73"}
window = max(1, STEPS // 20)
for name, losses in logs.items():
    smooth = torch.tensor(losses).unfold(0, window, 1).mean(1) if len(losses) >= window else torch.tensor(losses)
    left.plot(range(len(smooth)), smooth, label=name, color=colours[name])
left.set(xlabel="training step", ylabel="loss (running mean)", title="Training")
left.legend(frameon=False)
names = [r[0] for r in rows]
right.bar(names, [r[3] for r in rows], color=[colours[n] for n in names])
right.axhline(oracle_auroc, color="black", linestyle="--", linewidth=1, label="oracle")
right.axhline(0.5, color="grey", linestyle=":", linewidth=1, label="chance")
right.set(ylim=(0.4, 1.02), ylabel="test AUROC", title=f"Enhancer {DISTANCE} bp upstream")
right.legend(frameon=False, loc="upper left", bbox_to_anchor=(1, 1))
show(fig, f"Left: training loss of the three models over {STEPS} steps. Right: test AUROC, "
     + ", ".join(f"{name} {score:.2f}" for name, _, _, score in rows) + f"; the oracle reaches {oracle_auroc:.2f}.")

# %% [markdown]
# ## Where does the promoter look?
#
# The Transformer's attention row at the promoter, averaged over the positive
# and the negative test sequences. The shaded band is where the enhancer may
# sit. As in the chapter, a peak alone is not proof that an element is there:
# compare the two rows.

# %%
model = models["Transformer"]
with evaluating(model), torch.no_grad():
    _, weights = model.attend(x_test)  # (N, B)
lo, hi = PROMOTER_AT - DISTANCE - JITTER, PROMOTER_AT - DISTANCE + JITTER + len(MOTIF)  # the enhancer window
starts = torch.arange(weights.shape[1]) * POOL  # first bp of each bin
fig, ax = plt.subplots(figsize=(9, 2.6), facecolor="white", layout="constrained")
ax.step(starts, weights[y_test == 1].mean(0), where="post", color=colours["Transformer"], label="positive sequences")
ax.step(starts, weights[y_test == 0].mean(0), where="post", color="grey", label="negative sequences")
ax.axvspan(lo, hi, color=colours["Transformer"], alpha=0.15, label="enhancer window")
ax.axvline(PROMOTER_AT, color="black", linewidth=1, label="promoter")
ax.set(xlabel="position (bp, 0-based)", ylabel="mean attention per bin", xlim=(0, SEQ_LEN))
ax.legend(frameon=False, ncols=4, loc="upper center", bbox_to_anchor=(0.5, -0.3))
in_window = weights[y_test == 1][:, lo // POOL:(hi - 1) // POOL + 1].sum(1).mean()
show(fig, f"The Transformer's mean attention from the promoter's bin over the sequence, for positive and "
     f"negative test sequences; in positives {float(in_window):.0%} of it falls on the enhancer window.")
print(f"share of the promoter's attention on the bins of the enhancer window (positives): {float(in_window):.2f}")

# %% [markdown]
# ## What the scene shows
#
# A model can only use what reaches its readout. Compare each model's reach
# (measured above with autograd) with where the enhancer sits, and its AUROC
# with chance and with the oracle. The chapter's sections on [CNNs](cnn.md),
# [LSTMs](lstm.md) and [Transformers](transformer.md) explain why each lens
# reaches as far as it does, and [choosing a lens](choosing.md) weighs what
# each costs.

# %%
farthest = DISTANCE + JITTER  # the enhancer's start is at most this far upstream
for name, parameters, steps, score in rows:
    where = "within" if reaches[name] >= farthest else "out of"
    print(f"{name:<12} reach {reaches[name]:>4} bp: the enhancer ({DISTANCE} ± {JITTER} bp) is {where} reach; "
          f"AUROC {score:.3f} (chance 0.5, oracle {oracle_auroc:.3f})")
