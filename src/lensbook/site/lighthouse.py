"""``make lighthouse``: Lighthouse on every page of the built site, and the budgets.

Usage::

    python -m lensbook.site.lighthouse [--no-build] [--preset mobile|desktop] [--runs N] [--chapter]
                                       [--only cnn/ ...] [--json FILE]

``make lighthouse LIGHTHOUSE_ARGS="--runs 3 --chapter"`` gives the table a
change to page speed reports: the chapter's pages, median of three runs.

It builds the site (``mkdocs build --strict``), serves it on 127.0.0.1 the way a
static host does (gzip, cache headers: :mod:`lensbook.site.serve`), runs the
pinned Lighthouse from ``tools/lighthouse`` against Debian's chromium for each
page (``--runs 3``: three times, and keeps each page's median run), prints a
table and exits 1 if a page misses a budget:

========================  ======
performance               >= 90 (the floor; the aim is 95)
accessibility             100
best practices            100
SEO                       100
transferred, first visit  <= 1 MB
========================  ======

Lighthouse's default is a mid-range phone on a slow 4G connection
(``--preset mobile``, simulated throttling); ``--preset desktop`` is its desktop
profile. Scores depend on the machine's load: run it on a quiet machine, and
read the table's ``bench`` column, Lighthouse's ``benchmarkIndex`` (how fast
this machine ran: the simulated phone is this machine's time, slowed four
times), and each page's ``runs``. On a busy machine, ``--thread-time``
scores the page's main-thread CPU time in place of its wall time: what the
page's own work took, which is what a quiet machine measures.
Node.js 20 and npm are needed (Debian: ``apt-get install nodejs npm``); the
first run installs Lighthouse into ``tools/lighthouse/node_modules`` from its
lock file.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from lensbook.site import chromium
from lensbook.site.build import build_site
from lensbook.site.serve import serve

ROOT = Path(__file__).resolve().parents[3]
TOOLS = ROOT / "tools" / "lighthouse"
CHROMIUM = chromium.PATH
CHROME_FLAGS = " ".join(chromium.ARGS)
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
BUDGETS = {"performance": 0.90, "accessibility": 1.00, "best-practices": 1.00, "seo": 1.00}
MAX_BYTES = 1_000_000


@dataclass(frozen=True)
class Report:
    """One page's scores (0–1), bytes transferred on a first visit, the audits that failed, Lighthouse's
    ``benchmarkIndex`` for the run, and the performance scores of every run when the page ran more than once."""

    page: str
    scores: dict[str, float]
    transferred: int
    failing: tuple[str, ...]
    benchmark: float = 0.0
    runs: tuple[float, ...] = ()

    def misses(self) -> list[str]:
        """The budgets this page misses, in words ("performance 0.85 < 0.90")."""
        out = [f"{c} {self.scores[c]:.2f} < {b:.2f}" for c, b in BUDGETS.items() if self.scores[c] < b]
        if self.transferred > MAX_BYTES:
            out.append(f"transferred {self.transferred / 1e6:.2f} MB > 1 MB")
        return out


def pages(site: Path) -> list[str]:
    """The site's pages as URL paths ("", "cnn/", "reference/lensbook.models/"), 404 page excluded."""
    found = []
    for index in sorted(site.rglob("index.html")):
        rel = index.parent.relative_to(site)
        if rel.parts and rel.parts[0] == "assets":
            continue
        found.append("" if rel == Path(".") else rel.as_posix() + "/")
    return found


def chapter(paths: list[str]) -> list[str]:
    """The chapter's pages among ``paths``: all but the API reference."""
    return [p for p in paths if not p.startswith("reference/")]


def lighthouse_binary() -> Path:
    """The pinned Lighthouse, installed from tools/lighthouse's lock file on first use."""
    binary = TOOLS / "node_modules" / ".bin" / "lighthouse"
    if binary.exists():
        return binary
    if not (shutil.which("node") and shutil.which("npm")):
        raise SystemExit("make lighthouse needs Node.js 20 and npm (Debian: apt-get install nodejs npm)")
    print("installing Lighthouse into tools/lighthouse (npm ci) ...", flush=True)
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=TOOLS, check=True)
    return binary


def audit(binary: Path, url: str, preset: str, cpu_slowdown: float | None = None, thread_time: bool = False) -> dict:
    """Run Lighthouse once on ``url``; its JSON report. With ``thread_time``, Lighthouse first gathers the page
    (``-G``), the page's main-thread durations become the thread's CPU time (:func:`to_thread_time`), and
    Lighthouse scores that (``-A``)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.json"
        common = [f"--only-categories={','.join(CATEGORIES)}", f"--chrome-flags={CHROME_FLAGS}"]
        if preset == "desktop":
            common.append("--preset=desktop")
        if cpu_slowdown is not None:
            common.append(f"--throttling.cpuSlowdownMultiplier={cpu_slowdown:g}")
        env = {**os.environ, "CHROME_PATH": CHROMIUM}
        score = [str(binary), url, "--quiet", "--output=json", f"--output-path={out}", *common]
        if thread_time:
            artifacts = Path(tmp) / "artifacts"
            proc = subprocess.run([str(binary), url, "--quiet", f"-G={artifacts}", *common], env=env,
                                  capture_output=True, text=True)
            traces = list(artifacts.glob("*.trace.json"))
            if proc.returncode != 0 or len(traces) != 1:
                raise RuntimeError(f"lighthouse could not gather {url}:\n{proc.stderr[-2000:]}")
            traces[0].write_text(json.dumps(to_thread_time(json.loads(traces[0].read_text()))))
            score.append(f"-A={artifacts}")
        proc = subprocess.run(score, env=env, capture_output=True, text=True)
        if proc.returncode != 0 or not out.exists():
            raise RuntimeError(f"lighthouse failed on {url}:\n{proc.stderr[-2000:]}")
        return json.loads(out.read_text())


def to_thread_time(trace: dict | list) -> dict | list:
    """A Chromium trace in which each complete event of the page's main thread (the thread that restyles the
    page, ``UpdateLayoutTree``) lasts its thread time (``tdur``) instead of its wall time (``dur``).

    Lighthouse's simulated phone multiplies the main thread's observed durations by its CPU slowdown; on a
    machine that other processes keep busy, wall time also counts the time the thread waited for a core. The
    thread time is what the page's own work took: on a quiet machine the two agree. Changed in place; returned.
    """
    events = trace["traceEvents"] if isinstance(trace, dict) else trace
    threads: dict[tuple, int] = {}
    for e in events:
        if e.get("name") == "UpdateLayoutTree":
            key = (e.get("pid"), e.get("tid"))
            threads[key] = threads.get(key, 0) + 1
    if not threads:
        raise ValueError("no page main thread in the trace (no UpdateLayoutTree event)")
    main = max(threads, key=threads.get)
    for e in events:
        if e.get("ph") == "X" and "tdur" in e and (e.get("pid"), e.get("tid")) == main:
            e["dur"] = e["tdur"]
    return trace


def summarise(page: str, report: dict) -> Report:
    scores = {c: float(report["categories"][c]["score"] or 0.0) for c in CATEGORIES}
    audits = report["audits"]
    failing = tuple(sorted(name for name, a in audits.items()
                           if a.get("scoreDisplayMode") in ("binary", "numeric", "metricSavings")
                           and a.get("score") is not None and a["score"] < 0.9))
    return Report(page, scores, int(audits["total-byte-weight"]["numericValue"]), failing,
                  float(report.get("environment", {}).get("benchmarkIndex") or 0.0))


def median_run(reports: list[Report]) -> Report:
    """The run with the median performance score (the lower middle one of an even number), carrying every
    run's performance score in ``runs``, in the order they ran."""
    if not reports:
        raise ValueError("no runs")
    middle = sorted(reports, key=lambda r: r.scores["performance"])[(len(reports) - 1) // 2]
    return dataclasses.replace(middle, runs=tuple(r.scores["performance"] for r in reports))


def table(reports: list[Report]) -> str:
    rows = [f"{'page':34} {'perf':>5} {'a11y':>5} {'BP':>5} {'SEO':>5} {'KB':>7} {'bench':>6}  budgets"]
    for r in reports:
        s = r.scores
        runs = f"  (runs: {', '.join(f'{p * 100:.0f}' for p in r.runs)})" if len(r.runs) > 1 else ""
        rows.append(f"{'/' + r.page:34} {s['performance'] * 100:5.0f} {s['accessibility'] * 100:5.0f} "
                    f"{s['best-practices'] * 100:5.0f} {s['seo'] * 100:5.0f} {r.transferred / 1000:7.0f} "
                    f"{r.benchmark:6.0f}  " + ("; ".join(r.misses()) or "met") + runs)
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lensbook.site.lighthouse", description=__doc__.split("\n")[0])
    parser.add_argument("--site", type=Path, default=ROOT / "site", help="the built site (default: site/)")
    parser.add_argument("--no-build", action="store_true", help="use the site as it is")
    parser.add_argument("--preset", choices=("mobile", "desktop"), default="mobile")
    parser.add_argument("--runs", type=int, default=1, metavar="N",
                        help="run Lighthouse N times on each page and keep its median run (default 1; 3 for a table)")
    parser.add_argument("--only", nargs="*", help="URL paths to audit, e.g. cnn/ (default: every page)")
    parser.add_argument("--chapter", action="store_true", help="audit the chapter's pages only, not the API reference")
    parser.add_argument("--cpu-slowdown", type=float, metavar="X",
                        help="CPU slowdown for the simulation (Lighthouse's default: 4 on mobile, 1 on desktop); "
                             "each report's benchmarkIndex says how fast this machine is")
    parser.add_argument("--thread-time", action="store_true",
                        help="score the page's main-thread CPU time instead of its wall time: on a machine other "
                             "processes keep busy, the score a quiet machine would give (see to_thread_time)")
    parser.add_argument("--json", type=Path, help="also write the scores as JSON here")
    args = parser.parse_args(argv)

    if not Path(CHROMIUM).exists():
        raise SystemExit(f"no Chromium at {CHROMIUM}: apt-get install chromium, or set LENSBOOK_CHROMIUM")
    binary = lighthouse_binary()
    if not args.no_build:
        print("building the site (mkdocs build --strict) ...", flush=True)
        build_site(args.site, quiet=True)
    server, base = serve(args.site)
    reports = []
    try:
        todo = args.only if args.only is not None else pages(args.site)
        if args.chapter:
            todo = chapter(todo)
        runs: dict[str, list[Report]] = {page: [] for page in todo}
        for run in range(max(1, args.runs)):  # every page once, then again: a burst of load hits all pages alike
            for n, page in enumerate(todo, 1):
                start = time.perf_counter()
                runs[page].append(summarise(page, audit(binary, f"{base}/{page}", args.preset, args.cpu_slowdown,
                                                      args.thread_time)))
                last = runs[page][-1]
                print(f"[run {run + 1}, {n}/{len(todo)}] /{page} {time.perf_counter() - start:.0f} s: performance "
                      f"{last.scores['performance'] * 100:.0f} (benchmarkIndex {last.benchmark:.0f})", flush=True)
        reports = [median_run(runs[page]) for page in todo]
    finally:
        server.shutdown()
        server.server_close()
    slowdown = f", CPU slowdown {args.cpu_slowdown:g}" if args.cpu_slowdown is not None else ""
    slowdown += ", main thread's CPU time" if args.thread_time else ""
    median = f", median of {args.runs} runs" if args.runs > 1 else ""
    print(f"\nLighthouse ({args.preset}{slowdown}{median}), site served with gzip as a static host does:\n"
          + table(reports))
    failing = {a for r in reports if r.misses() for a in r.failing}
    if failing:
        print("\naudits below 0.9 on a page that misses a budget: " + ", ".join(sorted(failing)))
    if args.json:
        args.json.write_text(json.dumps([r.__dict__ for r in reports], indent=1))
    return 1 if any(r.misses() for r in reports) else 0


if __name__ == "__main__":
    sys.exit(main())
