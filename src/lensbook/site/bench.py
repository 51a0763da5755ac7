"""``make bench``: what an author waits for (cold and warm builds, a prose edit under
``mkdocs serve``, the test suite) in one table, each figure's time, then every ``bench_*`` function of ``lensbook.experiments`` (wall-clock costs that
pages describe by deterministic counts, such as attention against sequence length)
and ``lensbook.site.explorers_bench.bench_explorers`` (the explorers in headless Chromium:
keystroke to frame on 10 kb, input waits during a 1-Mb paste).

Wall-clock numbers live here and in notes, never on the site: a site built
twice must not differ because a timer did.

Usage: ``python -m lensbook.site.bench [--no-build | --quick] [--only NAME ...]``.
A ``bench_*`` function takes no arguments and returns a list of dicts (rows).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .build import SiteBuildFailed, build_site, environment

FIGURE_LINE = re.compile(r"lensbook: figure (\S+): ([\d.]+) s \((.*)\)")


def build(cache: Path, site: Path) -> tuple[float, str]:
    """Run ``mkdocs build --strict`` with ``cache`` as the figure cache; seconds and log."""
    try:
        done = build_site(site, cache=cache)
    except SiteBuildFailed as error:
        raise SystemExit(str(error)) from error
    return done.seconds, done.log


def micro_benchmarks() -> dict[str, object]:
    """Every ``bench_*`` function in the modules of ``lensbook.bench`` and ``lensbook.experiments``."""
    import importlib
    import pkgutil

    import lensbook.bench
    import lensbook.experiments

    found = {}
    for package in (lensbook.bench, lensbook.experiments):
        for info in pkgutil.iter_modules(package.__path__):
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            for name, function in sorted(vars(module).items()):
                if name.startswith("bench_") and callable(function) and function.__module__ == module.__name__:
                    found[f"{info.name}.{name}"] = function
    from . import explorers_bench  # the in-browser explorers: keystroke-to-frame and input waits in Chromium

    found["site.explorers_bench.bench_explorers"] = explorers_bench.bench_explorers
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
    parser.add_argument("--no-build", action="store_true", help="skip the builds, live reload and test suite")
    parser.add_argument("--quick", action="store_true", help="skip the cold build and the test suite")
    parser.add_argument("--runs", type=int, default=3, help="runs of the warm build (median)")
    parser.add_argument("--edits", type=int, default=5, help="edits timed under `mkdocs serve` (median)")
    parser.add_argument("--only", nargs="*", default=None, help="run only these bench_* functions")
    args = parser.parse_args(argv)
    if not args.no_build:
        authors_loop(cold=not args.quick, tests=not args.quick, runs=args.runs, edits=args.edits)
    benches = micro_benchmarks()
    for name, function in benches.items():
        if args.only is not None and name not in args.only and name.split(".")[-1] not in args.only:
            continue
        print(f"\n{name}", flush=True)
        start = time.perf_counter()
        print_rows(function())
        print(f"  ({time.perf_counter() - start:.1f} s)")


def authors_loop(cold: bool = True, tests: bool = True, runs: int = 3, edits: int = 5) -> None:
    """The table of what an author waits for: cold and warm builds, a prose edit under
    ``mkdocs serve``, and the test suite. Medians where a step is repeated."""
    from .render import default_cache_dir

    rows: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="lensbook-bench-") as tmp:
        site = Path(tmp) / "site"
        cache = Path(tmp) / "cache" if cold else default_cache_dir()
        if cold:
            print("cold build (empty cache) ...", flush=True)
            seconds, log = build(cache, site)
            rows.append({"step": "cold make build", "runs": 1, "median s": seconds, "min s": seconds, "max s": seconds})
            print_figures(log)
        else:
            build(cache, site)  # fill what is missing, so that the warm runs are warm
        warm = []
        for i in range(runs):
            print(f"warm build {i + 1}/{runs} ...", flush=True)
            seconds, log = build(cache, site)
            if "pages rendered: none" not in log:
                raise SystemExit("a warm build re-rendered pages: a cache key is unstable\n" + log[-2000:])
            warm.append(seconds)
        rows.append(_row("warm make build (nothing changed)", warm))
        print(f"live reload: {edits} one-word edits of docs/cnn.md under `mkdocs serve` ...", flush=True)
        rows.append(_row("live reload (save -> served page changed)", live_reload(cache, edits)))
        if tests:
            print("test suite (make test, warm cache) ...", flush=True)
            start = time.perf_counter()
            proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:randomly"], env=environment(cache),
                                  capture_output=True, text=True)
            seconds = time.perf_counter() - start
            summary = (proc.stdout.strip().splitlines() or ["?"])[-1]
            rows.append({"step": f"make test ({summary.strip('= ')})", "runs": 1, "median s": seconds,
                         "min s": seconds, "max s": seconds})
    print()
    print_rows(rows)


def _row(step: str, seconds: list[float]) -> dict:
    import statistics

    return {"step": step, "runs": len(seconds), "median s": statistics.median(seconds),
            "min s": min(seconds), "max s": max(seconds)}


def print_figures(log: str) -> None:
    figures = FIGURE_LINE.findall(log)
    width = max([len(n) for n, _, _ in figures] + [10])
    print(f"{'figure':<{width}}  seconds  (cold build; experiments run in parallel workers)")
    for name, seconds, how in figures:
        print(f"{name:<{width}}  {float(seconds):7.2f}  {how}")


def live_reload(cache: Path, edits: int = 5, page: str = "cnn.md") -> list[float]:
    """Seconds from saving a one-word edit of ``page`` to ``mkdocs serve`` serving the changed page.

    Runs on a copy of the project (sources linked, the cache shared), so the real
    pages are never touched; polls the served HTML every 10 ms.
    """
    import shutil
    import socket
    import urllib.request

    root = Path(__file__).resolve().parents[3]
    with tempfile.TemporaryDirectory(prefix="lensbook-serve-") as tmp:
        project = Path(tmp)
        for name in ("mkdocs.yml", "bibliography.json", "CITATION.cff"):
            shutil.copy(root / name, project / name)
        for name in ("docs", "includes", "overrides"):
            shutil.copytree(root / name, project / name)
        (project / "src").symlink_to(root / "src")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        server = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "--dev-addr", f"127.0.0.1:{port}"],
                                  cwd=project, env=environment(cache), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}/{Path(page).stem}/"

        def fetch() -> str:
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    return response.read().decode("utf-8", "replace")
            except OSError:
                return ""

        try:
            deadline = time.monotonic() + 300
            while "</html>" not in fetch():
                if server.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("mkdocs serve did not start")
                time.sleep(0.2)
            time.sleep(2.0)  # let the file watcher settle after the first build
            source = project / "docs" / page
            text = source.read_text(encoding="utf-8")
            marker = "lensbookbenchword"
            assert marker not in text
            out = []
            for i in range(edits):
                word = f"{marker}{i}"
                first = text.find("\n\n", text.find("\n# ") + 1) + 2  # start of the first paragraph
                source.write_text(text[:first] + word + " " + text[first:], encoding="utf-8")
                start = time.perf_counter()
                while word not in fetch():
                    if time.perf_counter() - start > 120:
                        raise SystemExit("the edit never showed up in the served page")
                    time.sleep(0.01)
                out.append(time.perf_counter() - start)
                time.sleep(1.0)
            return out
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
