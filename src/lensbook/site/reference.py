"""The API reference: generated at build time from the package, one page per module.

The modules are found on disk (``pkgutil``, nothing imported), so a new module
gets its page and its place in the navigation without editing a list. The
pages and their ``SUMMARY.md`` are written by mkdocs-gen-files (the script
``lensbook/site/reference_pages.py``) and the navigation is read from it by
mkdocs-literate-nav (``- API reference: reference/`` in ``mkdocs.yml``):
``lensbook.dna`` is ``reference/dna/``, ``lensbook.models.cnn`` is
``reference/models-cnn/``, and a subpackage's own page
(``reference/models/``) lists its modules. Each page is one mkdocstrings
``::: module`` block rendered from its NumPy-style docstrings. Pages link to
entries with autorefs, ``[scan_motif][lensbook.experiments.cnn.scan_motif]``,
and the strict build fails on a reference that does not resolve. (A page per
module, not per subpackage: a subpackage's page held up to 6,500 elements,
which a phone lays out slowly enough to fail Lighthouse's performance budget.)

Public means: no part of the dotted name starts with ``_``, and not the build
machinery under ``lensbook.site`` (the MkDocs hook and what it calls), which
is not a library a reader imports.

Rendering every docstring takes about 30 s on a laptop's core (a warm build
takes under 2), so the rendered pages are cached
under a hash of the documented modules' sources, this file, ``mkdocs.yml``
and the versions of the tools that render them. A warm build puts the cached
HTML, table of contents and autorefs anchors back in place; any change to a
documented module renders the whole reference again. The anchors are recorded
by wrapping mkdocs-autorefs' ``register_anchor`` during a build that renders;
pyproject.toml pins mkdocs-autorefs to the version whose signature it wraps.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.metadata
import importlib.util
import json
import pkgutil
import re
from pathlib import Path

TOOLS = ("mkdocs", "mkdocstrings", "mkdocstrings-python", "griffelib", "mkdocs-autorefs", "markdown",
         "pymdown-extensions", "mkdocs-material")

PACKAGE = "lensbook"
EXCLUDED = ("lensbook.site",)
FOLDER = "reference"
NAV_FILE = f"{FOLDER}/SUMMARY.md"  # read by mkdocs-literate-nav (``- API reference: reference/`` in mkdocs.yml)


def public_modules(package: str = PACKAGE, excluded: tuple[str, ...] = EXCLUDED) -> list[str]:
    """Dotted names of the package's public modules and subpackages, sorted, found without importing them.

    A folder of modules without an ``__init__.py`` is not a package to ``pkgutil`` (nor to
    mkdocstrings): give it one to have it documented (``tests/test_reference.py`` checks).
    """
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ValueError(f"package: expected an importable package, got {package!r}")
    found = [package]

    def skip(name: str) -> bool:
        return name.rpartition(".")[2].startswith("_") or any(name == e or name.startswith(e + ".") for e in excluded)

    def walk(paths: list[str], prefix: str) -> None:
        for info in pkgutil.iter_modules(paths):
            name = f"{prefix}.{info.name}"
            if not skip(name):
                found.append(name)
                if info.ispkg:
                    walk([str(Path(info.module_finder.path) / info.name)], name)

    walk(list(spec.submodule_search_locations), package)
    return sorted(found)


def source_path(module: str) -> Path:
    """The file that defines ``module`` (``__init__.py`` for a package); nothing is imported."""
    from .sources import _module_file

    path = _module_file(module)
    if path is not None:
        return path
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        raise ValueError(f"module: expected an importable module, got {module!r}")
    return Path(spec.origin)


def summary(module: str) -> str:
    """The first line of a module's docstring, read from its source (nothing imported)."""
    from .sources import tree

    doc = ast.get_docstring(tree(source_path(module))) or ""
    return doc.strip().splitlines()[0] if doc.strip() else ""


def is_package(module: str) -> bool:
    """Whether ``module`` is a package (a folder with an ``__init__.py``)."""
    return source_path(module).name == "__init__.py"


def page_of(module: str) -> str:
    """The page a module is documented on: its own."""
    return module


def page_uri(page: str) -> str:
    """Where a page lives among the site's sources: ``reference/lensbook.md``, ``reference/dna.md``,
    ``reference/models.md`` (served as ``reference/models/``), ``reference/models-cnn.md``.

    Flat, with ``-`` (never in a module name) between the parts, so ``lensbook.figures.index``
    cannot land on the ``lensbook.figures`` page's ``reference/figures/index.html``.
    """
    parts = page.split(".")
    return f"{FOLDER}/{'-'.join(parts[1:]) if len(parts) > 1 else parts[0]}.md"


def pages_of(modules: list[str]) -> dict[str, list[str]]:
    """Page -> the modules on it (one each), ``lensbook`` first, each subpackage before its modules."""
    return {module: [module] for module in sorted(modules, key=lambda m: (m != PACKAGE, m))}


def page_markdown(page: str, modules: list[str], all_modules: list[str] | None = None) -> str:
    """The Markdown of one page: the module's entry, under its name as the page title; a package's
    page also lists the modules in it."""
    text = f"::: {page}\n    options:\n      show_root_heading: true\n      heading_level: 1\n"
    inside = [m for m in (all_modules or []) if m.rpartition(".")[0] == page]
    if inside:
        rows = "\n".join(f"| [`{m}`][{m}] | {summary(m).replace('|', '/')} |" for m in inside)
        text += "\n## Modules\n\n| module | what it is for |\n|---|---|\n" + rows + "\n"
    return text


def index_page(modules: list[str]) -> str:
    """The Markdown of the reference's first page: every module and what it is for."""
    rows = "\n".join(f"| [`{m}`][{m}] | {summary(m).replace('|', '/')} |" for m in modules)
    return (
        "# API reference\n\n"
        "Every public function and class of the `lensbook` package, generated from\n"
        "its docstrings when the site is built. The chapter's pages link here for the\n"
        "functions their code blocks use. The build machinery (`lensbook.site`: the\n"
        "MkDocs hook, the figure cache, notebooks) is not part of the reference.\n"
        "The site's search covers the chapter; to find an object, start from this\n"
        "table or from a link on a chapter page.\n\n"
        "| module | what it is for |\n|---|---|\n" + rows + "\n"
    )


def literate_nav(pages: dict[str, list[str]]) -> str:
    """The reference's navigation, as the ``SUMMARY.md`` that mkdocs-literate-nav reads: the index,
    the top-level modules, then a section per subpackage (its own page first, then its modules).

    Every page is titled with its module's full name (``lensbook.models.lstm``, not ``lstm``): the
    title is also the browser tab's and the search result's, where ``lstm`` alone says little.
    Links are relative to the reference's folder.
    """
    lines = ["* [Overview](index.md)"]
    sections: set[str] = set()
    for page in pages:
        parts = page.split(".")
        link = f"[{page}]({page_uri(page).removeprefix(FOLDER + '/')})"
        if len(parts) <= 2 and not (len(parts) == 2 and is_package(page)):
            lines.append(f"* {link}")
            continue
        section = ".".join(parts[:2])
        if section not in sections:
            sections.add(section)
            lines.append(f"* {section}")
        lines.append(f"    * {link}")
    return "\n".join(lines) + "\n"


def write_pages(open_file=None) -> list[str]:
    """Write the reference's pages and its ``SUMMARY.md`` with ``open_file`` (mkdocs-gen-files'
    ``open`` by default: the files join the build, nothing is written under ``docs/``).

    Called by the gen-files script ``lensbook/site/reference_pages.py`` (``mkdocs.yml``); returns
    the paths written, relative to the docs folder.
    """
    if open_file is None:
        import mkdocs_gen_files

        open_file = mkdocs_gen_files.open
    modules = public_modules()
    pages = pages_of(modules)
    texts = {f"{FOLDER}/index.md": index_page(modules)}
    texts.update({page_uri(page): page_markdown(page, members, modules) for page, members in pages.items()})
    texts[NAV_FILE] = literate_nav(pages)
    for path, text in texts.items():
        with open_file(path, "w") as f:
            f.write(text)
    return list(texts)


def cache_key(modules: list[str], config_file: Path) -> str:
    """Hash of what the rendered reference depends on: sources, page templates, configuration, tool versions."""
    digest = hashlib.sha256(config_file.read_bytes())
    digest.update(Path(__file__).read_bytes())  # how the pages are written
    for module in modules:
        digest.update(module.encode())
        digest.update(source_path(module).read_bytes())
    for tool in TOOLS:
        try:
            digest.update(f"{tool}={importlib.metadata.version(tool)}".encode())
        except importlib.metadata.PackageNotFoundError:
            digest.update(f"{tool}=none".encode())
    return digest.hexdigest()[:16]


# An annotation outside lensbook (``int``, ``torch.Tensor``) is written ``<span title="int">int</span>``:
# hundreds per page, each a tooltip that repeats its own text. Keep the text, drop the title.
UNRESOLVED_TITLE = re.compile(r'<span title="[^"<>]*">([^<>]*)</span>')


def _toc_tokens(items) -> list[dict]:
    return [{"level": i.level, "id": i.id, "name": i.title, "children": _toc_tokens(i.children)} for i in items]


class Reference:
    """What the hook's events do for the reference: pages, navigation and the cache."""

    def __init__(self) -> None:
        self.modules: list[str] = []
        self.pages: dict[str, list[str]] = {}  # page -> its modules
        self.uris: set[str] = set()  # the pages' src_uris
        self.path: Path | None = None  # the cache file of this build's key
        self.cached: dict | None = None  # src_uri -> {"content", "toc", "anchors"} on a warm build
        self.recorded: dict[str, dict] = {}
        self.autorefs = None
        self.key = ""  # the rendered reference's cache key (empty without mkdocstrings)

    def configure(self, config, cache_dir: Path) -> None:
        """Find the modules and open the cache (the pages and their navigation come from
        mkdocs-gen-files and mkdocs-literate-nav, see ``write_pages``)."""
        self.modules = public_modules()
        self.pages = pages_of(self.modules)
        self.uris = {page_uri(page) for page in self.pages}
        self.autorefs = config.plugins.get("autorefs")
        if self.autorefs is None:  # no mkdocstrings in this configuration: pages show the ::: lines only
            return
        self.key = cache_key(self.modules, Path(config.config_file_path))
        self.path = cache_dir / FOLDER / f"{self.key}.json"
        if self.path.exists():
            self.cached = json.loads(self.path.read_text(encoding="utf-8"))
            return
        register = self.autorefs.register_anchor

        def recording(page, identifier, anchor=None, *, title=None, primary=True):
            if page is not None and page.file.src_uri in self.uris:
                entry = self.recorded.setdefault(page.file.src_uri, {"anchors": []})
                entry["anchors"].append([identifier, anchor, title, primary])
            return register(page, identifier, anchor, title=title, primary=primary)

        # mkdocstrings registers each entry through it; the signature is mkdocs-autorefs 1.4's, which
        # pyproject.toml pins (tests/test_reference.py checks it)
        self.autorefs.register_anchor = recording

    @staticmethod
    def drop_nav_file(files) -> None:
        """Take ``SUMMARY.md`` out of the build once mkdocs-literate-nav has read it: it is the
        navigation's source, not a page of the site."""
        nav_file = files.get_file_from_path(NAV_FILE)
        if nav_file is not None:
            files.remove(nav_file)

    def page_markdown(self, markdown: str, page) -> str:
        """On a warm build a reference page renders nothing: its HTML comes from the cache.

        Reference pages stay out of the search index: a search for a term the chapter
        teaches ("LSTM", "receptive field") finds the chapter, not forty module pages
        that mention it; the reference's index page lists every module.
        """
        if page.file.src_uri in self.uris:
            page.meta["search"] = {"exclude": True}
        if self.cached is not None and page.file.src_uri in self.cached:
            return ""  # not even a heading, whose anchor would shadow the cached one
        return markdown

    def page_content(self, html: str, page) -> str:
        """Put a cached page back (HTML, table of contents, anchors), or record a freshly rendered one."""
        src_uri = page.file.src_uri
        if src_uri not in self.uris or self.autorefs is None:
            return html
        if self.cached is not None and src_uri in self.cached:
            from mkdocs.structure.toc import get_toc

            entry = self.cached[src_uri]
            for identifier, anchor, title, primary in entry["anchors"]:
                self.autorefs.register_anchor(page, identifier, anchor, title=title, primary=primary)
            page.toc = get_toc(entry["toc"])
            return entry["content"]
        entry = self.recorded.setdefault(src_uri, {"anchors": []})
        entry.update(content=html, toc=_toc_tokens(page.toc))
        return html

    def post_page(self, output: str, page) -> str:
        """The finished HTML of a reference page, less the tooltips that repeat their own text."""
        if page.file.src_uri not in self.uris:
            return output
        return UNRESOLVED_TITLE.sub(r"<span>\1</span>", output)

    def save(self) -> None:
        """Write the cache after a build that rendered every reference page."""
        if self.cached is None and self.path is not None \
                and all("content" in self.recorded.get(uri, {}) for uri in self.uris):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_text(json.dumps({uri: self.recorded[uri] for uri in sorted(self.uris)}),
                                 encoding="utf-8")

    def url(self, identifier: str, page_url) -> str | None:
        """The URL of an autorefs identifier's entry (``lensbook.dna.one_hot``), if it is documented.

        ``page_url`` maps a page's ``src_uri`` to its URL.
        """
        parts = identifier.split(".")
        for n in range(len(parts), 0, -1):
            module = ".".join(parts[:n])
            if module in self.modules:
                return page_url(page_uri(page_of(module))) + f"#{identifier}"
        return None
