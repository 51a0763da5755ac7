"""``make bench``: how long the site takes to build, cold and warm, and each figure,
then every ``bench_*`` function of ``lensbook.experiments`` (wall-clock costs that
pages describe by deterministic counts, such as attention against sequence length)
and ``lensbook.site.explorers.bench_explorers`` (the explorers in headless Chromium:
keystroke to frame on 10 kb, input waits during a 1-Mb paste).

Wall-clock numbers live here and in notes, never on the site: a site built
twice must not differ because a timer did.

Usage: ``python -m lensbook.site.bench [--no-build] [--only NAME ...]``.
A ``bench_*`` function takes no arguments and returns a list of dicts (rows).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FIGURE_LINE = re.compile(r"lensbook: figure (\S+): ([\d.]+) s \((.*)\)")


def build(cache: Path, site: Path) -> tuple[float, str]:
    """Run ``mkdocs build --strict`` with ``cache`` as the figure cache; seconds and log."""
    env = {**os.environ, "LENSBOOK_CACHE": str(cache), "NO_MKDOCS_2_WARNING": "1"}
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
                          env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(f"mkdocs build failed with exit code {proc.returncode}")
    return seconds, proc.stdout + proc.stderr


def micro_benchmarks() -> dict[str, object]:
    """Every ``bench_*`` function in the modules of ``lensbook.experiments``."""
    import importlib
    import pkgutil

    import lensbook.experiments as package

    found = {}
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"lensbook.experiments.{info.name}")
        for name, function in sorted(vars(module).items()):
            if name.startswith("bench_") and callable(function) and function.__module__ == module.__name__:
                found[f"{info.name}.{name}"] = function
    from . import explorers  # the in-browser explorers: keystroke-to-frame and input waits in Chromium

    found["site.explorers.bench_explorers"] = explorers.bench_explorers
    return found


def print_rows(rows: list[dict]) -> None:
    """Print a list of dicts as an aligned table."""
    if not rows:
        print("  (no rows)")
        return
    columns = list(rows[0])
    cells = [[f"{row[c]:.4g}" if isinstance(row[c], float) else str(row[c]) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    print("  " + "  ".join(c.rjust(w) for c, w in zip(columns, widths)))
    for r in cells:
        print("  " + "  ".join(v.rjust(w) for v, w in zip(r, widths)))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-build", action="store_true", help="skip the cold and warm builds")
    parser.add_argument("--only", nargs="*", default=None, help="run only these bench_* functions")
    args = parser.parse_args(argv)
    if not args.no_build:
        build_benchmark()
    benches = micro_benchmarks()
    for name, function in benches.items():
        if args.only is not None and name not in args.only and name.split(".")[-1] not in args.only:
            continue
        print(f"\n{name}", flush=True)
        start = time.perf_counter()
        print_rows(function())
        print(f"  ({time.perf_counter() - start:.1f} s)")


def build_benchmark() -> None:
    with tempfile.TemporaryDirectory(prefix="lensbook-bench-") as tmp:
        cache, site = Path(tmp) / "cache", Path(tmp) / "site"
        print("cold build (empty figure cache) ...", flush=True)
        cold, log = build(cache, site)
        print("warm build (nothing changed) ...", flush=True)
        warm, warm_log = build(cache, site)
    figures = FIGURE_LINE.findall(log)
    width = max([len(n) for n, _, _ in figures] + [10])
    print()
    print(f"{'build':<{width}}  seconds")
    print(f"{'cold':<{width}}  {cold:7.1f}")
    print(f"{'warm':<{width}}  {warm:7.1f}")
    print()
    print(f"{'figure':<{width}}  seconds  (cold build; experiments run in parallel workers)")
    for name, seconds, how in figures:
        print(f"{name:<{width}}  {float(seconds):7.2f}  {how}")
    stale = [n for n, _, how in FIGURE_LINE.findall(warm_log) if how != "cached"]
    if stale:
        raise SystemExit(f"warm build redrew {stale}: the cache key is unstable")


if __name__ == "__main__":
    main()
