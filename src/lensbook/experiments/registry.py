"""The registry of experiments the site runs at build time."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

#: name -> zero-argument callable (the build's parameters are its defaults).
EXPERIMENTS: dict[str, Callable[[], Any]] = {}


def experiment(name: str) -> Callable[[F], F]:
    """Register a function as the build's experiment ``name``; it is returned unchanged."""

    def register(function: F) -> F:
        if name in EXPERIMENTS and EXPERIMENTS[name] is not function:
            raise ValueError(f"experiment {name!r} is registered twice")
        EXPERIMENTS[name] = function
        return function

    return register


def load_all() -> dict[str, Callable[[], Any]]:
    """Import every module of ``lensbook.experiments`` so that all registrations run."""
    package = importlib.import_module("lensbook.experiments")
    for info in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"lensbook.experiments.{info.name}")
    return EXPERIMENTS
