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

The rendered pages are cached between builds by ``lensbook.site.reference_cache``.
"""

from __future__ import annotations

import ast
import importlib.util
import pkgutil
from pathlib import Path

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
