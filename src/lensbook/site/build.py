"""The one way to build the site from Python: ``build_site(dest)`` runs ``mkdocs build --strict``.

The tests, ``make bench``, Lighthouse, the screenshots and the explorers' bench all call it, so a
build from any of them is the build ``make build`` runs. ``tool="properdocs"`` runs ProperDocs, the
maintained continuation of MkDocs 1.x, on the same ``mkdocs.yml``.

The build runs in a fresh Python process (the hook keeps state between events, and a build
imports what the experiments need); with ``report_imports`` it also says which of those
modules it imported, which is how a test sees that a warm build needs no torch.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

#: The project: where mkdocs.yml is.
ROOT = Path(__file__).resolve().parents[3]
TOOLS = ("mkdocs", "properdocs")

#: Runs the tool's command line in this process, then lists what it imported of argv[2] (comma-separated).
_RUN = """
import importlib, sys
tool, report, args = sys.argv[1], sys.argv[2], sys.argv[3:]
try:
    importlib.import_module(tool + ".__main__").cli(args)
except SystemExit as exit:
    if exit.code:
        raise
if report:
    print("imported:", sorted(m for m in report.split(",") if m in sys.modules))
"""


class SiteBuildFailed(RuntimeError):
    """``mkdocs build --strict`` exited with an error; the message ends with its log."""

    def __init__(self, message: str, log: str) -> None:
        super().__init__(f"{message}\n{log}")
        self.log = log


@dataclass(frozen=True)
class Build:
    """A finished build: where the site is, what it logged, how long it took, its exit status."""

    site: Path
    log: str
    seconds: float
    returncode: int


def command(dest: Path, *, config: Path | None = None, tool: str = "mkdocs", quiet: bool = False,
            report_imports: tuple[str, ...] = ()) -> list[str]:
    """The command line ``build_site`` runs."""
    if tool not in TOOLS:
        raise ValueError(f"tool: expected one of {TOOLS}, got {tool!r}")
    args = ["build", "--strict", "--site-dir", str(dest)]
    if config is not None:
        args += ["--config-file", str(config)]
    if quiet:
        args.append("--quiet")
    return [sys.executable, "-c", _RUN, tool, ",".join(report_imports), *args]


def environment(cache: Path | None = None, extra: dict[str, str] | None = None) -> dict[str, str]:
    """This process's environment, with ``cache`` as the results cache (``LENSBOOK_CACHE``) and
    the notices that MkDocs' and ProperDocs' plugins print about each other's future turned off."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true", **(extra or {})}
    if cache is not None:
        env["LENSBOOK_CACHE"] = str(cache)
    return env


def build_site(dest: Path, *, project: Path = ROOT, config: Path | None = None, cache: Path | None = None,
               tool: str = "mkdocs", quiet: bool = False, check: bool = True, env: dict[str, str] | None = None,
               report_imports: tuple[str, ...] = ()) -> Build:
    """Build the site strictly into ``dest``.

    Parameters
    ----------
    dest
        The output folder (``--site-dir``).
    project
        The folder the build runs in (its ``mkdocs.yml``, ``docs/``); the project by default.
    config
        Another configuration file (``--config-file``).
    cache
        The results cache; ``$LENSBOOK_CACHE`` or its default when ``None``.
    tool
        ``"mkdocs"`` or ``"properdocs"``.
    quiet
        Log warnings and errors only.
    check
        Raise ``SiteBuildFailed`` (with the log) when the build fails; else return the exit status.
    env
        Variables added to the build's environment.
    report_imports
        Module names: the log has a line ``imported: [...]``, those of them the build imported.
    """
    start = time.perf_counter()
    proc = subprocess.run(command(Path(dest), config=config, tool=tool, quiet=quiet, report_imports=report_imports),
                          cwd=project, env=environment(cache, env), capture_output=True, text=True)
    build = Build(Path(dest), proc.stdout + proc.stderr, time.perf_counter() - start, proc.returncode)
    if check and proc.returncode != 0:
        raise SiteBuildFailed(f"{tool} build --strict failed with exit status {proc.returncode}", build.log)
    return build
