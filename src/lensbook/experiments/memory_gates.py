"""How a trained LSTM holds the donors, for the ``memory`` experiment (experiments/memory.py).

``gate_trace`` reads the forget, input and output gates of a trained
``LSTMReader`` along fresh sequences (through the hand-written cell, weights
copied in) and finds the cell units that carry each donor; ``erasure``
erases those units halfway through the gap and scores the reader again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from ..models.lstm import LSTM, LSTMReader
from ..tasks.memory import CLASSES, DonorOrderTask, decode
from .memory_curriculum import predict, scores

SLOTS = ("first", "second")
#: A unit "carries" a donor when its cell state separates the donor's two variants by this many sds.
CARRIER_THRESHOLD = 2.0


@dataclass(frozen=True)
class GateTrace:
    """A trained LSTM reading sequences of the longest gap (the hand-written cell, weights copied in).

    One traced sequence: ``sequence``, its donor starts ``first``/``second``,
    ``label`` and ``predicted`` class, and its ``forget``, ``input``,
    ``output`` gates, each ``(H, L)``. ``gap_bases``: the gap.

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
    """

    sequence: str
    first: int
    second: int
    label: str
    predicted: str
    forget: np.ndarray
    input: np.ndarray
    output: np.ndarray
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
    gap_bases: int
    #: The traced ``LSTMReader``'s parameters (``state_dict`` as float32 arrays), as the
    #: in-browser gate explorer of docs/lstm.md reads them.
    state: dict[str, np.ndarray] = field(repr=False)

    @property
    def distance(self) -> int:
        """Bases from the traced sequence's first donor's start to the acceptor's ``A``."""
        return len(self.sequence) - 2 - self.first

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
    held: dict[str, list] = {"forget": [], "cell": [], "write": [], "kept": []}
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
    index = int(torch.nonzero(planted.first == 0)[0])
    return GateTrace(
        sequence=decode(planted.x[index:index + 1])[0], first=int(planted.first[index]),
        second=int(planted.second[index]), label=CLASSES[int(planted.y[index])],
        predicted=CLASSES[int(predicted[index])],
        forget=gates.forget[index].numpy(), input=gates.input[index].numpy(),
        output=gates.output[index].numpy(), batch=batch, units=dict(zip(SLOTS, units)), separation=dict(zip(SLOTS, separation)),
        separation_middle=dict(zip(SLOTS, middle)), bands=np.stack(bands),
        traced_cell=gates.cell[index, units].numpy(), forget_gap=dict(zip(SLOTS, forget_gap)),
        input_gap=dict(zip(SLOTS, input_gap)), input_donor=dict(zip(SLOTS, input_donor)),
        forget_variant=dict(zip(SLOTS, held["forget"])), cell_variant=dict(zip(SLOTS, held["cell"])),
        write_variant=dict(zip(SLOTS, held["write"])), log10_kept=dict(zip(SLOTS, held["kept"])),
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
    length: int
    batch: int
    threshold: float
    accuracy: dict[str, dict[int, tuple[float, ...]]]
    carriers: dict[str, tuple[int, ...]]

    @property
    def position(self) -> int:
        """The step at which the units are erased: halfway through the sequence."""
        return self.length // 2

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
        seeds=tuple(seeds), ks=ks, length=DonorOrderTask(gap).length,
        batch=batch, threshold=CARRIER_THRESHOLD,
        accuracy={slot: {k: tuple(a[slot][k] for a, _ in per_seed) for k in ks} for slot in SLOTS},
        carriers={slot: tuple(c[slot] for _, c in per_seed) for slot in SLOTS},
    )
