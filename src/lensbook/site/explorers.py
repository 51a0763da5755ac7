"""The in-browser explorers: trained weights as JSON files for the site's scripts.

Two pages let the reader run a trained model in the browser, with no server:

* docs/cnn.md, the **motif scanner**: the first layer of the ``motif_cnn``
  experiment's :class:`~lensbook.models.cnn.MotifCNN` slides along DNA the
  reader types (``docs/assets/explorers/motif-scanner.js``);
* docs/transformer.md, the **attention explorer**: the first seed's trained
  :class:`~lensbook.models.transformer.HybridTransformer` of the
  ``long_range`` experiment, stem to softmax, on test sequences
  (``docs/assets/explorers/attention.js``).

The hook adds the files returned by :func:`files` to the site
(``explorers/motif-scanner.json``, ``explorers/attention.json``); a page links
to its file, and the script fetches that link, so the site works under any
base URL. Weights are written with 8 significant digits (float32 holds about
7), so the browser's numbers match PyTorch's to well under 1e-4.

:func:`bench_explorers` times the scanner on a 10,000-bp sequence in headless
Chromium (``python -m lensbook.site.bench --no-build --only bench_explorers``).
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path
from typing import Any

import numpy as np

#: Site paths of the generated files, by experiment.
MOTIF_SCANNER = "explorers/motif-scanner.json"
ATTENTION = "explorers/attention.json"
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
        ``alphabet``, ``width``, ``example`` (the page's example sequence) and
        ``filters``: per filter its ``weight`` ``(4, width)``, ``bias``, a
        ``label`` (its rank-1 Tomtom match name, or why it has none),
        ``match_id`` and ``p_value``.

    Raises
    ------
    ValueError
        If the result carries no first-layer weights (an old cached result).
    """
    weight, bias = np.asarray(result.conv_weight), np.asarray(result.conv_bias)
    if weight.ndim != 3 or weight.shape[0] == 0 or weight.shape[1] != 4 or bias.shape != weight.shape[:1]:
        raise ValueError(f"motif_cnn: expected first-layer weights (F, 4, w) and biases (F,), got "
                         f"{weight.shape} and {bias.shape}")
    filters = []
    for f, match in zip(range(weight.shape[0]), result.filters):
        if match.searched:
            label = match.match_name
        elif match.n_sites == 0:
            label = "silent"
        else:
            label = "no clear motif"
        filters.append({"index": f, "label": label, "match_id": match.match_id,
                        "p_value": float(f"{match.p_value:.3g}") if match.searched else None,
                        "weight": _numbers(weight[f]), "bias": _numbers(bias[f])})
    return {"model": "MotifCNN", "experiment": "motif_cnn", "seed": result.seed, "alphabet": "ACGT",
            "width": int(weight.shape[2]), "trained_length": result.length, "example": result.example,
            "filters": filters}


def attention(result: Any) -> dict[str, Any]:
    """The attention explorer's data from a :class:`~lensbook.experiments.long_range.DistanceResult`.

    Returns
    -------
    dict
        The first seed's hybrid: sizes (``length``, ``kernel``, ``bin_size``,
        ``bins``, ``d_model``, ``heads``, ``readout_bin``, ``position_base``),
        the weights of ``stem``, ``embed``, ``query``, ``key``, ``value``,
        ``out`` and ``readout`` (each ``{"weight", "bias"}``, PyTorch's
        layout: ``(out, in)`` and ``(out, in, width)``), ``head_read`` (the
        head the page's statistics read) and ``sequences``.

    Raises
    ------
    ValueError
        If the result carries no Transformer (an old cached result).
    """
    config, state = result.transformer_config, result.transformer_state
    if config is None or not state or not result.example_sequences:
        raise ValueError("long_range: the result carries no trained Transformer and test sequences")
    layers = {"stem": "stem.conv", "embed": "embed", "query": "attention.query", "key": "attention.key",
              "value": "attention.value", "out": "attention.out", "readout": "readout"}
    weights = {name: {"weight": _numbers(state[f"{key}.weight"]), "bias": _numbers(state[f"{key}.bias"])}
               for name, key in layers.items()}
    sequences = []
    for sequence, start in zip(result.example_sequences, result.example_enhancer_starts):
        entry = {"sequence": sequence, "enhancer": start >= 0}
        if start >= 0:
            entry.update(enhancer_start=start, enhancer_bin=start // config.bin_size,
                         distance=result.promoter_start - start,
                         label=f"with an enhancer, {result.promoter_start - start} bp upstream of the promoter")
        else:
            entry.update(label="without an enhancer")
        sequences.append(entry)
    head = result.attention.head[0] if result.attention is not None else 0
    return {"model": "HybridTransformer", "experiment": "long_range", "seed": result.seeds[0],
            "length": config.length, "kernel": config.kernel, "bin_size": config.bin_size, "bins": config.bins,
            "channels": config.channels, "d_model": config.d_model, "heads": config.heads,
            "readout_bin": config.readout_bin, "promoter_start": result.promoter_start, "position_base": 10000.0,
            "head_read": head, **weights, "sequences": sequences}


def files(results: dict[str, Any]) -> dict[str, bytes]:
    """Site path -> JSON bytes, from the experiment results (``name -> result``)."""
    out = {}
    for path, name, export in ((MOTIF_SCANNER, "motif_cnn", motif_scanner), (ATTENTION, "long_range", attention)):
        if name in results:
            out[path] = json.dumps(export(results[name]), separators=(",", ":")).encode()
    return out


# --- benchmark (make bench): wall-clock time, never on the site ---------------------------------


def bench_explorers(site: Path | None = None, length: int = 10_000, repeats: int = 9) -> list[dict]:
    """Time the motif scanner's update for a ``length``-bp paste in headless Chromium.

    Builds the site into a temporary folder (the figure cache is reused) unless
    ``site`` names a built one, serves it on 127.0.0.1 and sets the scanner's
    text ``repeats`` times (a fresh random sequence each time). Each row is one
    measure: ``handler`` is the input event's synchronous work (parse, score,
    draw the feature maps and the hits), ``frame`` the time until the next
    animation frame after it (layout and paint included).
    """
    import os
    import subprocess
    import sys
    import tempfile

    from playwright.sync_api import sync_playwright

    from .serve import serve

    chromium = os.environ.get("LENSBOOK_CHROMIUM", "/usr/bin/chromium")
    with tempfile.TemporaryDirectory(prefix="lensbook-explorers-") as tmp:
        if site is None:
            site = Path(tmp) / "site"
            env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
            proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
                                  env=env, capture_output=True, text=True)
            if proc.returncode:
                raise RuntimeError(f"mkdocs build failed:\n{proc.stdout}{proc.stderr}")
        server, base = serve(site)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=chromium, args=["--headless", "--no-sandbox"])
                page = browser.new_page()
                page.goto(f"{base}/cnn/", wait_until="networkidle")
                page.wait_for_selector(".lensbook-explorer[data-ready='true'] textarea")
                times = page.evaluate(_BENCH_SCRIPT, {"length": length, "repeats": repeats})
                browser.close()
        finally:
            server.shutdown()
            server.server_close()
    handler_ms = [t["handler"] for t in times]
    frame_ms = [t["frame"] for t in times]
    return [{"explorer": "motif scanner", "bp": length, "updates": repeats,
             "median handler ms": statistics.median(handler_ms), "max handler ms": max(handler_ms),
             "median to next frame ms": statistics.median(frame_ms)}]


_BENCH_SCRIPT = """async ({length, repeats}) => {
  const box = document.querySelector(".lensbook-explorer[data-explorer='motif-scanner'] textarea");
  let state = 12345;
  const random = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
  const out = [];
  for (let r = 0; r < repeats + 1; r++) {
    let seq = "";
    for (let i = 0; i < length; i++) seq += "ACGT"[Math.floor(random() * 4)];
    const start = performance.now();
    box.value = seq;
    box.dispatchEvent(new Event("input", {bubbles: true}));
    const handled = performance.now();
    await new Promise(resolve => requestAnimationFrame(() => setTimeout(resolve, 0)));
    const framed = performance.now();
    if (r > 0) out.push({handler: handled - start, frame: framed - start});  // the first one warms up
  }
  return out;
}"""
