"""The explorers' benchmark (``make bench``): wall-clock time in headless Chromium, never on the site.

:func:`bench_explorers` times the motif scanner and the attention explorer as a
reader's input reaches the screen: keystroke to frame on a 10,000-bp sequence,
and the longest input wait while a 1,000,000-character paste is scanned
(``python -m lensbook.site.bench --no-build --only bench_explorers``).
"""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any

import numpy as np


def bench_explorers(site: Path | None = None, length: int = 10_000, keystrokes: int = 30,
                    paste: int = 1_000_000) -> list[dict]:
    """Time the explorers in headless Chromium, as a reader's input reaches the screen.

    Builds the site into a temporary folder (the figure cache is reused) unless
    ``site`` names a built one and serves it on 127.0.0.1. Rows:

    * **motif scanner, typing**: a ``length``-bp sequence in the box, debouncing
      off, then ``keystrokes`` real key presses (Chromium's input pipeline);
      each is timed from the key event's timestamp to the next animation frame
      after the redraw (layout and paint included): median and slowest.
    * **motif scanner, paste**: a ``paste``-character sequence pasted (it
      leaves the text box and is scanned in the Web Worker); while the scan
      runs, a key press and a click every ~40 ms, each timed from its event
      timestamp to its handler (the wait a reader feels); the longest wait,
      the longest main-thread task (PerformanceObserver ``longtask``) and the
      time from paste to drawn result.
    * **attention explorer, typing**: key presses in its 1,000-bp box,
      debouncing off, to the next frame.
    """
    import tempfile

    from playwright.sync_api import sync_playwright

    from . import chromium
    from .build import build_site
    from .serve import serve

    rows = []
    with tempfile.TemporaryDirectory(prefix="lensbook-explorers-") as tmp:
        if site is None:
            site = Path(tmp) / "site"
            build_site(site)
        server, base = serve(site)
        try:
            with sync_playwright() as p:
                browser = chromium.launch(p)
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                page.goto(f"{base}/cnn/", wait_until="networkidle")
                page.locator(".lensbook-explorer[data-explorer='motif-scanner']").scroll_into_view_if_needed()
                page.wait_for_selector(".lensbook-explorer[data-explorer='motif-scanner'][data-ready='true'] textarea")
                typing = _bench_typing(page, ".lensbook-explorer[data-explorer='motif-scanner'] textarea",
                                       "motifDebounce", _random_dna(length, 12345), keystrokes)
                rows.append({"explorer": "motif scanner", "what": f"keystroke to frame, {length:,} bp, no debounce",
                             "n": len(typing), "median ms": statistics.median(typing), "max ms": max(typing),
                             "longest task ms": "", "paste to result ms": ""})
                page.evaluate(_BENCH_PASTE, _random_dna(paste, 777))
                while page.evaluate(_BUSY):
                    page.keyboard.press("Shift")
                    page.mouse.click(5, 300)
                    page.wait_for_timeout(40)
                page.wait_for_timeout(300)
                report = page.evaluate("() => window.__lensbookBench")
                waits = report["waits"]
                rows.append({"explorer": "motif scanner", "what": f"input wait during a {paste:,}-character paste",
                             "n": len(waits), "median ms": statistics.median(waits) if waits else float("nan"),
                             "max ms": max(waits) if waits else float("nan"),
                             "longest task ms": report["longest_task"] or "none over 50",   # longtask reports 50 ms and up
                             "paste to result ms": report["done"]})
                page.goto(f"{base}/transformer/", wait_until="networkidle")
                page.locator(".lensbook-explorer[data-explorer='attention']").scroll_into_view_if_needed()  # starts near
                page.wait_for_selector(".lensbook-explorer[data-explorer='attention'][data-ready='true'] textarea")
                sequence = page.evaluate("() => window.lensbookExplorers.attentionSequences[0]")
                typing = _bench_typing(page, ".lensbook-explorer[data-explorer='attention'] textarea",
                                       "attentionDebounce", sequence, keystrokes, replace=True)
                rows.append({"explorer": "attention explorer", "what": "keystroke to frame, 1,000 bp, no debounce",
                             "n": len(typing), "median ms": statistics.median(typing), "max ms": max(typing),
                             "longest task ms": "", "paste to result ms": ""})
                browser.close()
        finally:
            server.shutdown()
            server.server_close()
    return rows


def _random_dna(length: int, seed: int) -> str:
    rng = np.random.default_rng(seed)
    return "".join(np.array(list("ACGT"))[rng.integers(0, 4, length)])


def _bench_typing(page: Any, box: str, debounce: str, text: str, keystrokes: int, replace: bool = False
                  ) -> list[float]:
    """Milliseconds from each key event to the next frame after the explorer redrew."""
    page.evaluate(_BENCH_TYPING, {"box": box, "debounce": debounce, "text": text})
    page.click(box)
    page.keyboard.press("Control+Home")
    for _ in range(50):
        page.keyboard.press("ArrowRight")
    for k in range(keystrokes + 1):
        if replace:  # keep 1,000 bp: select one base and type over it
            page.keyboard.press("Shift+ArrowRight")
        page.keyboard.press("ACGT"[k % 4])
        page.wait_for_function("n => window.__lensbookBench.frames.length >= n", arg=k + 1)
    return page.evaluate("() => window.__lensbookBench.frames")[1:]   # the first one warms up


_BENCH_TYPING = """({box, debounce, text}) => {
  window.lensbookExplorers[debounce] = 0;
  const area = document.querySelector(box);
  area.value = text;
  area.dispatchEvent(new Event("input", {bubbles: true}));
  const bench = window.__lensbookBench = {frames: []};
  area.addEventListener("input", event => {   // registered after the explorer's: runs after its redraw
    const start = event.timeStamp;
    requestAnimationFrame(() => setTimeout(() => bench.frames.push(performance.now() - start), 0));
  });
}"""

_BUSY = """() => document.querySelector(".lensbook-explorer[data-explorer='motif-scanner']").hasAttribute("data-busy")"""

_BENCH_PASTE = """text => {
  const root = document.querySelector(".lensbook-explorer[data-explorer='motif-scanner']");
  const bench = window.__lensbookBench = {waits: [], longest_task: 0, done: null};
  new PerformanceObserver(list => {
    for (const entry of list.getEntries()) bench.longest_task = Math.max(bench.longest_task, entry.duration);
  }).observe({type: "longtask"});
  const wait = event => { if (root.hasAttribute("data-busy")) bench.waits.push(performance.now() - event.timeStamp); };
  window.addEventListener("keydown", wait, true);
  window.addEventListener("pointerdown", wait, true);
  const start = performance.now();
  new MutationObserver((_, observer) => {
    if (!root.hasAttribute("data-busy")) {
      requestAnimationFrame(() => setTimeout(() => { bench.done = performance.now() - start; }, 0));
      observer.disconnect();
    }
  }).observe(root, {attributes: true, attributeFilter: ["data-busy"]});
  const box = root.querySelector("textarea");
  box.focus();
  box.select();
  const data = new DataTransfer();
  data.setData("text/plain", text);
  box.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true}));
}"""
