"""Wall-clock time and peak tensor memory of the layers that ``attention_costs`` counts (``make bench``).

Timings vary from run to run and machine to machine, so they never reach the
site: the page plots the FLOP counts of ``lensbook.experiments.attention_costs``.
"""

from __future__ import annotations

import statistics
import time
import weakref

import torch
from torch.utils._python_dispatch import TorchDispatchMode

from ..experiments.attention_costs import COST_LENGTHS, attention_costs_for, cost_layers


class PeakTensorBytes(TorchDispatchMode):
    """Track the bytes of tensors created inside the mode and still alive; keep the peak."""

    def __init__(self) -> None:
        super().__init__()
        self.live = 0
        self.peak = 0
        self._seen: set[int] = set()

    def _release(self, key: int, size: int) -> None:
        self.live -= size
        self._seen.discard(key)

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        for t in out if isinstance(out, (tuple, list)) else (out,):
            if isinstance(t, torch.Tensor):
                storage = t.untyped_storage()
                key = storage.data_ptr()
                if key and key not in self._seen:
                    self._seen.add(key)
                    size = storage.nbytes()
                    self.live += size
                    self.peak = max(self.peak, self.live)
                    weakref.finalize(t, self._release, key, size)  # approximately: when its first tensor dies
        return out


def bench_attention_costs(lengths: tuple[int, ...] = COST_LENGTHS, width: int = 64, heads: int = 4,
                          kernel: int = 9, repeats: int = 3) -> list[dict[str, object]]:
    """Wall-clock seconds and peak tensor memory of the three layers on this CPU, against L.

    For ``make bench`` only: timings vary from run to run and machine to
    machine, so they never reach the site. Each time is the median of
    ``repeats`` forward passes (after one warm-up) over one sequence, without
    gradients; ``peak_MiB`` is the largest total size of the tensors the
    forward pass had alive at once (inputs and weights excluded).

    Returns
    -------
    list of dict
        One row per layer and length: ``layer``, ``L``, ``ms``, ``peak_MiB``,
        and ``GFLOPs`` (the count the site plots, for reference).
    """
    layers = cost_layers(width, heads, kernel)
    counted = attention_costs_for(tuple(lengths), width, heads, kernel).flops
    rows: list[dict[str, object]] = []
    with torch.no_grad():
        for i, n in enumerate(lengths):
            x = torch.randn(1, n, width, generator=torch.Generator().manual_seed(0))
            for name, layer in layers.items():
                inputs = x.transpose(1, 2).contiguous() if name == "convolution" else x
                layer(inputs)                                 # warm-up
                times = []
                for _ in range(repeats):
                    start = time.perf_counter()
                    layer(inputs)
                    times.append(time.perf_counter() - start)
                tracker = PeakTensorBytes()
                with tracker:
                    layer(inputs)
                rows.append({"layer": name, "L": n, "ms": round(1000 * statistics.median(times), 2),
                             "peak_MiB": round(tracker.peak / 2**20, 4),
                             "GFLOPs": round(counted[name][i] / 1e9, 3)})
    return rows
