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

import ast
import hashlib
import logging
import multiprocessing
import os
import pickle
import sys
import time
from collections.abc import Mapping
from functools import lru_cache
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..experiments import registry as experiment_registry
from . import sources
from .errors import BuildError

log = logging.getLogger("mkdocs.lensbook")


class FigureError(BuildError, RuntimeError):
    """An experiment or a figure failed; the message names which one."""


@dataclass(frozen=True)
class Rendered:
    """A drawn figure: SVG bytes per theme (its alt text and caption are in the page)."""

    name: str
    svg: dict[str, bytes]
    seconds: float
    cached: bool
    key: str = ""


def default_cache_dir() -> Path:
    """``$LENSBOOK_CACHE`` or ``.cache/lensbook`` in the working directory."""
    return Path(os.environ.get("LENSBOOK_CACHE", ".cache/lensbook")).absolute()


# --- what is registered, read from the sources ------------------------------------------------

def _registrations(folder: str, decorator: str) -> dict[str, tuple[str, dict[str, str]]]:
    """``@decorator("name", key="value")`` calls in ``lensbook/<folder>/*.py``: name -> (module, keywords)."""
    found: dict[str, tuple[str, dict[str, str]]] = {}
    for path in sorted((sources.PACKAGE_DIR / folder).glob("*.py")):
        module = f"lensbook.{folder}.{path.stem}"
        for node in sources.tree(path).body:  # registrations decorate top-level functions
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for call in node.decorator_list:
                if isinstance(call, ast.Call) and getattr(call.func, "id", getattr(call.func, "attr", None)) \
                        == decorator and call.args and isinstance(call.args[0], ast.Constant):
                    keywords = {k.arg: k.value.value for k in call.keywords if isinstance(k.value, ast.Constant)}
                    found[call.args[0].value] = (module, keywords)
    return found


def experiment_modules() -> dict[str, str]:
    """Registered experiments, name -> module, read from the sources: nothing is imported.

    Registrations made at run time (a test adds one) count too.
    """
    found = {name: module for name, (module, _) in _registrations("experiments", "experiment").items()}
    found.update({name: f.__module__ for name, f in experiment_registry.EXPERIMENTS.items()})
    return found


def figure_modules() -> dict[str, tuple[str, str]]:
    """Registered figures, name -> (module, experiment), read from the sources: nothing is imported."""
    found = {name: (module, kw.get("experiment", "")) for name, (module, kw)
             in _registrations("figures", "figure").items()}
    registry = sys.modules.get("lensbook.figures.registry")
    if registry is not None:
        found.update({name: (spec.draw.__module__, spec.experiment) for name, spec in registry.FIGURES.items()})
    return found


def clear_caches() -> None:
    """Forget the keys computed so far. A build calls this at its start (``mkdocs serve`` rebuilds
    in one process, after sources may have changed); within one build a key is computed once."""
    experiment_key.cache_clear()
    figure_key.cache_clear()
    sources.clear_caches()


@lru_cache(maxsize=256)
def experiment_key(name: str) -> str:
    """The cache key of an experiment's result: a hash of the code that computes it."""
    return sources.source_hash(experiment_modules()[name], extra=f"experiment={name}")


@lru_cache(maxsize=256)
def figure_key(name: str) -> str:
    """The cache key of a figure: the code that draws it, the style, and its experiment's key."""
    module, experiment = figure_modules()[name]
    return sources.source_hash(module, "lensbook.figures.style",
                               extra=f"figure={name} {experiment_key(experiment)} svg-only")


_experiment_key = experiment_key


# --- experiments ------------------------------------------------------------------------------

def _worker_init(cache_dir: str) -> None:
    import torch

    torch.set_num_threads(1)
    os.environ.setdefault("NUMBA_CACHE_DIR", os.path.join(cache_dir, "numba"))


def _run_one(name: str) -> tuple[Any, float]:
    experiment_registry.load_all()
    start = time.perf_counter()
    result = experiment_registry.EXPERIMENTS[name]()
    return result, time.perf_counter() - start


class Results(Mapping):
    """Experiment results by name, each unpickled when first used.

    A warm build whose pages are all cached uses none, so it never imports
    the code (torch) that the results' classes live beside. ``keys`` holds
    each result's cache key; extra entries (the chapter's citation) can be
    added with ``results[name] = value``.
    """

    def __init__(self, paths: dict[str, Path], keys: dict[str, str], fresh: dict[str, tuple[Any, float]]) -> None:
        self.paths, self.cache_keys = paths, keys
        self._loaded = dict(fresh)
        self.fresh = set(fresh)
        self.extra: dict[str, Any] = {}

    def _load(self, name: str) -> tuple[Any, float]:
        if name not in self._loaded:
            self._loaded[name] = pickle.loads(self.paths[name].read_bytes())
        return self._loaded[name]

    def __getitem__(self, name: str) -> Any:
        if name in self.extra:
            return self.extra[name]
        if name not in self.paths:
            raise KeyError(name)
        return self._load(name)[0]

    def __setitem__(self, name: str, value: Any) -> None:
        self.extra[name] = value

    def __iter__(self):
        return iter(sorted(set(self.paths) | set(self.extra)))

    def __len__(self) -> int:
        return len(set(self.paths) | set(self.extra))

    def seconds(self, name: str) -> float:
        return self._load(name)[1]

    def fingerprint(self) -> str:
        """A hash of every result's key: what a page rendered from these results depends on."""
        return hashlib.sha256(repr(sorted(self.cache_keys.items())).encode()).hexdigest()[:16]


def ensure_results(names: list[str], cache_dir: Path, workers: int | None = None) -> Results:
    """Run the named experiments that are not cached (``workers`` processes, default one per
    core; ``workers=0``: this process), and return all of them as a lazy ``Results``."""
    known = experiment_modules()
    unknown = sorted(set(names) - set(known))
    if unknown:
        raise FigureError(f"unknown experiment(s) {unknown}; known: {sorted(known)}")
    keys = {name: experiment_key(name) for name in sorted(set(names))}
    paths = {name: cache_dir / "results" / f"{name}-{key}.pkl" for name, key in keys.items()}
    missing = {name: path for name, path in paths.items() if not path.exists()}
    fresh: dict[str, tuple[Any, float]] = {}
    (cache_dir / "results").mkdir(parents=True, exist_ok=True)
    if missing and workers == 0:  # in this process: for debugging, and for tests
        experiment_registry.load_all()
        for name, path in missing.items():
            try:
                fresh[name] = _run_one(name)
            except Exception as error:  # the build must stop and say which one failed
                raise FigureError(f"experiment {name!r} failed: {type(error).__name__}: {error}") from error
            path.write_bytes(pickle.dumps(fresh[name]))
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
                    fresh[name] = future.result()
                except Exception as error:
                    for other in futures:
                        other.cancel()
                    raise FigureError(f"experiment {name!r} failed: {type(error).__name__}: {error}") from error
                missing[name].write_bytes(pickle.dumps(fresh[name]))
                log.info(f"lensbook: experiment {name} done in {fresh[name][1]:.1f} s ({done}/{len(missing)})")
    return Results(paths, keys, fresh)


def run_experiments(names: list[str], cache_dir: Path, workers: int | None = None) -> dict[str, tuple[Any, float, bool]]:
    """Results of the named experiments: ``name -> (result, seconds, cached)`` (all loaded)."""
    results = ensure_results(names, cache_dir, workers)
    return {name: (results[name], results.seconds(name), name not in results.fresh) for name in results.paths}


# --- figures ----------------------------------------------------------------------------------

def render_figures(names: list[str] | None = None, cache_dir: Path | None = None,
                   workers: int | None = None, results: Results | dict | None = None) -> dict[str, Rendered]:
    """Draw the named figures (default: all registered) in both themes, using the cache.

    ``results`` may carry experiment results already run (a ``Results``, or
    ``run_experiments``'s dict). A figure found in the cache needs neither
    its experiment's result nor its drawing code: nothing is imported for it.
    """
    known = figure_modules()
    names = sorted(known) if names is None else names
    unknown = sorted(set(names) - set(known))
    if unknown:
        raise FigureError(f"unknown figure(s) {unknown}; known: {sorted(known)}")
    cache_dir = cache_dir or default_cache_dir()
    (cache_dir / "figures").mkdir(parents=True, exist_ok=True)
    if isinstance(results, dict):  # run_experiments' form
        loaded = results
        results = Results({}, {}, {})
        results._loaded.update({k: (v[0], v[1]) for k, v in loaded.items()})
        results.paths.update({k: Path("/nonexistent") for k in loaded})
        results.fresh.update(k for k, v in loaded.items() if not v[2])
    out: dict[str, Rendered] = {}
    for name in names:
        experiment = known[name][1]
        key = figure_key(name)
        path = cache_dir / "figures" / f"{name}-{key}.pkl"
        start = time.perf_counter()
        experiment_fresh = results is not None and experiment in results.fresh
        if path.exists():
            svg = pickle.loads(path.read_bytes())
            cached = True
        else:
            from ..figures import registry as figure_registry
            from ..figures import style

            spec = figure_registry.load_all()[name]
            if results is None or experiment not in results.paths:
                results = ensure_results([experiment], cache_dir, workers)
                experiment_fresh = experiment in results.fresh
            result = results[experiment]
            try:
                svg = {}
                for theme in style.THEMES:
                    with style.themed(theme):
                        svg[theme] = style.to_svg(spec.draw(result))
                    if spec.narrow:  # the phone layout: "light-narrow", "dark-narrow"
                        with style.themed(theme), style.layout("narrow"):
                            svg[f"{theme}-narrow"] = style.to_svg(spec.draw(result))
            except Exception as error:
                raise FigureError(f"figure {name!r} failed: {type(error).__name__}: {error}") from error
            path.write_bytes(pickle.dumps(svg))
            cached = False
        draw_seconds = time.perf_counter() - start
        experiment_seconds = results.seconds(experiment) if experiment_fresh else 0.0
        seconds = draw_seconds + experiment_seconds
        out[name] = Rendered(name, svg, seconds, cached and not experiment_fresh, key)
        state = "cached" if cached and not experiment_fresh else (
            f"experiment {experiment} {experiment_seconds:.1f} s" + ("" if experiment_fresh else " (cached)"))
        log.info(f"lensbook: figure {name}: {seconds:.2f} s ({state})")
    return out
