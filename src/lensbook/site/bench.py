"""``make bench``: how long the site takes to build, cold and warm, and each figure.

Wall-clock numbers live here and in notes, never on the site: a site built
twice must not differ because a timer did.

Usage: ``python -m lensbook.site.bench [--keep]``.
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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args(argv)
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
