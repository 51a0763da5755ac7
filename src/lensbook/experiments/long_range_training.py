"""The models of the ``long_range`` experiment (experiments/long_range.py) and how they are trained.

Three heads share one ``MotifStem``, pretrained once to mark, per bin, where
the enhancer and the promoter motifs start, then frozen, so that every head
starts from the same motif evidence; each head is then trained for the same
number of steps on fresh batches of ``LongRangeTask``. ``qkv_schematic``
builds its Transformer here too, so the schematic shows the model the page
trains.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .._validate import require
from ..models.promoter_readout import CNNHead, HybridConfig, HybridOutput, HybridTransformer, LSTMHead, MotifStem
from ..tasks.long_range import LongRangeTask, Sites
from ..train import TrainLog, evaluating, seeded, train

#: The three heads, in the order the page names them.
MODELS = ("CNN", "LSTM", "Transformer")
#: The build's training budget for every head (steps, batch, learning rate).
STEPS, BATCH, LR = 350, 32, 1e-2
#: Forget-gate bias of the LSTM head at initialisation.
FORGET_BIAS = 3.0
#: Base pairs per bin of the shared stem.
BIN_SIZE = 40


def pretrain_stem(task: LongRangeTask, *, bin_size: int = BIN_SIZE, steps: int = 300, batch: int = 32,
                  lr: float = 3e-2, seed: int = 0) -> MotifStem:
    """Train a two-filter ``MotifStem`` to mark the bins where the enhancer and promoter start.

    Each bin gets two binary targets (enhancer starts here, promoter starts
    here), trained with a weighted cross-entropy (the rare positive bins count
    20 times). The returned stem is frozen (no gradients) and in eval mode.

    Parameters
    ----------
    task : LongRangeTask
        Where the batches come from.
    bin_size : int, optional
        Base pairs per bin. Default is ``BIN_SIZE`` (40).
    steps, batch : int, optional
        Training steps and sequences per step. Defaults are 300 and 32.
    lr : float, optional
        Learning rate. Default is 3e-2.
    seed : int, optional
        Seeds the filters' initialisation and the batches. Default is 0.
    """
    with seeded(seed):
        stem = MotifStem(2, len(task.enhancer), bin_size)
    bins = stem.bins(task.length)
    promoter_bin = task.promoter_start // bin_size

    class _Logits(nn.Module):  # train the scores before the sigmoid
        def __init__(self) -> None:
            super().__init__()
            self.stem = stem

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.stem.logits(x)

    def sample(generator: torch.Generator, step: int) -> tuple[torch.Tensor, torch.Tensor]:
        sites = task.sample_sites(batch, generator)
        target = torch.zeros(batch, 2, bins)
        has = torch.nonzero(sites.enhancer_start >= 0).flatten()
        target[has, 0, sites.enhancer_start[has] // bin_size] = 1.0
        target[:, 1, promoter_bin] = 1.0
        return sites.x, target

    weight = torch.full((1, 2, 1), 20.0)
    train(_Logits(), sample, lambda out, y: F.binary_cross_entropy_with_logits(out, y, pos_weight=weight),
          steps=steps, lr=lr, seed=seed)
    stem.requires_grad_(False)
    return stem.eval()


def build_head(kind: str, stem: MotifStem, readout_bin: int, seed: int) -> nn.Module:
    """A fresh ``"CNN"``, ``"LSTM"`` or ``"Transformer"`` head on ``stem``, initialised from ``seed``."""
    require(kind in MODELS, "kind", kind, f"one of {MODELS}")
    with seeded(seed):
        if kind == "CNN":
            return CNNHead(stem, readout_bin)
        if kind == "LSTM":
            return LSTMHead(stem, readout_bin, forget_bias=FORGET_BIAS)
        config = HybridConfig(channels=stem.channels, kernel=stem.kernel, bin_size=stem.bin_size,
                              readout_bin=readout_bin)
        return HybridTransformer(config, stem)


def logits(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """The model's logit per sequence, ``(N,)``, without gradients (the mode is restored)."""
    with evaluating(model), torch.no_grad():
        out = model(x)
    return out.logit if isinstance(out, HybridOutput) else out


def train_head(kind: str, stem: MotifStem, task: LongRangeTask, *, seed: int, steps: int = STEPS,
               batch: int = BATCH, lr: float = LR) -> tuple[nn.Module, TrainLog]:
    """Build and train one head on fresh batches; the stem stays frozen."""
    model = build_head(kind, stem, task.promoter_start // stem.bin_size, seed)

    def loss(out, y: torch.Tensor) -> torch.Tensor:
        return F.binary_cross_entropy_with_logits(out.logit if isinstance(out, HybridOutput) else out, y)

    log = train(model, lambda generator, step: task.sample(batch, generator), loss,
                steps=steps, lr=lr, seed=seed)
    return model, log


def make_test_set(task: LongRangeTask, n_positive: int = 1000, n_negative: int = 1000, seed: int = 2024) -> Sites:
    """A fixed test set: positives at uniform distances, then negatives."""
    generator = torch.Generator().manual_seed(seed)
    positive = task.sample_sites(n_positive, generator, positive=True)
    negative = task.sample_sites(n_negative, generator, positive=False)
    return Sites(*(torch.cat([a, b]) for a, b in zip(positive, negative)))


def steps_to_learn(log: TrainLog, window: int = 25, threshold: float = 0.5) -> int:
    """First step at which the mean loss of the last ``window`` steps is below ``threshold``; -1 if never.

    Chance level is log 2 = 0.693; a run that stays above 0.5 sat on the plateau.
    """
    losses = np.asarray(log.losses)
    if losses.size < window:
        return -1
    running = np.convolve(losses, np.ones(window) / window, mode="valid")
    below = np.nonzero(running < threshold)[0]
    return int(below[0] + window - 1) if below.size else -1
