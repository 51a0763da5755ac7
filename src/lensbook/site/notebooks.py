"""Notebooks on the site: executed notebook pages, and every page as a notebook.

Two things, both automatic for any page:

* **Notebook pages.** A jupytext percent script in ``docs/`` (a ``.py`` file
  with ``# %%`` cells, such as ``docs/interactive.py``) is executed at build
  time with nbclient, rendered by mkdocs-jupyter's converter and becomes the
  page ``interactive/``, outputs included. The executed notebook is cached
  under a content hash of the script and of the ``lensbook`` modules it
  imports (the same rule as the figures), its HTML under a hash of the
  executed notebook, so a warm build neither executes nor converts anything
  (nor imports nbconvert). A cell that raises stops the build.
* **Every page as a notebook.** :func:`from_markdown` turns a page's Markdown
  into a notebook: one code cell per ``python`` block and Markdown cells for
  the prose between, in page order, with the measured values, figure
  captions, numbers and citations filled in as the page shows them.

Both are served under ``notebooks/`` (``notebooks/cnn.ipynb``) and linked from
their page by the download button next to its title (``page.meta["notebook"]``,
read by ``overrides/partials/actions.html``). Links between pages become
absolute links to the site (``site_url``), so a downloaded notebook's links
still lead somewhere. Figures link to the published site; a local build (whose
``site_url`` is this machine) embeds them as cell attachments instead, so a
notebook never points at localhost.

Every downloaded notebook opens with a set-up cell (:func:`setup_cell`): it
installs this repository's package at the commit the site was built from
(``repo_url``, ``LENSBOOK_REPO_URL`` in a published build), and torch only if
torch cannot be imported. A local build knows no repository address; its
cell says how to install from a clone.
"""

from __future__ import annotations

import ast
import base64
import dataclasses
import hashlib
import html
import json
import os
import re
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urljoin, urlparse

from . import apparatus, citations, pages, rewrite, sources
from .errors import BuildError

#: A notebook script: a ``.py`` file in ``docs/`` with at least one ``# %%`` cell marker.
CELL_MARKER = re.compile(r"^# %%", re.M)
#: Where the downloadable notebooks are served.
FOLDER = "notebooks"

ADMONITION = re.compile(r'^(?P<indent>[ \t]*)(?:!!!|\?\?\?\+?)[ \t]+(?P<kind>[\w-]+)'
                        r'(?:[ \t]+"(?P<title>.*)")?[ \t]*$')  # a title may hold quotes, as Python-Markdown allows
TAB = re.compile(r'^(?P<indent>[ \t]*)===\+?[ \t]+"(?P<title>[^"]*)"[ \t]*$')
LINK = re.compile(r'(?P<open>!?\[[^\]]*\]\()(?P<target>[^)\s]+)(?P<close>(?:[ \t]+"[^"\n]*")?\))')
AUTOREF = re.compile(r"\[(?P<text>[^\]\n]+)\]\[(?P<id>[A-Za-z_][\w.]*)?\]")
ATTR_LIST = re.compile(r"[ \t]*\{(?::[^}\n]*|[ \t]+[^{}\n]*?[ \t]+|#[\w-]+|\.[\w-]+)\}")
ABBREVIATION = re.compile(r"^\*\[[^\]\n]+\]:.*\n?", re.M)
COMMENT = re.compile(r"<!--.*?-->\n?", re.S)
FRONT_MATTER = re.compile(r"\A---[ \t]*\n.*?^(?:---|\.\.\.)[ \t]*\n", re.S | re.M)
#: The id of the set-up cell that opens every downloaded notebook.
SETUP_ID = "lensbook-setup"
KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}


class NotebookError(BuildError, RuntimeError):
    """A notebook failed to execute or to convert; the message names it and the cell."""


# --- notebook pages: percent scripts executed at build time -----------------------------

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


def stable_ids(notebook: dict) -> dict:
    """Cell ids derived from each cell's position and source (jupytext and nbformat draw random
    ones), so that two builds of the same script write the same bytes."""
    for i, cell in enumerate(notebook["cells"]):
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        cell["id"] = hashlib.sha256(f"{i}\n{cell['cell_type']}\n{source}".encode()).hexdigest()[:8]
    return notebook


def relink(notebook: dict, resolve: Callable[[str], str]) -> dict:
    """A copy of ``notebook`` whose Markdown cells' relative links go through ``resolve``."""
    out = json.loads(json.dumps(notebook))
    for cell in out["cells"]:
        if cell["cell_type"] == "markdown":
            text = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            cell["source"] = _outside_code(text, lambda t: LINK.sub(
                lambda m: m["open"] + _relative_or(m["target"], resolve) + m["close"], t))
    out["metadata"].pop("lensbook", None)
    return out


def _relative_or(target: str, resolve: Callable[[str], str]) -> str:
    if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I) or target.startswith("//"):
        return target  # http:, mailto:, data:, attachment:
    return resolve(target)


def image_alts(notebook: dict) -> list[str | None]:
    """The alt text of each image output in order (``display(fig, metadata={"image/png": {"alt": ...}})``)."""
    alts: list[str | None] = []
    for cell in notebook["cells"]:
        for output in cell.get("outputs", []):
            for mime in ("image/png", "image/jpeg"):
                if mime in output.get("data", {}):
                    alts.append(output.get("metadata", {}).get(mime, {}).get("alt"))
    return alts


# --- the rendered notebook page: light, no CDN ------------------------------------------

STYLE_OR_SCRIPT = re.compile(r"<(style|script)\b[^>]*>.*?</\1>\s*", re.S)
COPY_BUTTON = re.compile(r'<div class="zeroclipboard-container">.*?</clipboard-copy>\s*</div>\s*', re.S)
COPY_TEXT = re.compile(r'<div class="clipboard-copy-txt" id="cell-\d+">.*?</div>\s*', re.S)
HIGHLIGHT = re.compile(r'<div class="highlight-ipynb hl-(?P<lang>[\w-]+)[^"]*"><pre><span></span>(?P<code>.*?)</pre></div>',
                       re.S)
MISSING_ALT = 'alt="No description has been provided for this image"'


def trim(content: str, alts: list[str | None] | None = None) -> str:
    """mkdocs-jupyter's HTML made light and self-contained.

    Drops the inlined JupyterLab stylesheet (about 600 KB), the MathJax and
    Mermaid loaders (they fetch from a CDN) and the notebook's own copy
    buttons; code cells become Material code blocks (its highlighting,
    palettes and copy button), styled further by ``assets/notebook.css``.
    Image outputs get their alt text from ``alts`` where given.
    """
    content = STYLE_OR_SCRIPT.sub("", content)
    content = COMMENT.sub("", content)
    content = COPY_BUTTON.sub("", content)
    content = COPY_TEXT.sub("", content)
    content = HIGHLIGHT.sub(lambda m: f'<div class="language-{m["lang"]} highlight"><pre><span></span>'
                                      f'<code>{m["code"]}</code></pre></div>', content)
    content = content.replace(' tabindex="0"', "")  # every cell a tab stop is noise for keyboard users
    content = content.replace('class="anchor-link"', 'class="headerlink" title="Permanent link"')
    for alt in alts or []:
        if MISSING_ALT not in content:
            break
        text = html.escape(alt, quote=True) if alt else "A plot drawn by the code cell above"
        content = content.replace(MISSING_ALT, f'alt="{text}"', 1)
    return content


# --- every page as a notebook -----------------------------------------------------------

@dataclass
class Context:
    """What the build knows that a page's notebook needs (all optional: tests pass none)."""

    results: dict[str, Any] = field(default_factory=dict)
    figures: dict[str, Any] | None = None  # name -> rendered figure; None: names not checked
    numbering: apparatus.Numbering | None = None
    bibliography: dict[str, citations.Reference] = field(default_factory=dict)
    url: Callable[[str], str] = lambda target: target  # a page-relative link -> an absolute URL
    reference: Callable[[str], str | None] = lambda identifier: None  # autorefs id -> URL or None
    embed: bool = False  # figures as cell attachments (a local build), not links to the site


def _outside_code(text: str, function: Callable[[str], str]) -> str:
    """Apply ``function`` to ``text`` outside inline code spans."""
    parts, last = [], 0
    for match in pages.INLINE_CODE.finditer(text):
        parts.append(function(text[last:match.start()]))
        parts.append(match.group(0))
        last = match.end()
    parts.append(function(text[last:]))
    return "".join(parts)


def flatten_blocks(markdown: str) -> str:
    """Admonitions and content tabs as plain Markdown: a bold title, then the body dedented.

    Jupyter has neither; indented bodies would otherwise read as code.
    """
    lines = markdown.splitlines(keepends=True)
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        match = ADMONITION.match(line) or TAB.match(line)
        if not match:
            out.append(line)
            i += 1
            continue
        indent = match["indent"]
        body_indent = indent + "    "
        body: list[str] = []
        i += 1
        while i < len(lines) and (not lines[i].strip() or lines[i].startswith(body_indent)):
            body.append(lines[i][len(body_indent):] if lines[i].strip() else "\n")
            i += 1
        title = match["title"]
        if "kind" in match.re.groupindex and title is None:
            title = match["kind"].replace("-", " ").capitalize()
        if title:
            out.append(f"{indent}**{title}**\n\n")
        inner = flatten_blocks("".join(body))
        out.extend(indent + part if part.strip() else part for part in inner.splitlines(keepends=True))
        if out and not out[-1].endswith("\n"):
            out[-1] += "\n"
    return "".join(out)


class NotebookRenderer(rewrite.Renderer):
    """The notebook download: Jupyter's Markdown (``$`` math, ``\\tag``), absolute links, no attribute lists."""

    def __init__(self, context: Context) -> None:
        self.context = context
        self.attachments: dict[str, dict[str, str]] = {}  # file name -> MIME bundle (embedded figures)

    def equation(self, latex, item):
        body = latex.strip("\n")
        if item is not None:
            body += f"\n\\tag{{{item.number}}}"
        return f"$$\n{body}\n$$"

    def inline_math(self, latex):
        return f"${latex}$"

    def reference(self, item):
        return f"[{item.name}]({self.context.url(item.page + '#' + item.label)})"

    def citation(self, keys):
        bibliography = self.context.bibliography
        links = [f"[{bibliography[k].short}](https://doi.org/{bibliography[k].doi})" if k in bibliography
                 else f"@{k}" for k in keys]
        return "(" + "; ".join(links) + ")"

    def figure(self, name, alt, caption, item, spec):
        if item is not None:
            caption = f"**Figure {item.number}.** {caption}"
        spec = (self.context.figures or {}).get(name)
        svg = getattr(spec, "svg", None)
        if self.context.embed and svg:
            self.attachments[f"{name}.svg"] = {"image/svg+xml": base64.b64encode(svg["light"]).decode()}
            target = f"attachment:{name}.svg"
        else:
            target = self.context.url(f"figures/{name}.svg")
        return f"![{alt}]({target})\n\n{caption}".rstrip() + "\n"

    def text(self, part):
        context = self.context

        def autoref(match: re.Match) -> str:
            identifier = match["id"] or match["text"].strip("`")
            url = context.reference(identifier)
            return f"[{match['text']}]({url})" if url else match["text"]

        part = AUTOREF.sub(autoref, part)
        part = LINK.sub(lambda m: m["open"] + _relative_or(m["target"], context.url) + m["close"], part)
        return re.sub(r"(\{\{.*?\}\})|" + ATTR_LIST.pattern, lambda m: m.group(1) or "", part)

    def references(self, keys):
        bibliography = self.context.bibliography
        refs = sorted((bibliography[k] for k in keys), key=lambda r: (r.authors[0][0], r.year, r.key))
        return "\n## References\n\n" + "\n".join(
            f"- {ref.full.removesuffix(f' doi:{ref.doi}')} [doi:{ref.doi}](https://doi.org/{ref.doi})"
            for ref in refs) + "\n"


def from_markdown(markdown: str, page: str, context: Context | None = None) -> dict:
    """A page's Markdown as an nbformat 4 notebook (a dict; ``json.dumps`` it to save).

    Parameters
    ----------
    markdown : str
        The page source, as in ``docs/``.
    page : str
        Its path in ``docs/`` (``"cnn.md"``), for numbering and error messages.
    context : Context, optional
        Measured values, figures, numbering, bibliography and how links
        resolve; without results, placeholders stay as written (claims go).

    Returns
    -------
    dict
        Markdown cells for the prose and one code cell per ``python`` block,
        in page order; other fenced blocks stay in the Markdown. Cell ids are
        derived from the cells' content, so the same page gives the same file.
    """
    context = context or Context()
    markdown = FRONT_MATTER.sub("", markdown)  # search boost and the like: for the site only
    prose_only = "".join(chunk if is_code else COMMENT.sub("", ABBREVIATION.sub("", chunk))
                         for is_code, chunk in pages.split_code(flatten_blocks(markdown)))
    shared = rewrite.Context(results=context.results or None, figures=context.figures,
                             numbering=context.numbering, bibliography=context.bibliography or None)
    renderer = NotebookRenderer(context)
    text = rewrite.rewrite(prose_only, page, renderer, shared)
    cells: list[dict] = []
    prose: list[str] = []

    def flush() -> None:
        body = re.sub(r"\n{3,}", "\n\n", "".join(prose).strip("\n"))
        if body.strip():
            cell = {"cell_type": "markdown", "metadata": {}, "source": body}
            attached = {name: bundle for name, bundle in renderer.attachments.items() if f"attachment:{name}" in body}
            if attached:
                cell["attachments"] = attached
            cells.append(cell)
        prose.clear()

    for is_code, chunk in pages.split_code(text):
        lines = chunk.splitlines(keepends=True)
        opening = pages.FENCE.match(lines[0]) if is_code else None
        info = lines[0][opening.end():].strip() if opening else ""
        if opening and info == "python":
            indent = len(opening.group(1))
            closed = len(lines) > 1 and lines[-1].strip() == opening.group(2)
            body = lines[1:-1] if closed else lines[1:]
            flush()
            source = "".join(line[indent:] if line[:indent].isspace() or not indent else line.lstrip(" \t")
                             for line in body)
            cells.append({"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
                          "source": source.rstrip("\n")})
        else:
            prose.append(chunk)
    flush()
    seen: set[str] = set()
    for i, cell in enumerate(cells):
        digest = hashlib.sha256(f"{cell['cell_type']}\n{cell['source']}".encode()).hexdigest()[:8]
        cell["id"] = digest if digest not in seen else f"{digest}-{i}"
        seen.add(cell["id"])
    return {"cells": cells, "metadata": {"kernelspec": dict(KERNELSPEC),
                                         "language_info": {"name": "python"}},
            "nbformat": 4, "nbformat_minor": 5}


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


def _key(*parts: str) -> str:
    from .memo import key

    return key(*parts)


def dumps(notebook: dict) -> str:
    """Notebook JSON as Jupyter writes it (one-space indent, sorted keys, final newline)."""
    return json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


# --- the build: what the MkDocs hook calls ----------------------------------------------

def site_url(config, path: str) -> str:
    """The absolute URL of ``path`` (relative to the site root) on the published site."""
    base = config.site_url or "/"
    return urljoin(base if base.endswith("/") else base + "/", path)


def edit_url(config, repo_path: str) -> str | None:
    """Material's "edit this page" URL for a file given relative to the repository root."""
    if not config.repo_url or not config.edit_uri:
        return None
    edit_uri = config.edit_uri if config.edit_uri.endswith("/") else config.edit_uri + "/"
    docs = PurePosixPath(Path(config.docs_dir).name)
    target = os.path.relpath(repo_path, docs.as_posix())
    repo = config.repo_url if config.repo_url.endswith("/") else config.repo_url + "/"
    return urljoin(urljoin(repo, edit_uri), target)


def render(notebook: dict, cache_dir: Path, toc_depth: int = 3) -> dict:
    """The page HTML of an executed notebook, by mkdocs-jupyter, trimmed; cached by content.

    Returns ``{"content": html, "toc": toc tokens}``.
    mkdocs-jupyter's converter (its nbconvert template, the one its plugin
    uses) is imported only on a cache miss: importing it costs seconds, which
    a warm build should not pay.
    """
    text = dumps(notebook)
    digest = hashlib.sha256(text.encode())
    digest.update(Path(__file__).read_bytes())  # trim() and this function
    digest.update(f"mkdocs-jupyter={_version('mkdocs-jupyter')} nbconvert={_version('nbconvert')}".encode())
    path = cache_dir / FOLDER / "html" / f"{digest.hexdigest()[:16]}.json"
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    import markdown
    from markdown.extensions.toc import TocExtension
    from mkdocs_jupyter import convert

    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "notebook.ipynb"
        source.write_text(text, encoding="utf-8")
        content = convert.nb2html(str(source), execute=False, theme="light", allow_errors=False,
                                  include_requirejs=False, custom_mathjax_url="")
        md = markdown.Markdown(extensions=[TocExtension(toc_depth=toc_depth)])
        md.convert(convert.nb2md(str(source)))
    entry = {"content": trim(content, image_alts(notebook)), "toc": md.toc_tokens}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(entry), encoding="utf-8")
    return entry


def _version(package: str) -> str:
    import importlib.metadata

    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "none"


class NotebookSite:
    """The notebooks of one build: what the hook's events do, kept out of the hook."""

    def __init__(self) -> None:
        self.pages: dict[str, str] = {}  # src_uri of a page -> its notebook's path on the site
        self.edit: dict[str, str] = {}  # notebook page src_uri -> repository path of its script
        self.executed: dict[str, dict] = {}  # notebook page src_uri -> executed notebook
        self.rendered: dict[str, dict] = {}  # notebook page src_uri -> render() entry

    def add_scripts(self, files, config, cache_dir: Path, log) -> None:
        """Execute each percent script in ``docs/`` (cached) and put a rendered page in its place."""
        from mkdocs.structure.files import File

        for file in list(files):
            if not file.src_uri.endswith(".py") or file.generated_by or not is_script(file.content_string):
                continue
            notebook, seconds, cached = execute(Path(file.abs_src_path), cache_dir)
            log.info(f"lensbook: notebook {file.src_uri}: {seconds:.1f} s" + (" (cached)" if cached else ""))
            src_uri = file.src_uri.removesuffix(".py") + ".md"
            files.remove(file)
            files.append(File.generated(config, src_uri, content=""))  # filled in by page_content
            # the page's own copy: links to other pages relative to it, as on any page
            page_copy = relink(notebook, self._resolver(files, config, src_uri, absolute=False))
            self.rendered[src_uri] = render(page_copy, cache_dir)
            self.executed[src_uri] = notebook
            self.edit[src_uri] = f"{Path(config.docs_dir).name}/{file.src_uri}"

    @staticmethod
    def _resolver(files, config, page_uri: str, absolute: bool, strict: bool = True) -> Callable[[str], str]:
        """How a relative link on page ``page_uri`` resolves: to a page-relative or an absolute URL.

        A link to nothing raises ``NotebookError``, or with ``strict=False`` stays as written
        (on a Markdown page, MkDocs's own link check reports it).
        """
        by_uri = {f.src_uri: f for f in files}
        here = by_uri[page_uri]

        def resolve(target: str) -> str:
            path, _, anchor = target.partition("#")
            suffix = f"#{anchor}" if anchor else ""
            if not path:
                return (site_url(config, here.url) if absolute else "") + suffix
            uri = os.path.normpath(os.path.join(os.path.dirname(page_uri), path)).replace(os.sep, "/")
            hit = by_uri.get(uri)
            if hit is None:
                if not strict:
                    return target
                raise NotebookError(f"{page_uri}: link to {target!r}, which is not in the site")
            return (site_url(config, hit.url) if absolute else hit.url_relative_to(here)) + suffix

        return resolve

    def add_downloads(self, nav, files, config, context: Context, reference=None, memo=None) -> None:
        """One downloadable notebook per notebook page and per Markdown page, under ``notebooks/``.

        ``reference`` (a ``lensbook.site.reference.Reference``) resolves autorefs links to the
        API reference's published URLs. ``memo``, a ``(Memo, key)`` pair, keeps each page's
        notebook under that key plus the page's text and the site's pages.
        """
        root = Path(config.config_file_path).parent
        setup = setup_cell(config.repo_url, build_commit(root) if config.repo_url else None,
                           package_requirements(root))
        context = dataclasses.replace(context, embed=is_local(config.site_url))
        if reference is not None:
            def page_url(src_uri: str) -> str:
                return site_url(config, files.get_file_from_path(src_uri).url)

            context = dataclasses.replace(context, reference=lambda identifier: reference.url(identifier, page_url))
        for src_uri, notebook in self.executed.items():
            resolve = self._resolver(files, config, src_uri, absolute=True)
            self.pages[src_uri] = self._add(files, config, src_uri, dumps(with_setup(relink(notebook, resolve), setup)))
        for page in nav.pages:
            file = page.file
            if not file.src_uri.endswith(".md") or file.generated_by:
                continue
            page_context = dataclasses.replace(
                context, url=self._resolver(files, config, file.src_uri, absolute=True, strict=False))

            def build(file=file, page_context=page_context) -> str:
                try:
                    return dumps(with_setup(from_markdown(file.content_string, file.src_uri, page_context), setup))
                except pages.PageError as error:
                    raise NotebookError(str(error)) from error

            if memo is None:
                text = build()
            else:
                store, base = memo
                site_pages = " ".join(sorted(f.src_uri for f in files.documentation_pages()))
                text = store.get(f"notebook-{file.src_uri}", _key(base, file.src_uri, file.content_string,
                                                                   site_pages, getattr(reference, "key", ""),
                                                                   setup["source"], str(context.embed)), build)
            self.pages[file.src_uri] = self._add(files, config, file.src_uri, text)

    @staticmethod
    def _add(files, config, src_uri: str, text: str) -> str:
        from mkdocs.structure.files import File

        path = f"{FOLDER}/{PurePosixPath(src_uri).with_suffix('.ipynb').as_posix()}"
        files.append(File.generated(config, path, content=text))
        return path

    def page_markdown(self, page, config) -> bool:
        """Give a page its download button and edit link; True if it is a notebook page (leave it alone)."""
        src_uri = page.file.src_uri
        if src_uri in self.pages:
            page.meta["notebook"] = self.pages[src_uri]
        if src_uri in self.edit:
            page.edit_url = edit_url(config, self.edit[src_uri])
        return src_uri in self.rendered

    def page_content(self, content: str, page) -> str:
        """A notebook page's HTML and table of contents; other pages pass unchanged."""
        entry = self.rendered.get(page.file.src_uri)
        if entry is None:
            return content
        from mkdocs.structure.toc import get_toc

        page.toc = get_toc(entry["toc"])
        return entry["content"]
