"""The in-browser explorers: trained weights as JSON files for the site's scripts.

Two pages let the reader run a trained model in the browser, with no server:

* docs/cnn.md, the **motif scanner**: the first layer of the ``motif_cnn``
  experiment's :class:`~lensbook.models.cnn.MotifCNN` slides along DNA the
  reader types (``docs/assets/explorers/motif-scanner.js``);
* docs/lstm.md, the **gate explorer**: the traced ``LSTMReader`` of the
  ``memory`` experiment, its gates and cell state along DNA the reader edits
  (``docs/assets/explorers/lstm-gates.js``);
* docs/transformer.md, the **attention explorer**: the first seed's trained
  :class:`~lensbook.models.promoter_readout.HybridTransformer` of the
  ``long_range`` experiment, stem to softmax, on test sequences
  (``docs/assets/explorers/attention.js``).

The hook adds the files returned by :func:`files` to the site
(``explorers/motif-scanner.json``, ``explorers/attention.json``); a page links
to its file, and the script fetches that link, so the site works under any
base URL. Weights are written with 8 significant digits (float32 holds about
7), so the browser's numbers match PyTorch's to well under 1e-4.

``lensbook.site.explorers_bench`` times them in headless Chromium (``make bench``).
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

#: Site paths of the generated files, by experiment.
MOTIF_SCANNER = "explorers/motif-scanner.json"
ATTENTION = "explorers/attention.json"
LSTM_GATES = "explorers/lstm-gates.json"
#: Significant digits of every exported number.
DIGITS = 8


def _numbers(array: Any) -> Any:
    """A (nested) list of floats rounded to ``DIGITS`` significant digits."""
    values = np.asarray(array, dtype=np.float64)
    if values.ndim == 0:
        return float(f"{float(values):.{DIGITS}g}")
    return [_numbers(v) for v in values]


def motif_scanner(result: Any) -> dict[str, Any]:
    """The scanner's data from a :class:`~lensbook.experiments.cnn.MotifCNNResult`.

    Returns
    -------
    dict
        ``alphabet``, ``width``, ``trained_length``, ``example`` (the page's
        example sequence), ``classes`` (the read-out's class names, background
        first), ``head`` (the read-out's ``weight`` ``(classes, F)`` and
        ``bias``), ``n_test``, ``p_threshold`` and ``filters``: per filter its
        ``weight`` ``(4, width)``, ``bias``, ``matched`` (a rank-1 Tomtom match
        with p below ``p_threshold``), ``label`` (the match's name), ``why``
        (in words, when not matched), ``match_id``, ``family``, ``p_value``,
        ``range`` (5th, 50th and 95th percentile of its strongest-window score
        on background-only test sequences) and ``planted`` (the motif class
        whose test sequences it scores highest, and their median).
    """
    from lensbook.experiments.cnn import P_THRESHOLD

    weight, bias = np.asarray(result.conv_weight), np.asarray(result.conv_bias)   # (F, 4, w), (F,)
    head_weight, head_bias = np.asarray(result.head_weight), np.asarray(result.head_bias)  # (classes, F)
    quantiles = np.asarray(result.pooled_quantiles)  # (classes, F, 3)
    filters = []
    for f, match in zip(range(weight.shape[0]), result.filters):
        matched = bool(match.searched and match.p_value < P_THRESHOLD)
        if matched:
            why = ""
        elif match.searched:
            why = f"weak match ({match.match_name}, p {match.p_value:.1e})"
        elif match.n_sites == 0:
            why = "silent"
        else:
            why = "no clear motif"
        planted = 1 + int(np.argmax(quantiles[1:, f, 1]))
        filters.append({"index": f, "matched": matched, "label": match.match_name if matched else why, "why": why,
                        "match_id": match.match_id if matched else "",
                        "family": ", ".join(match.match_family) if matched else "",
                        "p_value": float(f"{match.p_value:.3g}") if match.searched else None,
                        "range": _numbers(quantiles[0, f]),
                        "planted": {"class": planted, "median": _numbers(quantiles[planted, f, 1])},
                        "weight": _numbers(weight[f]), "bias": _numbers(bias[f])})
    return {"model": "MotifCNN", "experiment": "motif_cnn", "seed": result.seed, "alphabet": "ACGT",
            "width": int(weight.shape[2]), "trained_length": result.length, "example": result.example,
            "classes": ["no motif"] + list(result.motif_names), "n_test": result.n_test,
            "p_threshold": P_THRESHOLD, "head": {"weight": _numbers(head_weight), "bias": _numbers(head_bias)},
            "filters": filters}


#: How many fresh sequences with an enhancer the attention explorer's opening sequence is chosen from.
OPENING_CANDIDATES = 200
#: The seed of those candidates (a generator of their own: the test set is not reused).
OPENING_SEED = 0


def opening_sequence(model: Any, task: Any, n: int = OPENING_CANDIDATES, seed: int = OPENING_SEED
                     ) -> tuple[str, int, float]:
    """The sequence the attention explorer opens on, by the rule the page states.

    Among ``n`` fresh sequences with an enhancer (``task.sample_sites``, its
    own generator), keep those the model calls positive and in which the
    promoter's bin puts its largest weight on the enhancer's bin in every
    head; of those, take the one whose attention rows differ most from the
    promoter's row (total-variation distance, averaged over bins and heads),
    so that choosing another bin visibly changes the picture.

    Returns
    -------
    tuple
        The sequence, its enhancer's 0-based start and that mean distance.
    """
    import torch

    from lensbook import dna

    sites = task.sample_sites(n, torch.Generator().manual_seed(seed), positive=True)
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            out = model(sites.x)
    finally:
        model.train(was_training)
    alpha = out.attention                                                # (N, heads, B, B)
    readout = model.config.readout_bin
    enhancer_bin = sites.enhancer_start // model.config.bin_size         # (N,)
    on_target = (alpha[:, :, readout].argmax(-1) == enhancer_bin[:, None]).all(-1)
    spread = (0.5 * (alpha - alpha[:, :, readout:readout + 1]).abs().sum(-1)).mean(dim=(1, 2))  # (N,)
    keep = on_target & (out.logit > 0)
    if not bool(keep.any()):
        keep = torch.ones_like(keep)
    i = int(torch.where(keep, spread, torch.full_like(spread, -1.0)).argmax())
    return dna.decode(sites.x[i]), int(sites.enhancer_start[i]), float(spread[i])


def attention(result: Any) -> dict[str, Any]:
    """The attention explorer's data from a :class:`~lensbook.experiments.long_range.DistanceResult`.

    Generic in the model's parameters: ``config`` is the model's config as a
    dict and ``state`` its whole ``state_dict`` (PyTorch's names and layouts),
    so a retrained or resized model exports unchanged; the page's script
    computes the forward pass of :class:`~lensbook.models.promoter_readout.HybridTransformer`
    from them.

    Returns
    -------
    dict
        ``model``, ``config``, ``state``, ``position_base``, ``head_read``
        (the head the page's statistics read), ``elements`` (the task's
        enhancer and promoter, where the promoter starts and the enhancer's
        distances) and ``sequences``: the opening sequence chosen by
        :func:`opening_sequence`, then the result's test sequences; each with
        its ``enhancer_start`` (``None`` without an enhancer) and a ``label``.

    """
    import dataclasses

    import torch

    from lensbook.models.promoter_readout import HybridTransformer
    from lensbook.tasks.long_range import LongRangeTask

    config, state = result.transformer_config, result.transformer_state
    task = LongRangeTask(length=config.length, promoter_start=result.promoter_start)
    model = HybridTransformer(config)
    model.load_state_dict({k: torch.from_numpy(np.asarray(v)) for k, v in state.items()})
    opening, opening_start, _ = opening_sequence(model, task)

    def entry(sequence: str, start: int, label: str) -> dict[str, Any]:
        if start < 0:
            return {"sequence": sequence, "enhancer_start": None, "label": label + "without an enhancer"}
        return {"sequence": sequence, "enhancer_start": start,
                "label": f"{label}enhancer {result.promoter_start - start} bp upstream of the promoter"}

    sequences = [entry(opening, opening_start, f"Opening sequence (by the rule above, from {OPENING_CANDIDATES} "
                                               f"fresh sequences with an enhancer): ")]
    sequences += [entry(s, start, "Test sequence: ")
                  for s, start in zip(result.example_sequences, result.example_enhancer_starts)]
    head = result.attention.head[0] if result.attention is not None else 0
    return {"model": type(model).__name__, "experiment": "long_range", "seed": result.seeds[0],
            "config": dataclasses.asdict(config), "position_base": 10000.0, "head_read": head,
            "state": {name: _numbers(value) for name, value in state.items()},
            "elements": {"enhancer": task.enhancer, "promoter": task.promoter,
                         "promoter_start": task.promoter_start, "min_distance": task.min_distance,
                         "max_distance": task.max_distance},
            "sequences": sequences}


def lstm_gates(result: Any) -> dict[str, Any]:
    """The gate explorer's data from a :class:`~lensbook.experiments.memory.MemoryResult`.

    Returns
    -------
    dict
        ``state`` (the traced ``LSTMReader``'s whole ``state_dict``, PyTorch's
        names and layouts), ``classes`` and ``donors`` of the order task,
        ``example`` (the traced sequence), ``first``/``second`` (its donors'
        0-based starts), ``units`` (the cell units that carry each donor) and
        ``seed``.
    """
    from lensbook.tasks.memory import CLASSES, DONORS

    gates = result.gates
    return {"model": "LSTMReader", "experiment": "memory", "seed": result.seed_traced,
            "state": {name: _numbers(value) for name, value in gates.state.items()},
            "classes": list(CLASSES), "donors": list(DONORS), "example": gates.sequence,
            "first": gates.first, "second": gates.second, "units": dict(gates.units)}


def files(results: dict[str, Any]) -> dict[str, bytes]:
    """Site path -> JSON bytes, from the experiment results (``name -> result``)."""
    out = {}
    for path, name, export in ((MOTIF_SCANNER, "motif_cnn", motif_scanner), (ATTENTION, "long_range", attention),
                               (LSTM_GATES, "memory", lstm_gates)):
        if name in results:
            out[path] = json.dumps(export(results[name]), separators=(",", ":")).encode()
    return out
