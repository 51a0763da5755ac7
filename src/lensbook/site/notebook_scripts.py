"""Notebook pages: a percent script in ``docs/``, executed at build time and rendered by mkdocs-jupyter.

A jupytext percent script (a ``.py`` file with ``# %%`` cells, such as
``docs/interactive.py``) is executed with nbclient (:func:`execute`) and
rendered by mkdocs-jupyter's converter (:func:`render`), outputs included.
The executed notebook is cached under a content hash of the script and of the
``lensbook`` modules it imports (the same rule as the figures), its HTML under
a hash of the executed notebook and of the code that renders it, so a warm
build neither executes nor converts anything (nor imports nbconvert). A cell
that raises stops the build.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import re
import tempfile
import time
from pathlib import Path

from . import sources
from .notebook_format import FOLDER, KERNELSPEC, NotebookError, dumps, stable_ids

#: A notebook script: a ``.py`` file in ``docs/`` with at least one ``# %%`` cell marker.
CELL_MARKER = re.compile(r"^# %%", re.M)


def is_script(text: str) -> bool:
    """Whether ``text`` (a ``.py`` file in ``docs/``) is a jupytext percent notebook."""
    return bool(CELL_MARKER.search(text))


def lensbook_imports(source: str) -> set[str]:
    """The ``lensbook`` modules a script imports (``import lensbook.x``, ``from lensbook import x``)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "lensbook")
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "lensbook":
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
    return found


def cache_key(source: str) -> str:
    """Hash of a script and of the ``lensbook`` code it imports (with torch/numpy/matplotlib versions)."""
    script = hashlib.sha256(source.encode()).hexdigest()
    return sources.source_hash(*sorted(lensbook_imports(source)), extra=f"notebook={script}")


def execute(script: Path, cache_dir: Path, timeout: int = 600) -> tuple[dict, float, bool]:
    """The executed notebook of a percent script, as nbformat JSON; ``(notebook, seconds, cached)``.

    The kernel runs in an empty temporary folder (nothing is written to
    ``docs/``) with one torch thread, as the figures' experiments do. Any
    cell that raises stops with ``NotebookError`` naming the script and cell.
    """
    source = script.read_text(encoding="utf-8")
    path = cache_dir / FOLDER / f"{script.stem}-{cache_key(source)}.ipynb"
    if path.exists():
        notebook = stable_ids(json.loads(path.read_text(encoding="utf-8")))
        return notebook, float(notebook["metadata"].get("lensbook", {}).get("seconds", 0.0)), True
    import jupytext
    import nbclient
    import nbformat

    notebook = jupytext.reads(source, fmt="py:percent")
    notebook.metadata["kernelspec"] = dict(KERNELSPEC)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        client = nbclient.NotebookClient(notebook, timeout=timeout, kernel_name="python3", record_timing=False,
                                         extra_arguments=["--log-level=ERROR"],  # no transport notice in the build log
                                         resources={"metadata": {"path": folder}})
        try:
            client.execute(env={**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"})
        except nbclient.exceptions.CellExecutionError as error:
            message = re.sub(r"\x1b\[[0-9;]*m", "", str(error))  # the traceback without terminal colours
            raise NotebookError(f"{script.name}: a cell failed:\n{message}") from error
        except Exception as error:  # kernel died, timeout, no kernel
            raise NotebookError(f"{script.name}: execution failed: {type(error).__name__}: {error}") from error
    seconds = time.perf_counter() - start
    notebook.metadata.pop("jupytext", None)
    notebook.metadata["lensbook"] = {"seconds": round(seconds, 1)}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(nbformat.writes(notebook), encoding="utf-8")
    return stable_ids(json.loads(path.read_text(encoding="utf-8"))), seconds, False


#: The code whose output :func:`render` caches: a change to either renders again.
RENDER_CODE = (Path(__file__), Path(__file__).with_name("notebook_html.py"))
RENDER_LIBRARIES = ("mkdocs-jupyter", "nbconvert", "beautifulsoup4")


def render(notebook: dict, cache_dir: Path, toc_depth: int = 3) -> dict:
    """The page HTML of an executed notebook, by mkdocs-jupyter, edited for the site; cached by content.

    Returns ``{"content": html, "toc": toc tokens}``: the notebook alone, edited by
    :func:`lensbook.site.notebook_html.edit`, and its headings down to ``<h{toc_depth}>``.
    mkdocs-jupyter's converter (its nbconvert template, the one its plugin uses) is
    imported only on a cache miss: importing it costs seconds, which a warm build
    should not pay.
    """
    text = dumps(notebook)
    digest = hashlib.sha256(text.encode())
    for path in RENDER_CODE:
        digest.update(path.read_bytes())
    digest.update(" ".join(f"{name}={sources.version(name)}" for name in RENDER_LIBRARIES).encode())
    digest.update(f"toc_depth={toc_depth}".encode())
    path = cache_dir / FOLDER / "html" / f"{digest.hexdigest()[:16]}.json"
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    from . import notebook_html

    content, toc = notebook_html.edit(mkdocs_jupyter_html(notebook), notebook, toc_depth)
    entry = {"content": content, "toc": toc}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(entry), encoding="utf-8")
    return entry


def mkdocs_jupyter_html(notebook: dict, **options) -> str:
    """mkdocs-jupyter's HTML for ``notebook``, as its plugin renders a page (light theme, no
    RequireJS, no MathJax address); ``options`` override those of ``convert.nb2html``."""
    from mkdocs_jupyter import convert

    options = {"execute": False, "theme": "light", "allow_errors": False, "include_requirejs": False,
               "custom_mathjax_url": "", **options}
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "notebook.ipynb"
        source.write_text(dumps(notebook), encoding="utf-8")
        return convert.nb2html(str(source), **options)
