"""The set-up cell that opens every downloaded notebook: it installs ``lensbook``.

It installs this repository's package at the commit the site was built from
(``repo_url``, ``LENSBOOK_REPO_URL`` in a published build), and torch only if
torch cannot be imported. A local build knows no repository address; its
cell says how to install from a clone.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from urllib.parse import urlparse

#: The id of the set-up cell that opens every downloaded notebook.
SETUP_ID = "lensbook-setup"

SETUP_HEAD = """\
# Set-up: run this cell first. It installs `lensbook`, the package this notebook's code uses,
# {where}
# torch is installed only if it cannot be imported, so a torch you already have stays as it is.
"""
SETUP_LOCAL = """\
# This notebook comes from a local build of the site, which knows no repository address to
# install from. From a clone of the repository, install it with
#     pip install torch                    (only if you have no torch)
#     pip install -e /path/to/the/clone
# or set LENSBOOK_SOURCE to the clone's path before you start Jupyter, and this cell installs it.
"""
SETUP_BODY = """\
import importlib.metadata
import importlib.util
import os
import subprocess
import sys

SOURCE = os.environ.get("LENSBOOK_SOURCE", {source})
REQUIREMENTS = {requirements}  # lensbook's own, besides torch


def pip_install(*args):
    subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet", *args])


def missing(requirement):
    name = requirement.split(";")[0].split("[")[0]
    for sign in "<>=!~ ":
        name = name.split(sign)[0]
    try:
        importlib.metadata.version(name)
        return False
    except importlib.metadata.PackageNotFoundError:
        return True


if importlib.util.find_spec("torch") is None:
    pip_install("torch")
if SOURCE:
    pip_install("--no-deps", SOURCE)
    needed = [r for r in REQUIREMENTS if missing(r)]
    if needed:
        pip_install(*needed)
    importlib.invalidate_caches()
import lensbook  # noqa: E402  (fails here, not in a later cell, if it is not installed)

print("lensbook", importlib.metadata.version("lensbook"), "from", os.path.dirname(lensbook.__file__))"""


def setup_cell(repo_url: str | None, commit: str | None, requirements: list[str]) -> dict:
    """The code cell that opens every downloaded notebook: it installs ``lensbook``.

    With a repository address (a published build), from ``git+REPO@COMMIT``; without one (a
    local build), from ``LENSBOOK_SOURCE`` if set, and the cell's comment says how to install
    from a clone. ``LENSBOOK_SOURCE`` (any pip requirement or path) overrides the address
    either way. torch is installed only if it cannot be imported; the package's other
    ``requirements`` only if missing, so nothing a reader has is replaced.

    >>> cell = setup_cell("https://github.com/o/r", "abc123", ["numpy>=1.26"])
    >>> "git+https://github.com/o/r@abc123" in cell["source"], cell["id"]
    (True, 'lensbook-setup')
    >>> "pip install -e /path/to/the/clone" in setup_cell(None, None, [])["source"]
    True
    """
    if repo_url:
        source = f"git+{repo_url.rstrip('/')}" + (f"@{commit}" if commit else "")
        where = (f"at commit {commit} of {repo_url}, the one this page was built from."
                 if commit else f"from {repo_url}.")
        head = SETUP_HEAD.format(where=where)
    else:
        source = ""
        head = SETUP_HEAD.format(where="from a clone of its repository (see below).") + SETUP_LOCAL
    body = SETUP_BODY.format(source=json.dumps(source), requirements=json.dumps(list(requirements)))
    return {"cell_type": "code", "execution_count": None, "id": SETUP_ID, "metadata": {"tags": ["setup"]},
            "outputs": [], "source": head + body}


def with_setup(notebook: dict, cell: dict) -> dict:
    """``notebook`` with ``cell`` first (replacing an earlier set-up cell)."""
    cells = [c for c in notebook["cells"] if c.get("id") != SETUP_ID]
    return {**notebook, "cells": [cell, *cells]}


def package_requirements(root: Path) -> list[str]:
    """The package's requirements other than torch, from ``pyproject.toml`` (or its installed metadata)."""
    pyproject = root / "pyproject.toml"
    if pyproject.exists():
        import tomllib

        found = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project", {}).get("dependencies", [])
    else:
        import importlib.metadata

        found = [r for r in importlib.metadata.requires("lensbook") or [] if "extra ==" not in r]
    return [r.replace(" ", "") for r in found if not re.match(r"torch\b", r)]


def build_commit(root: Path) -> str | None:
    """The commit the site is built from: ``LENSBOOK_COMMIT``, ``GITHUB_SHA``, or ``git rev-parse HEAD``."""
    for name in ("LENSBOOK_COMMIT", "GITHUB_SHA"):
        if os.environ.get(name):
            return os.environ[name]
    import subprocess

    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def is_local(site_url: str | None) -> bool:
    """Whether ``site_url`` is this machine (a local build): its notebooks embed their figures.

    >>> is_local("http://127.0.0.1:8000/"), is_local("https://o.github.io/r/"), is_local(None)
    (True, False, True)
    """
    return not site_url or urlparse(site_url).hostname in ("127.0.0.1", "localhost", "::1", "0.0.0.0")
