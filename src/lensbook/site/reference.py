"""The API reference: generated at build time from the package, one page per subpackage.

The modules are found on disk (``pkgutil``, nothing imported), so a new module
gets its entries, and a new subpackage its page and its place in the
navigation, without editing a list. The top-level modules (``lensbook.dna``,
``lensbook.train``, ...) share the page ``reference/lensbook/``; each
subpackage has its own (``lensbook.models`` and its modules:
``reference/models/``). Each module is one mkdocstrings ``::: module`` block
rendered from its NumPy-style docstrings. Pages link to entries with autorefs,
``[scan_motif][lensbook.experiments.cnn.scan_motif]``, and the strict build
fails on a reference that does not resolve. (A page per subpackage rather
than per module keeps the site to a handful of pages: each page is one more
to build, check in a browser and audit.)

Public means: no part of the dotted name starts with ``_``, and not the build
machinery under ``lensbook.site`` (the MkDocs hook and what it calls), which
is not a library a reader imports.

Rendering every docstring takes seconds, so the rendered pages are cached
under a hash of the documented modules' sources, this file, ``mkdocs.yml``
and the versions of the tools that render them. A warm build puts the cached
HTML, table of contents and autorefs anchors back in place; any change to a
documented module renders the whole reference again.
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
SECTION = "API reference"


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
    """The file that defines ``module`` (``__init__.py`` for a package)."""
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        raise ValueError(f"module: expected an importable module, got {module!r}")
    return Path(spec.origin)


def summary(module: str) -> str:
    """The first line of a module's docstring, read from its source (nothing imported)."""
    doc = ast.get_docstring(ast.parse(source_path(module).read_text(encoding="utf-8"))) or ""
    return doc.strip().splitlines()[0] if doc.strip() else ""


def is_package(module: str) -> bool:
    """Whether ``module`` is a package (a folder with an ``__init__.py``)."""
    return source_path(module).name == "__init__.py"


def page_of(module: str) -> str:
    """The page a module is documented on: its subpackage of ``lensbook``, or ``lensbook`` itself."""
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 2 or (len(parts) == 2 and is_package(module)) else parts[0]


def page_uri(page: str) -> str:
    """Where a page lives among the site's sources: ``reference/lensbook.md``, ``reference/models.md``
    (served as ``reference/models/``)."""
    return f"{FOLDER}/{page.rpartition('.')[2]}.md"


def pages_of(modules: list[str]) -> dict[str, list[str]]:
    """Page -> the modules on it, ``lensbook`` first, each subpackage's own module first."""
    out: dict[str, list[str]] = {}
    for module in modules:
        out.setdefault(page_of(module), []).append(module)
    return dict(sorted(out.items(), key=lambda item: (item[0] != PACKAGE, item[0])))


def page_markdown(page: str, modules: list[str]) -> str:
    """The Markdown of one page: the package's own entry as its title, then every module in it."""
    def block(module: str, level: int) -> str:
        return f"::: {module}\n    options:\n      show_root_heading: true\n      heading_level: {level}\n"

    if modules[0] == page:
        return "\n".join([block(modules[0], 1)] + [block(m, 2) for m in modules[1:]])
    return f"# `{page}`\n\n" + "\n".join(block(m, 2) for m in modules)


def index_page(modules: list[str]) -> str:
    """The Markdown of the reference's first page: every module and what it is for."""
    rows = "\n".join(f"| [`{m}`][{m}] | {summary(m).replace('|', '/')} |" for m in modules)
    return (
        "# API reference\n\n"
        "Every public function and class of the `lensbook` package, generated from\n"
        "its docstrings when the site is built. The chapter's pages link here for the\n"
        "functions their code blocks use. The build machinery (`lensbook.site`: the\n"
        "MkDocs hook, the figure cache, notebooks) is not part of the reference.\n\n"
        "| module | what it is for |\n|---|---|\n" + rows + "\n"
    )


def nav_section(pages: dict[str, list[str]]) -> dict:
    """The navigation section: the index, then one entry per page."""
    return {SECTION: [{"Overview": f"{FOLDER}/index.md"}] + [{page: page_uri(page)} for page in pages]}


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

    def configure(self, config, cache_dir: Path) -> None:
        """Find the modules, append the reference section to the navigation, open the cache."""
        self.modules = public_modules()
        self.pages = pages_of(self.modules)
        self.uris = {page_uri(page) for page in self.pages}
        if config.nav is not None:  # the nav in mkdocs.yml lists the chapter; the reference is added here
            config.nav = [item for item in config.nav if not (isinstance(item, dict) and SECTION in item)]
            config.nav.append(nav_section(self.pages))
        self.autorefs = config.plugins.get("autorefs")
        if self.autorefs is None:  # no mkdocstrings in this configuration: pages show the ::: lines only
            return
        self.path = cache_dir / FOLDER / f"{cache_key(self.modules, Path(config.config_file_path))}.json"
        if self.path.exists():
            self.cached = json.loads(self.path.read_text(encoding="utf-8"))
            return
        register = self.autorefs.register_anchor

        def recording(page, identifier, anchor=None, *, title=None, primary=True):
            if page is not None and page.file.src_uri in self.uris:
                entry = self.recorded.setdefault(page.file.src_uri, {"anchors": []})
                entry["anchors"].append([identifier, anchor, title, primary])
            return register(page, identifier, anchor, title=title, primary=primary)

        self.autorefs.register_anchor = recording  # mkdocstrings registers each entry through it

    def add_pages(self, files, config) -> None:
        """Generate the reference pages into the build."""
        from mkdocs.structure.files import File

        files.append(File.generated(config, f"{FOLDER}/index.md", content=index_page(self.modules)))
        for page, modules in self.pages.items():
            files.append(File.generated(config, page_uri(page), content=page_markdown(page, modules)))

    def page_markdown(self, markdown: str, page) -> str:
        """On a warm build a reference page renders nothing: its HTML comes from the cache."""
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
