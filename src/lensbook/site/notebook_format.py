"""Notebook files as the site writes them: nbformat 4 JSON with ids that do not change between builds."""

from __future__ import annotations

import hashlib
import json

from .errors import BuildError

#: Where the downloadable notebooks are served, and where executed notebooks are cached.
FOLDER = "notebooks"
KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}


class NotebookError(BuildError, RuntimeError):
    """A notebook failed to execute or to convert; the message names it and the cell."""


def source_of(cell: dict) -> str:
    """A cell's source as one string (nbformat allows a list of lines)."""
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def notebook(cells: list[dict]) -> dict:
    """An nbformat 4 notebook of ``cells`` for a Python 3 kernel, each cell's id derived from its content.

    >>> [c["id"] for c in notebook([{"cell_type": "code", "source": "x"}] * 2)["cells"]]
    ['39e8c74b', '39e8c74b-1']
    """
    seen: set[str] = set()
    out = []
    for i, cell in enumerate(cells):
        digest = hashlib.sha256(f"{cell['cell_type']}\n{cell['source']}".encode()).hexdigest()[:8]
        out.append({**cell, "id": digest if digest not in seen else f"{digest}-{i}"})
        seen.add(out[-1]["id"])
    return {"cells": out, "metadata": {"kernelspec": dict(KERNELSPEC), "language_info": {"name": "python"}},
            "nbformat": 4, "nbformat_minor": 5}


def stable_ids(notebook: dict) -> dict:
    """Cell ids derived from each cell's position and source (jupytext and nbformat draw random
    ones), so that two builds of the same script write the same bytes."""
    for i, cell in enumerate(notebook["cells"]):
        cell["id"] = hashlib.sha256(f"{i}\n{cell['cell_type']}\n{source_of(cell)}".encode()).hexdigest()[:8]
    return notebook


def dumps(notebook: dict) -> str:
    """Notebook JSON as Jupyter writes it (one-space indent, sorted keys, final newline)."""
    return json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
