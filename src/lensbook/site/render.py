"""Run the registered experiments and draw the registered figures, with a cache.

Each experiment's result is pickled under a key that hashes the source of the
code that computes it; each figure's SVGs under a key that adds the code that
draws it. Nothing is read from file times, so a stale cache is impossible
short of editing code outside ``lensbook``.

Experiments that are not cached run in worker processes (one torch thread
each, as many workers as cores, at most the number of jobs): the same work
gives the same numbers whether one or many run, so a figure's bytes do not
depend on how the build was scheduled.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import pickle
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..experiments import registry as experiment_registry
from ..figures import registry as figure_registry
from . import sources

log = logging.getLogger("mkdocs.lensbook")


class FigureError(RuntimeError):
    """An experiment or a figure failed; the message names which one."""


@dataclass(frozen=True)
class Rendered:
    """A drawn figure: SVG bytes per theme and the texts that go with it."""

    name: str
    svg: dict[str, bytes]
    alt: str
    caption: str
    seconds: float
    cached: bool


def default_cache_dir() -> Path:
    """``$LENSBOOK_CACHE`` or ``.cache/lensbook`` in the working directory."""
    return Path(os.environ.get("LENSBOOK_CACHE", ".cache/lensbook")).absolute()


def _experiment_key(name: str) -> str:
    function = experiment_registry.EXPERIMENTS[name]
    return sources.source_hash(function.__module__, extra=f"experiment={name}")


def _worker_init(cache_dir: str) -> None:
    import torch

    torch.set_num_threads(1)
    os.environ.setdefault("NUMBA_CACHE_DIR", os.path.join(cache_dir, "numba"))


def _run_one(name: str) -> tuple[Any, float]:
    experiment_registry.load_all()
    start = time.perf_counter()
    result = experiment_registry.EXPERIMENTS[name]()
    return result, time.perf_counter() - start


def run_experiments(names: list[str], cache_dir: Path, workers: int | None = None) -> dict[str, tuple[Any, float, bool]]:
    """Results of the named experiments: ``name -> (result, seconds, cached)``.

    ``workers`` processes run what is not cached (default: one per core);
    ``workers=0`` runs it in this process instead.
    """
    experiment_registry.load_all()
    unknown = sorted(set(names) - set(experiment_registry.EXPERIMENTS))
    if unknown:
        raise FigureError(f"unknown experiment(s) {unknown}; known: {sorted(experiment_registry.EXPERIMENTS)}")
    out: dict[str, tuple[Any, float, bool]] = {}
    missing: dict[str, Path] = {}
    (cache_dir / "results").mkdir(parents=True, exist_ok=True)
    for name in sorted(set(names)):
        path = cache_dir / "results" / f"{name}-{_experiment_key(name)}.pkl"
        if path.exists():
            result, seconds = pickle.loads(path.read_bytes())
            out[name] = (result, seconds, True)
        else:
            missing[name] = path
    if missing and workers == 0:  # in this process: for debugging, and for tests
        for name, path in missing.items():
            try:
                result, seconds = _run_one(name)
            except Exception as error:  # the build must stop and say which one failed
                raise FigureError(f"experiment {name!r} failed: {type(error).__name__}: {error}") from error
            path.write_bytes(pickle.dumps((result, seconds)))
            out[name] = (result, seconds, False)
    elif missing:
        n = max(1, min(len(missing), workers or os.cpu_count() or 1))
        log.info(f"lensbook: running {len(missing)} experiment(s) in {n} worker(s): {', '.join(missing)}")
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(n, mp_context=context, initializer=_worker_init,
                                 initargs=(str(cache_dir),)) as pool:
            futures = {pool.submit(_run_one, name): name for name in missing}
            for done, future in enumerate(as_completed(futures), start=1):
                name = futures[future]
                try:
                    result, seconds = future.result()
                except Exception as error:
                    for other in futures:
                        other.cancel()
                    raise FigureError(f"experiment {name!r} failed: {type(error).__name__}: {error}") from error
                missing[name].write_bytes(pickle.dumps((result, seconds)))
                out[name] = (result, seconds, False)
                log.info(f"lensbook: experiment {name} done in {seconds:.1f} s ({done}/{len(missing)})")
    return out


def render_figures(names: list[str] | None = None, cache_dir: Path | None = None,
                   workers: int | None = None,
                   results: dict[str, tuple[Any, float, bool]] | None = None) -> dict[str, Rendered]:
    """Draw the named figures (default: all registered) in both themes, using the cache.

    ``results`` may carry experiment results already run (``run_experiments``).
    """
    from ..figures import style

    figures = figure_registry.load_all()
    names = sorted(figures) if names is None else names
    unknown = sorted(set(names) - set(figures))
    if unknown:
        raise FigureError(f"unknown figure(s) {unknown}; known: {sorted(figures)}")
    cache_dir = cache_dir or default_cache_dir()
    needed = [figures[n].experiment for n in names]
    if results is None or not set(needed) <= set(results):
        results = {**(results or {}), **run_experiments(needed, cache_dir, workers)}
    (cache_dir / "figures").mkdir(parents=True, exist_ok=True)
    out: dict[str, Rendered] = {}
    for name in names:
        spec = figures[name]
        result, experiment_seconds, experiment_cached = results[spec.experiment]
        key = sources.source_hash(spec.draw.__module__, "lensbook.figures.style",
                                  extra=f"figure={name} {_experiment_key(spec.experiment)}")
        path = cache_dir / "figures" / f"{name}-{key}.pkl"
        start = time.perf_counter()
        if path.exists():
            svg, alt, caption = pickle.loads(path.read_bytes())
            cached = True
        else:
            try:
                svg = {}
                for theme in style.THEMES:
                    with style.themed(theme):
                        svg[theme] = style.to_svg(spec.draw(result))
                alt = spec.alt(result) if spec.alt else ""
                caption = spec.caption(result) if spec.caption else ""
            except Exception as error:
                raise FigureError(f"figure {name!r} failed: {type(error).__name__}: {error}") from error
            path.write_bytes(pickle.dumps((svg, alt, caption)))
            cached = False
        draw_seconds = time.perf_counter() - start
        seconds = draw_seconds + (0.0 if experiment_cached else experiment_seconds)
        out[name] = Rendered(name, svg, alt, caption, seconds, cached and experiment_cached)
        state = "cached" if cached and experiment_cached else (
            f"experiment {spec.experiment} {experiment_seconds:.1f} s" + (" (cached)" if experiment_cached else ""))
        log.info(f"lensbook: figure {name}: {seconds:.2f} s ({state})")
    return out
