"""The API reference inside a build: its rendered pages cached, and their finished HTML.

Rendering every docstring takes about 30 s on a laptop's core (a warm build
takes under 2), so the rendered pages are cached
under a hash of the documented modules' sources, the page writer
(``lensbook.site.reference``), ``mkdocs.yml`` and the versions of the tools that
render them. A warm build puts the cached
HTML, table of contents and autorefs anchors back in place; any change to a
documented module renders the whole reference again. The anchors are recorded
by wrapping mkdocs-autorefs' ``register_anchor`` during a build that renders;
pyproject.toml pins mkdocs-autorefs to the version whose signature it wraps.

On every build, a reference page's finished HTML loses the tooltips that repeat
their own text, and each ``>>>`` example's copy button copies runnable code
(``lensbook.site.examples``).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import re
from pathlib import Path

from . import examples, reference
from .reference import FOLDER, NAV_FILE, page_of, page_uri, pages_of, public_modules, source_path

#: The layout of a cache file (HTML, table of contents, anchors per page): bump it when it changes.
FORMAT = 1
TOOLS = ("mkdocs", "mkdocstrings", "mkdocstrings-python", "griffelib", "mkdocs-autorefs", "markdown",
         "pymdown-extensions", "mkdocs-material")


def cache_key(modules: list[str], config_file: Path) -> str:
    """Hash of what the rendered reference depends on: sources, page templates, configuration, tool versions."""
    digest = hashlib.sha256(config_file.read_bytes())
    digest.update(Path(reference.__file__).read_bytes())  # how the pages are written
    digest.update(f"format={FORMAT}".encode())
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
    """What the hook's events do for the reference: the cache of its rendered pages, their finished HTML."""

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
        """The finished HTML of a reference page, less the tooltips that repeat their own text, and
        with each ``>>>`` example's copy text (``lensbook.site.examples``)."""
        if page.file.src_uri not in self.uris:
            return output
        module = next(p for p in self.pages if page_uri(p) == page.file.src_uri)
        output = examples.with_copy_text(output, module, source_path(module))
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
