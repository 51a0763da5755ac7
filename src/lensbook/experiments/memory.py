"""Memory, measured: the experiments behind docs/rnn.md and docs/lstm.md (sections 4.2, 4.3).

* ``order_curriculum``: a tanh RNN or an LSTM learns ``DonorOrderTask`` with
  a curriculum over growing gaps; its accuracy is measured at each gap.
* ``gradient_profile``: ``||dh_T / dx_t||`` against ``T - t``, the vanishing
  gradient seen directly.
* ``gate_trace``: the forget, input and output gates of a trained LSTM along
  one sequence, and the cell units that carry each donor.
* ``erase_units``: how the trained LSTM holds the donors: erase the units
  that carry one halfway through the gap and score it again.
* ``boundary_tagging``: one-way against two-way LSTMs on
  ``DonorBoundaryTask``, the same budget for both.

The registered experiments ``memory`` and ``bidirectional`` run them with the
settings the pages quote; ``lstm_cell`` reads the sizes of the same LSTM for
the cell diagram. Standard practice throughout: a fresh batch every step,
gradient-norm clipping at 1, a curriculum over the gap, a forget-gate bias of
3 for the LSTM and orthogonal recurrent weights for the RNN.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .._validate import require
from ..models.lstm import LSTM, LSTMConfig, LSTMReader, LSTMTagger
from ..models.rnn import RNNConfig, RNNReader
from ..tasks.memory import CLASSES, DonorBoundaryTask, DonorOrderTask, decode
from ..train import seeded, train
from .registry import experiment

Kind = Literal["rnn", "lstm"]

#: The build's settings (quoted on the pages through the result objects).
GAPS = (0, 10, 40, 100, 410)
SEEDS = (0, 1, 2)
#: Hidden units of both models.
HIDDEN = {"rnn": 32, "lstm": 32}
#: Initial forget-gate bias of the LSTM: sigmoid(3) = 0.95, a memory of about 20 steps from the start.
FORGET_BIAS = 3.0
FIRST_STEPS, STAGE_STEPS = 300, 100
FIRST_BATCH, BATCH = 32, 32
#: Learning rates (AdamW), one per model, chosen in trial runs from 1e-3, 3e-3 and 1e-2.
LR = {"rnn": 3e-3, "lstm": 1e-2}
TEST_SIZE = 256
SLOTS = ("first", "second")
#: A unit "carries" a donor when its cell state separates the donor's two variants by this many sds.
CARRIER_THRESHOLD = 2.0


def make_reader(kind: Kind, seed: int, hidden: int | None = None, *, init: str = "orthogonal",
                forget_bias: float = FORGET_BIAS) -> nn.Module:
    """A fresh ``RNNReader`` or ``LSTMReader`` for the four-class order task, seeded."""
    require(kind in ("rnn", "lstm"), "kind", kind, "'rnn' or 'lstm'")
    hidden = HIDDEN[kind] if hidden is None else hidden
    with seeded(seed):
        if kind == "rnn":
            return RNNReader(RNNConfig(channels=4, hidden=hidden, outputs=len(CLASSES), init=init))
        return LSTMReader(LSTMConfig(channels=4, hidden=hidden, outputs=len(CLASSES), forget_bias=forget_bias))


def predict(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """Class predictions ``(N,)`` (model put in eval mode, then restored)."""
    was = model.training
    model.eval()
    try:
        with torch.no_grad():
            return model(x).argmax(dim=1)
    finally:
        model.train(was)


def scores(predicted: torch.Tensor, y: torch.Tensor) -> tuple[float, float, float]:
    """Accuracy on the class, on the first donor's variant alone and on the second's alone."""
    return (float((predicted == y).float().mean()),
            float((predicted // 2 == y // 2).float().mean()),
            float((predicted % 2 == y % 2).float().mean()))


@dataclass(frozen=True)
class CurriculumRun:
    """One model taken through the gaps; ``accuracy[k]`` is measured right after stage ``k``.

    ``first``/``second``: accuracy on each donor's variant alone (chance 0.5).
    """

    kind: str
    seed: int
    gaps: tuple[int, ...]
    accuracy: tuple[float, ...]
    first: tuple[float, ...]
    second: tuple[float, ...]
    final_loss: tuple[float, ...]


def _stage_sampler(earlier: tuple[int, ...], gap: int, size: int, ramp: int):
    """Batches for one curriculum stage: ``sampler(offset)(generator, step)``.

    Half of the batches (at random) replay a gap of an earlier stage; the
    others use the stage's gap, which grows linearly from the previous stage's
    gap to ``gap`` over the first ``ramp`` steps, then stays there.
    """
    previous = earlier[-1] if earlier else gap

    def sampler(offset: int):
        def sample(generator: torch.Generator, step: int) -> tuple[torch.Tensor, torch.Tensor]:
            if earlier and torch.rand((), generator=generator) < 0.5:
                now = earlier[int(torch.randint(len(earlier), (), generator=generator))]
            else:
                fraction = min(1.0, (offset + step + 1) / max(ramp, 1))
                now = round(previous + (gap - previous) * fraction)
            return DonorOrderTask(now).sample(size, generator)
        return sample

    return sampler


def order_curriculum(kind: Kind, seed: int, gaps: tuple[int, ...] = GAPS, *, hidden: int | None = None,
                     first_steps: int = FIRST_STEPS, stage_steps: int = STAGE_STEPS, batch: int = BATCH,
                     first_batch: int = FIRST_BATCH,
                     lr: float | None = None, forget_bias: float = FORGET_BIAS,
                     test_size: int = TEST_SIZE) -> tuple[CurriculumRun, nn.Module]:
    """Train one model on ``DonorOrderTask`` through growing gaps and test it at each.

    Stage ``k`` trains at gap ``gaps[k]``, reached by a linear ramp from
    ``gaps[k-1]`` over the stage's first half; half of its batches replay a
    shorter gap of an earlier stage (chosen at random), so the model keeps
    what it learnt. Each stage ends with a quarter of its steps at a fifth of
    the learning rate. The model after stage ``k`` is the model "trained with the
    curriculum up to gap ``gaps[k]``", and is tested on fresh sequences at
    that gap. Stage 0 (``first_steps``) learns the task; the later stages
    (``stage_steps`` each) stretch it.

    Returns
    -------
    CurriculumRun, torch.nn.Module
        The accuracies, and the model after the last stage.
    """
    require(len(gaps) >= 1 and all(isinstance(g, int) and g >= 0 for g in gaps)
            and list(gaps) == sorted(set(gaps)), "gaps", gaps, "increasing ints >= 0")
    model = make_reader(kind, seed, hidden, forget_bias=forget_bias)
    lr = LR[kind] if lr is None else lr
    measured, losses = [], []
    for k, gap in enumerate(gaps):
        steps = first_steps if k == 0 else stage_steps
        size = first_batch if k == 0 else batch
        settle = steps // 4  # the last quarter of a stage at a fifth of the learning rate
        sampler = _stage_sampler(gaps[:k], gap, size, ramp=steps // 2)
        train(model, sampler(0), F.cross_entropy, steps=steps - settle, lr=lr, clip=1.0, seed=1000 * seed + k)
        log = train(model, sampler(steps - settle), F.cross_entropy, steps=settle, lr=lr / 5, clip=1.0,
                    seed=1000 * seed + k + 500)
        x, y = DonorOrderTask(gap).sample(test_size, torch.Generator().manual_seed(7919 + gap))
        measured.append(scores(predict(model, x), y))
        losses.append(log.final_loss)
    whole, first, second = (tuple(column) for column in zip(*measured))
    return CurriculumRun(kind, seed, tuple(gaps), whole, first, second, tuple(losses)), model


def gradient_profile(model: nn.Module, x: torch.Tensor) -> np.ndarray:
    """Mean over sequences of ``||dh_T / dx_t||`` (Frobenius norm), for ``t = T-1, ..., 0``.

    ``model`` is an ``RNNReader`` or ``LSTMReader`` (its recurrent layer is
    used); ``x`` is ``(N, 4, T)``. Entry ``k`` of the result is the distance
    ``T - 1 - t = k``. Float32: gradients below about 1e-38 come out as 0.
    """
    layer = model.rnn if isinstance(model, RNNReader) else model.lstm
    hidden, n = layer.hidden_size, x.shape[0]
    # one backward pass for the whole Jacobian: copy the batch once per hidden unit and
    # pull on unit j in copy j (the copies do not interact)
    inputs = x.transpose(1, 2).repeat(hidden, 1, 1).requires_grad_(True)  # (H * N, T, 4)
    out, _ = layer(inputs)                                         # (H * N, T, H)
    pick = torch.eye(hidden).repeat_interleave(n, dim=0)           # (H * N, H)
    (grad,) = torch.autograd.grad((out[:, -1] * pick).sum(), inputs)   # d h_T[j] / d x in copy j
    squares = grad.square().sum(dim=2).view(hidden, n, -1).sum(dim=0)  # (H * N, T, 4) -> (N, T)
    norms = squares.sqrt().mean(dim=0)                             # (T,)
    return norms.flip(0).numpy().astype(np.float64)                # index k = distance T - 1 - t


def decay_summary(profile: np.ndarray, fraction: float = 0.01) -> tuple[int | None, float | None]:
    """First distance where the gradient falls below ``fraction`` of its value at distance 0,
    and the steps per tenfold fall from a least-squares line through ``log10`` of the profile
    up to that distance (``None`` where it never falls that far)."""
    below = np.nonzero(profile < fraction * profile[0])[0]
    if len(below) == 0:
        return None, None
    k = int(below[0])
    slope = np.polyfit(np.arange(k + 1), np.log10(profile[:k + 1]), 1)[0]
    return k, float(-1.0 / slope) if slope < 0 else None


@dataclass(frozen=True)
class GradientDecay:
    """``||dh_T/dx_t||`` against the distance ``T - t`` (``profiles[name][k]``, ``k = 0..T-1``).

    ``names``: the models, in drawing order; ``labels``: how the figure names
    them; ``trained``: which were trained (the rest are at initialisation).
    ``to_1_percent[name]``: the first distance where the gradient is below 1%
    of its value at distance 0 (-1 if never within ``length``);
    ``per_decade[name]``: steps per tenfold fall, from a line fitted up to
    that distance (nan if it never falls that far). ``gap_level[name]``: the
    median gradient over the gap's bases (distances 10 to ``T - 25``) relative
    to distance 0; ``donor_gain[name]``: the mean gradient over the donor
    window (the first 20 bases) over that median.

    The trained models' numbers are seed ``seeds[0]``'s; every trained seed's
    are in ``seed_profiles[name]`` ``(S, T)``, ``seed_to_1_percent[name]``,
    ``seed_gap_level[name]`` and ``seed_donor_gain[name]`` (one entry per
    seed of ``seeds``; ``name`` is ``"rnn_trained"`` or ``"lstm_trained"``).
    Float32: a gradient below about 1e-38 is 0, so a gap level can be exactly
    0 and its donor gain nan.
    """

    names: tuple[str, ...]
    labels: dict[str, str]
    trained: dict[str, bool]
    profiles: dict[str, np.ndarray]
    to_1_percent: dict[str, int]
    per_decade: dict[str, float]
    donor_gain: dict[str, float]
    gap_level: dict[str, float]
    length: int
    seeds: tuple[int, ...]
    seed_profiles: dict[str, np.ndarray]
    seed_to_1_percent: dict[str, tuple[int, ...]]
    seed_gap_level: dict[str, tuple[float, ...]]
    seed_donor_gain: dict[str, tuple[float, ...]]

    def faded(self, name: str) -> tuple[int, ...]:
        """The trained seeds whose gradient falls below 1% of its most recent value within the sequence."""
        return tuple(s for s, k in zip(self.seeds, self.seed_to_1_percent[name]) if k >= 0)

    def kept(self, name: str) -> tuple[int, ...]:
        """The trained seeds whose gradient never falls below 1% of its most recent value."""
        return tuple(s for s, k in zip(self.seeds, self.seed_to_1_percent[name]) if k < 0)

    def seed_index(self, seed: int) -> int:
        """Where ``seed`` sits in the ``seed_*`` tuples."""
        return self.seeds.index(seed)


def _gap_level(profile: np.ndarray) -> float:
    """The median gradient over the gap's bases (distances 10 to ``T - 25``), unnormalised."""
    length = len(profile)
    return float(np.median(profile[10:length - 24])) if length - 24 > 10 else float("nan")


def _donor_gain(profile: np.ndarray) -> float:
    gap = _gap_level(profile)
    return float(profile[len(profile) - 20:].mean() / gap) if gap > 0 else float("nan")


def gradient_decay(trained: dict[str, list[nn.Module]], x: torch.Tensor, seed: int = 0,
                   seeds: tuple[int, ...] | None = None) -> GradientDecay:
    """Gradient profiles of fresh models (two initialisations each) and of the trained models.

    ``trained["rnn"|"lstm"]`` holds one trained model per seed of ``seeds``
    (default ``(seed,)``); the first is drawn and summarised as
    ``"rnn_trained"``/``"lstm_trained"``, all of them in the ``seed_*`` fields.
    """
    seeds = (seed,) if seeds is None else tuple(seeds)
    require(all(len(trained[k]) == len(seeds) for k in ("rnn", "lstm")), "trained", trained,
            f"one model per seed of {seeds} for 'rnn' and 'lstm'")
    models = {
        "rnn_default": (make_reader("rnn", seed, init="default"),
                        "RNN, PyTorch's default init", False),
        "rnn_orthogonal": (make_reader("rnn", seed, init="orthogonal"),
                           "RNN, orthogonal W_h (trained from here)", False),
        "lstm_bias_0": (make_reader("lstm", seed, forget_bias=0.0),
                        "LSTM, forget bias 0", False),
        "lstm_bias_used": (make_reader("lstm", seed, forget_bias=FORGET_BIAS),
                        f"LSTM, forget bias {FORGET_BIAS:g} (trained from here)", False),
        "rnn_trained": (trained["rnn"][0], "RNN after training", True),
        "lstm_trained": (trained["lstm"][0], "LSTM after training", True),
    }
    profiles = {name: gradient_profile(model, x) for name, (model, _, _) in models.items()}
    summaries = {name: decay_summary(p) for name, p in profiles.items()}
    length = x.shape[2]
    gap = {name: _gap_level(p) for name, p in profiles.items()}
    seed_profiles = {f"{kind}_trained": np.stack([profiles[f"{kind}_trained"]]
                                                 + [gradient_profile(m, x) for m in trained[kind][1:]])
                     for kind in ("rnn", "lstm")}
    return GradientDecay(
        names=tuple(models), labels={n: v[1] for n, v in models.items()},
        trained={n: v[2] for n, v in models.items()}, profiles=profiles,
        to_1_percent={n: (-1 if k is None else k) for n, (k, _) in summaries.items()},
        per_decade={n: (float("nan") if d is None else d) for n, (_, d) in summaries.items()},
        donor_gain={n: float(p[length - 20:].mean() / gap[n]) if gap[n] > 0 else float("nan")
                    for n, p in profiles.items()},
        gap_level={n: gap[n] / float(p[0]) for n, p in profiles.items()},
        length=length, seeds=seeds, seed_profiles=seed_profiles,
        seed_to_1_percent={n: tuple(-1 if (k := decay_summary(p)[0]) is None else k for p in ps)
                           for n, ps in seed_profiles.items()},
        seed_gap_level={n: tuple(_gap_level(p) / float(p[0]) for p in ps) for n, ps in seed_profiles.items()},
        seed_donor_gain={n: tuple(_donor_gain(p) for p in ps) for n, ps in seed_profiles.items()},
    )


@dataclass(frozen=True)
class GateTrace:
    """A trained LSTM reading sequences of the longest gap (the hand-written cell, weights copied in).

    One traced sequence: ``sequence``, its donor starts ``first``/``second``,
    ``label`` and ``predicted`` class, and its ``forget``, ``input``,
    ``output`` gates, each ``(H, L)``. ``distance``: bases from the first
    donor's start to the acceptor's ``A``.

    Over ``batch`` sequences, keyed ``"first"`` and ``"second"`` (the donor):
    ``units`` are the cell units whose final state best separates that donor's
    two variants (``separation``: difference of the two means over the mean of
    the two sds, at the end; ``separation_middle``: the same halfway through
    the gap). ``bands[u, v]`` (``u`` = 0 first, 1 second) is the unit's mean
    cell state over the sequences whose donor had variant ``v`` (``GTAAGT``,
    ``GTGAGT``), ``(2, 2, L)``; ``traced_cell`` the two units' cell state on
    the traced sequence, ``(2, L)``. ``forget_gap``/``input_gap``: the unit's
    mean gate value inside the gap; ``input_donor``: its mean input gate over
    its donor's six bases.

    How the unit holds its donor, each a pair ``(GTAAGT, GTGAGT)`` split by
    that donor's variant, means inside the gap: ``forget_variant`` (the
    forget gate), ``cell_variant`` (the cell state C), ``write_variant`` (what
    is written each step, ``i * g``), ``log10_kept`` (``log10`` of the product
    of the forget gates over the gap: the share of what the unit held when the
    gap began that is still there at the acceptor, mean over sequences).
    ``carriers``: how many units separate that donor's variants by more than
    ``carrier_threshold`` standard deviations halfway through the gap.
    """

    sequence: str
    first: int
    second: int
    label: str
    predicted: str
    forget: np.ndarray
    input: np.ndarray
    output: np.ndarray
    distance: int
    batch: int
    units: dict[str, int]
    separation: dict[str, float]
    separation_middle: dict[str, float]
    bands: np.ndarray
    traced_cell: np.ndarray
    forget_gap: dict[str, float]
    input_gap: dict[str, float]
    input_donor: dict[str, float]
    forget_variant: dict[str, tuple[float, float]]
    cell_variant: dict[str, tuple[float, float]]
    write_variant: dict[str, tuple[float, float]]
    log10_kept: dict[str, tuple[float, float]]
    carriers: dict[str, int]
    carrier_threshold: float
    gap_bases: int
    #: The traced ``LSTMReader``'s parameters (``state_dict`` as float32 arrays), as the
    #: in-browser gate explorer of docs/lstm.md reads them.
    state: dict[str, np.ndarray] | None = field(default=None, repr=False)

    @property
    def held(self) -> dict[str, int]:
        """Per donor: the variant (0 ``GTAAGT``, 1 ``GTGAGT``) after which the unit's cell state
        sits further from 0 across the gap; ``1 - held`` is the other."""
        return {slot: int(abs(c[1]) > abs(c[0])) for slot, c in self.cell_variant.items()}


def _separation(values: torch.Tensor, bit: torch.Tensor) -> torch.Tensor:
    """Per unit: ``|mean(v | bit=1) - mean(v | bit=0)| / mean of the two sds``, ``(N, H)`` -> ``(H,)``."""
    one, zero = values[bit == 1], values[bit == 0]
    return (one.mean(0) - zero.mean(0)).abs() / (0.5 * (one.std(0) + zero.std(0)) + 1e-6)


def gate_trace(model: LSTMReader, gap: int, seed: int = 0, batch: int = 256) -> GateTrace:
    """Trace a trained ``LSTMReader`` on ``batch`` fresh ``DonorOrderTask(gap)`` sequences.

    The traced sequence is the first of the batch whose first donor starts at
    position 0 (so it lies ``gap + 20`` bases before the acceptor's A).
    """
    task = DonorOrderTask(gap)
    planted = task.sample_planted(batch, torch.Generator().manual_seed(seed))
    cell = LSTM(model.config.channels, model.config.hidden).load_torch(model.lstm)
    with torch.no_grad():
        gates = cell.trace(planted.x)                              # Gates of (N, H, L)
    predicted = predict(model, planted.x)
    bits = (planted.y // 2, planted.y % 2)                         # each donor's variant
    starts = (planted.first, planted.second)
    gap_part = slice(task.window, task.length - 2)
    units, separation, middle, bands, forget_gap, input_gap, input_donor = [], [], [], [], [], [], []
    held: dict[str, list] = {"forget": [], "cell": [], "write": [], "kept": [], "carriers": []}
    write = gates.input * gates.candidate                          # (N, H, L): i(t) * g(t)
    for bit, start in zip(bits, starts):
        score = _separation(gates.cell[:, :, -1], bit)             # (H,)
        unit = int(score.argmax())
        units.append(unit)
        separation.append(float(score[unit]))
        middle.append(float(_separation(gates.cell[:, :, task.length // 2], bit)[unit]))
        trace = gates.cell[:, unit]                                # (N, L)
        bands.append(torch.stack([trace[bit == v].mean(0) for v in (0, 1)]).numpy())
        forget_gap.append(float(gates.forget[:, unit, gap_part].mean()))
        input_gap.append(float(gates.input[:, unit, gap_part].mean()))
        donor = start[:, None] + torch.arange(6)                   # (N, 6)
        input_donor.append(float(gates.input[:, unit].gather(1, donor).mean()))
        split = [bit == v for v in (0, 1)]
        held["forget"].append(tuple(float(gates.forget[s, unit, gap_part].mean()) for s in split))
        held["cell"].append(tuple(float(gates.cell[s, unit, gap_part].mean()) for s in split))
        held["write"].append(tuple(float(write[s, unit, gap_part].mean()) for s in split))
        kept = gates.forget[:, unit, gap_part].double().log10().sum(dim=1)   # (N,): log10 of the product
        held["kept"].append(tuple(float(kept[s].mean()) for s in split))
        held["carriers"].append(int((_separation(gates.cell[:, :, task.length // 2], bit)
                                     > CARRIER_THRESHOLD).sum()))
    index = int(torch.nonzero(planted.first == 0)[0])
    return GateTrace(
        sequence=decode(planted.x[index:index + 1])[0], first=int(planted.first[index]),
        second=int(planted.second[index]), label=CLASSES[int(planted.y[index])],
        predicted=CLASSES[int(predicted[index])],
        forget=gates.forget[index].numpy(), input=gates.input[index].numpy(),
        output=gates.output[index].numpy(), distance=task.length - 2 - int(planted.first[index]),
        batch=batch, units=dict(zip(SLOTS, units)), separation=dict(zip(SLOTS, separation)),
        separation_middle=dict(zip(SLOTS, middle)), bands=np.stack(bands),
        traced_cell=gates.cell[index, units].numpy(), forget_gap=dict(zip(SLOTS, forget_gap)),
        input_gap=dict(zip(SLOTS, input_gap)), input_donor=dict(zip(SLOTS, input_donor)),
        forget_variant=dict(zip(SLOTS, held["forget"])), cell_variant=dict(zip(SLOTS, held["cell"])),
        write_variant=dict(zip(SLOTS, held["write"])), log10_kept=dict(zip(SLOTS, held["kept"])),
        carriers=dict(zip(SLOTS, held["carriers"])), carrier_threshold=CARRIER_THRESHOLD,
        gap_bases=gap, state={k: v.detach().numpy().copy() for k, v in model.state_dict().items()},
    )


@dataclass(frozen=True)
class Erasure:
    """Where a trained LSTM keeps the donors: erase units halfway through the gap, score again.

    At step ``position`` the cell and hidden state of the ``k`` units that best
    separate a donor's two variants there are replaced by their mean over the
    batch (the variant is wiped from them); the LSTM then reads on.
    ``accuracy[slot][k]``: accuracy on that donor's variant alone (chance 0.5),
    one value per seed of ``seeds``; ``k = 0`` is the intact model and
    ``k = hidden`` erases every unit. ``carriers[slot]``: per seed, the units
    that separate the variants by more than ``threshold`` standard deviations
    at ``position``.
    """

    seeds: tuple[int, ...]
    ks: tuple[int, ...]
    position: int
    length: int
    batch: int
    threshold: float
    accuracy: dict[str, dict[int, tuple[float, ...]]]
    carriers: dict[str, tuple[int, ...]]

    def loss(self, slot: str, k: int) -> tuple[float, ...]:
        """Per seed: accuracy on ``slot``'s donor intact minus after erasing ``k`` units."""
        return tuple(a - b for a, b in zip(self.accuracy[slot][0], self.accuracy[slot][k]))


def erase_units(model: LSTMReader, gap: int, ks: tuple[int, ...], seed: int = 0,
                batch: int = 256) -> tuple[dict[str, dict[int, float]], dict[str, int]]:
    """One trained model's part of ``Erasure``: per donor, accuracy after erasing the best ``k`` units."""
    task = DonorOrderTask(gap)
    planted = task.sample_planted(batch, torch.Generator().manual_seed(seed))
    cell = LSTM(model.config.channels, model.config.hidden).load_torch(model.lstm)
    middle = task.length // 2
    with torch.no_grad():
        gates = cell.trace(planted.x)                              # Gates of (N, H, L)
    accuracy: dict[str, dict[int, float]] = {}
    carriers: dict[str, int] = {}
    for slot, bit in zip(SLOTS, (planted.y // 2, planted.y % 2)):
        score = _separation(gates.cell[:, :, middle], bit)         # (H,)
        carriers[slot] = int((score > CARRIER_THRESHOLD).sum())
        accuracy[slot] = {}
        for k in ks:
            units = score.argsort(descending=True)[:k]
            h, c = gates.hidden[:, :, middle].clone(), gates.cell[:, :, middle].clone()   # (N, H)
            h[:, units], c[:, units] = h[:, units].mean(0), c[:, units].mean(0)
            with torch.no_grad():
                for t in range(middle + 1, task.length):
                    *_, c, h = cell.cell.step(planted.x[:, :, t], h, c)   # (N, C) -> (N, H)
                predicted = model.head(h).argmax(dim=1)            # (N, H) -> (N,)
            _, first, second = scores(predicted, planted.y)
            accuracy[slot][k] = first if slot == "first" else second
    return accuracy, carriers


def erasure(models: list[LSTMReader], seeds: tuple[int, ...], gap: int, ks: tuple[int, ...] = (0, 1, 4),
            batch: int = 256) -> Erasure:
    """``erase_units`` for each trained seed; ``ks`` gets ``hidden`` (every unit) added."""
    hidden = models[0].config.hidden
    ks = tuple(sorted(set(ks) | {hidden}))
    per_seed = [erase_units(m, gap, ks, batch=batch) for m in models]
    return Erasure(
        seeds=tuple(seeds), ks=ks, position=DonorOrderTask(gap).length // 2, length=DonorOrderTask(gap).length,
        batch=batch, threshold=CARRIER_THRESHOLD,
        accuracy={slot: {k: tuple(a[slot][k] for a, _ in per_seed) for k in ks} for slot in SLOTS},
        carriers={slot: tuple(c[slot] for _, c in per_seed) for slot in SLOTS},
    )


@dataclass(frozen=True)
class MemoryResult:
    """Everything the memory figures draw and the pages quote.

    ``rnn``/``lstm``: class accuracy ``[seed][gap]``; ``*_first``/``*_second``:
    accuracy on the first or second donor's variant alone (chance 0.5).
    ``chance`` is 0.25 and ``oracle`` 1.0 (the task has no noise).
    ``rnn_chance_gap``: the first gap where every RNN seed scores below
    ``chance_line`` (-1 if none); ``lstm_min_beyond``: the lowest LSTM
    accuracy from that gap on (nan if none). ``gradients``: the gradient
    profiles; ``gates``: seed ``seed_traced``'s LSTM traced at the longest
    gap; ``erasure``: every LSTM seed with units erased halfway through it.
    """

    gaps: tuple[int, ...]
    seeds: tuple[int, ...]
    n_seeds: int
    rnn: tuple[tuple[float, ...], ...]
    lstm: tuple[tuple[float, ...], ...]
    rnn_first: tuple[tuple[float, ...], ...]
    rnn_second: tuple[tuple[float, ...], ...]
    lstm_first: tuple[tuple[float, ...], ...]
    lstm_second: tuple[tuple[float, ...], ...]
    chance: float
    chance_line: float
    oracle: float
    rnn_chance_gap: int
    lstm_min_beyond: float
    lstm_min_at_longest: float
    lstm_mean_at_longest: float
    rnn_max_at_longest: float
    rnn_mean_at_longest: float
    rnn_first_at_longest: float
    rnn_second_at_longest: float
    rnn_mean_at_zero: float
    max_gap: int
    max_distance: int
    hidden_rnn: int
    hidden_lstm: int
    forget_bias: float
    first_steps: int
    stage_steps: int
    batch: int
    test_size: int
    lr_rnn: float
    lr_lstm: float
    params_rnn: int
    params_lstm: int
    seed_traced: int
    gradients: GradientDecay
    gates: GateTrace
    erasure: Erasure


def run_memory(gaps: tuple[int, ...] = GAPS, seeds: tuple[int, ...] = SEEDS, *,
               first_steps: int = FIRST_STEPS, stage_steps: int = STAGE_STEPS) -> MemoryResult:
    """Curricula for both models and every seed; gradients of every trained model; gates of seed
    ``seeds[0]``'s LSTM; units erased in every LSTM."""
    require(len(seeds) >= 1, "seeds", seeds, "at least one seed")
    runs: dict[str, list[CurriculumRun]] = {"rnn": [], "lstm": []}
    trained: dict[str, list[nn.Module]] = {"rnn": [], "lstm": []}
    for kind in ("rnn", "lstm"):
        for seed in seeds:
            run, model = order_curriculum(kind, seed, gaps, first_steps=first_steps, stage_steps=stage_steps)
            runs[kind].append(run)
            trained[kind].append(model)
    table = {f"{kind}{part}": np.array([getattr(r, field) for r in runs[kind]])
             for kind in ("rnn", "lstm") for part, field in (("", "accuracy"), ("_first", "first"),
                                                             ("_second", "second"))}
    chance = 1.0 / len(CLASSES)
    chance_line = chance + 0.1
    fallen = np.nonzero((table["rnn"] < chance_line).all(axis=0))[0]
    at = int(fallen[0]) if len(fallen) else -1
    x, _ = DonorOrderTask(gaps[-1]).sample(8, torch.Generator().manual_seed(5))
    lstm_min_beyond = float(table["lstm"][:, at:].min()) if at >= 0 else float("nan")
    return MemoryResult(
        gaps=tuple(gaps),
        seeds=tuple(seeds), n_seeds=len(seeds),
        **{name: tuple(tuple(row) for row in array.tolist()) for name, array in table.items()},
        chance=chance, chance_line=chance_line, oracle=1.0,
        rnn_chance_gap=gaps[at] if at >= 0 else -1,
        lstm_min_beyond=lstm_min_beyond,
        lstm_min_at_longest=float(table["lstm"][:, -1].min()),
        lstm_mean_at_longest=float(table["lstm"][:, -1].mean()),
        rnn_max_at_longest=float(table["rnn"][:, -1].max()),
        rnn_mean_at_longest=float(table["rnn"][:, -1].mean()),
        rnn_first_at_longest=float(table["rnn_first"][:, -1].mean()),
        rnn_second_at_longest=float(table["rnn_second"][:, -1].mean()),
        rnn_mean_at_zero=float(table["rnn"][:, 0].mean()),
        max_gap=gaps[-1], max_distance=DonorOrderTask(gaps[-1]).length - 2,
        hidden_rnn=HIDDEN["rnn"], hidden_lstm=HIDDEN["lstm"], forget_bias=FORGET_BIAS,
        first_steps=first_steps, stage_steps=stage_steps, batch=BATCH, test_size=TEST_SIZE,
        lr_rnn=LR["rnn"], lr_lstm=LR["lstm"],
        params_rnn=sum(p.numel() for p in trained["rnn"][0].parameters()),
        params_lstm=sum(p.numel() for p in trained["lstm"][0].parameters()),
        seed_traced=seeds[0], gradients=gradient_decay(trained, x, seeds[0], seeds),
        gates=gate_trace(trained["lstm"][0], gaps[-1]), erasure=erasure(trained["lstm"], seeds, gaps[-1]),
    )


@experiment("memory")
def memory() -> MemoryResult:
    """The build's memory experiment: RNN and LSTM, three seeds each, gaps 0 to 410."""
    return run_memory()


# -- the cell diagram ------------------------------------------------------------------


@dataclass(frozen=True)
class CellSketch:
    """The sizes of the LSTM that ``memory`` trains, read off a fresh model, for the cell diagram.

    ``weights[gate]``: the shape ``(H, H + C)`` of ``W_f``, ``W_i``, ``W_c``,
    ``W_o`` of the hand-written cell; ``bias``: ``H``. ``forget_start``:
    ``sigmoid(forget_bias)``, the forget gate before training when its input
    is zero. ``params_cell``: the four gates' weights and biases;
    ``params_torch``: ``torch.nn.LSTM``'s count (two bias vectors);
    ``params_reader``: with the read-out.
    """

    channels: int
    hidden: int
    outputs: int
    forget_bias: float
    forget_start: float
    weights: dict[str, tuple[int, int]]
    bias: int
    params_cell: int
    params_torch: int
    params_reader: int


def cell_sketch(seed: int = 0) -> CellSketch:
    """The sizes of ``make_reader("lstm", seed)`` and of the hand-written cell it loads into."""
    reader = make_reader("lstm", seed)
    config = reader.config
    cell = LSTM(config.channels, config.hidden).load_torch(reader.lstm).cell
    return CellSketch(
        channels=config.channels, hidden=config.hidden, outputs=config.outputs,
        forget_bias=config.forget_bias, forget_start=float(torch.sigmoid(torch.tensor(config.forget_bias))),
        weights={gate: tuple(getattr(cell, f"W_{gate}").shape) for gate in ("f", "i", "c", "o")},
        bias=cell.b_f.shape[0], params_cell=sum(p.numel() for p in cell.parameters()),
        params_torch=sum(p.numel() for p in reader.lstm.parameters()),
        params_reader=sum(p.numel() for p in reader.parameters()),
    )


@experiment("lstm_cell")
def lstm_cell() -> CellSketch:
    """The LSTM of the memory experiment, its sizes only (no training)."""
    return cell_sketch()


# -- both directions ------------------------------------------------------------------


@dataclass(frozen=True)
class BoundaryResult:
    """One-way against two-way LSTM taggers on ``DonorBoundaryTask``, the same budget.

    Accuracies are at candidate positions (each ``CAG`` end, where the label is
    in question), per seed; ``majority`` answers "no" at every candidate (the
    best rule that ignores what follows, up to faint positional cues),
    ``oracle`` the rule itself (1.0). ``*_all``: accuracy over every position.
    """

    seeds: tuple[int, ...]
    n_seeds: int
    uni: tuple[float, ...]
    bi: tuple[float, ...]
    uni_all: tuple[float, ...]
    bi_all: tuple[float, ...]
    majority: float
    oracle: float
    donor_fraction: float
    steps: int
    batch: int
    length: int
    hidden_uni: int
    hidden_bi: int
    params_uni: int
    params_bi: int
    uni_mean: float
    bi_mean: float


def boundary_tagging(seeds: tuple[int, ...] = (0, 1, 2), steps: int = 150, batch: int = 32,
                     hidden: int = 32, lr: float = 2e-2, length: int = 32, sites: int = 2,
                     test_size: int = 512) -> BoundaryResult:
    """Train a one-way LSTM (``hidden`` units) and a two-way LSTM (``hidden // 2`` per direction,
    so both give ``hidden`` features per position) per seed with the same steps, batch and lr."""
    task = DonorBoundaryTask(length=length, sites=sites)
    x, y = task.sample(test_size, torch.Generator().manual_seed(4242))
    candidates = task.candidates(x)
    results: dict[bool, list[tuple[float, float]]] = {False: [], True: []}
    params = {}
    for bidirectional in (False, True):
        for seed in seeds:
            size = hidden // 2 if bidirectional else hidden
            with seeded(seed):
                model = LSTMTagger(LSTMConfig(hidden=size, outputs=1, bidirectional=bidirectional))
            params[bidirectional] = sum(p.numel() for p in model.parameters())
            train(model, lambda g, step: task.sample(batch, g),
                  lambda out, target: F.binary_cross_entropy_with_logits(out[:, 0], target),
                  steps=steps, lr=lr, clip=1.0, seed=seed)
            model.eval()
            with torch.no_grad():
                predicted = (model(x)[:, 0] > 0).float()           # (N, 1, L) -> (N, L)
            model.train()
            correct = predicted == y
            results[bidirectional].append((float(correct[candidates].float().mean()),
                                           float(correct.float().mean())))
    donor_fraction = float(y[candidates].mean())
    uni, bi = results[False], results[True]
    return BoundaryResult(
        seeds=tuple(seeds), n_seeds=len(seeds), uni=tuple(a for a, _ in uni), bi=tuple(a for a, _ in bi),
        uni_all=tuple(b for _, b in uni), bi_all=tuple(b for _, b in bi),
        majority=max(donor_fraction, 1 - donor_fraction), oracle=1.0, donor_fraction=donor_fraction,
        steps=steps, batch=batch, length=task.length, hidden_uni=hidden, hidden_bi=hidden // 2,
        params_uni=params[False], params_bi=params[True],
        uni_mean=float(np.mean([a for a, _ in uni])), bi_mean=float(np.mean([a for a, _ in bi])),
    )


@experiment("bidirectional")
def bidirectional() -> BoundaryResult:
    """The build's two-way experiment: three seeds each, 150 steps of 32 sequences of 32 bases."""
    return boundary_tagging()
