"""Notebooks on the site: every page as a notebook, and executed notebook pages.

Two things, both automatic for any page:

* **Every page as a notebook.** :func:`from_markdown` turns a page's Markdown
  into a notebook: one code cell per ``python`` block and Markdown cells for
  the prose between, in page order, with the measured values, figure
  captions, numbers and citations filled in as the page shows them
  (:mod:`~lensbook.site.notebook_markdown` is the Markdown Jupyter reads).
* **Notebook pages.** A jupytext percent script in ``docs/`` (``docs/interactive.py``)
  is executed at build time and rendered by mkdocs-jupyter into the page
  ``interactive/``, outputs included (:mod:`~lensbook.site.notebook_scripts`,
  :mod:`~lensbook.site.notebook_html`).

Both are served under ``notebooks/`` (``notebooks/cnn.ipynb``) and linked from
their page by the download button next to its title (``page.meta["notebook"]``,
read by ``overrides/partials/actions.html``). Links between pages become
absolute links to the site (``site_url``), so a downloaded notebook's links
still lead somewhere (:mod:`~lensbook.site.notebook_links`). Figures link to
the published site; a local build (whose ``site_url`` is this machine) embeds
them as cell attachments instead, so a notebook never points at localhost.
Every downloaded notebook opens with a set-up cell that installs ``lensbook``
(:mod:`~lensbook.site.notebook_setup`).

:class:`NotebookSite` is what the MkDocs hook calls.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from . import apparatus, citations, pages, rewrite
from .notebook_format import FOLDER, NotebookError, dumps, notebook
from .notebook_links import edit_url, relink, resolver, site_url
from .notebook_markdown import NotebookRenderer, for_jupyter
from .notebook_scripts import execute, is_script, render
from .notebook_setup import build_commit, is_local, package_requirements, setup_cell, with_setup


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


def read_page(file) -> str:
    """The Markdown of a page (an MkDocs ``File``) that its notebook is made from: the one place
    the build reads it."""
    return file.content_string


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
    shared = rewrite.Context(results=context.results or None, figures=context.figures,
                             numbering=context.numbering, bibliography=context.bibliography or None)
    renderer = NotebookRenderer(context)
    text = rewrite.rewrite(for_jupyter(markdown), page, renderer, shared)
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
    return notebook(cells)


# --- the build: what the MkDocs hook calls ----------------------------------------------

def _key(*parts: str) -> str:
    from .memo import key

    return key(*parts)


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
            executed, seconds, cached = execute(Path(file.abs_src_path), cache_dir)
            log.info(f"lensbook: notebook {file.src_uri}: {seconds:.1f} s" + (" (cached)" if cached else ""))
            src_uri = file.src_uri.removesuffix(".py") + ".md"
            files.remove(file)
            files.append(File.generated(config, src_uri, content=""))  # filled in by page_content
            # the page's own copy: links to other pages relative to it, as on any page
            page_copy = relink(executed, resolver(files, config, src_uri, absolute=False))
            self.rendered[src_uri] = render(page_copy, cache_dir)
            self.executed[src_uri] = executed
            self.edit[src_uri] = f"{Path(config.docs_dir).name}/{file.src_uri}"

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
        for src_uri, executed in self.executed.items():
            resolve = resolver(files, config, src_uri, absolute=True)
            self.pages[src_uri] = self._add(files, config, src_uri, dumps(with_setup(relink(executed, resolve), setup)))
        for page in nav.pages:
            file = page.file
            if not file.src_uri.endswith(".md") or file.generated_by:
                continue
            markdown = read_page(file)
            page_context = dataclasses.replace(
                context, url=resolver(files, config, file.src_uri, absolute=True, strict=False))

            def build(markdown=markdown, src_uri=file.src_uri, page_context=page_context) -> str:
                try:
                    return dumps(with_setup(from_markdown(markdown, src_uri, page_context), setup))
                except pages.PageError as error:
                    raise NotebookError(str(error)) from error

            if memo is None:
                text = build()
            else:
                store, base = memo
                site_pages = " ".join(sorted(f.src_uri for f in files.documentation_pages()))
                text = store.get(f"notebook-{file.src_uri}", _key(base, file.src_uri, markdown,
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
