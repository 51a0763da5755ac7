"""MkDocs hook: registry -> built site. Thin on purpose; the work is in ``lensbook.site``.

Every output is memoised under a key of what it depends on (``lensbook.site.memo``):
a warm build with nothing changed unpickles no result and imports no torch, and a
prose edit re-renders only its page.

A build error (``lensbook.site.errors.BuildError``: a failed figure, a false claim, an
unknown label or citation, a notebook that does not run) stops the build with its
message through the one ``except`` in ``stops_the_build``; any other exception is a bug
and keeps its traceback.
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

from lensbook.site import (apparatus, citations, hosting, memo, notebooks, pages, reference, reference_cache, render,
                           sources)
from lensbook.site.errors import BuildError

log = logging.getLogger("mkdocs.lensbook")
_state: dict = {}


def stops_the_build(event):
    """Every event of this hook: a build error stops the build with its message (MkDocs' ``PluginError``)."""

    @functools.wraps(event)
    def run(*args, **kwargs):
        try:
            return event(*args, **kwargs)
        except BuildError as error:
            raise PluginError(str(error)) from error

    return run


@stops_the_build
def on_config(config):
    render.clear_caches()  # keys are memoised within a build; `mkdocs serve` rebuilds in this process
    cache = render.default_cache_dir()
    _state.update(notebooks=notebooks.NotebookSite(), reference=reference_cache.Reference(), cache=cache,
                  pages=memo.Memo(cache / "pages"))
    _state["reference"].configure(config, cache)
    return config


@stops_the_build
def on_files(files, config):
    cache = _state["cache"]
    results = render.ensure_results(sorted(render.experiment_modules()), cache)
    rendered = render.render_figures(cache_dir=cache, results=results)
    _state.update(results=results, figures=rendered, used=set(), math={}, claims={})
    for name, figure in rendered.items():  # light, dark, and a phone layout's light and dark
        for variant, svg in figure.svg.items():
            suffix = "".join(f"-{part}" for part in reversed(variant.split("-")) if part != "light")
            files.append(File.generated(config, f"figures/{name}{suffix}.svg", content=svg))
    # the trained weights that the pages' in-browser explorers run
    exported = _state["pages"].get("explorers", memo.key(results.fingerprint(),
                                                         sources.source_hash("lensbook.site.explorers")),
                                   lambda: _explorer_files(results))
    for path, content in exported.items():
        files.append(File.generated(config, path, content=content))
    _state["notebooks"].add_scripts(files, config, cache, log)
    return files


def _explorer_files(results) -> dict[str, bytes]:
    from lensbook.site import explorers  # numpy and the results: only when the export must be redone

    return explorers.files(results)


@stops_the_build
def on_nav(nav, config, files):
    reference_cache.Reference.drop_nav_file(files)  # literate-nav has read it
    chapter = [(p.file.src_uri, p.file.content_string) for p in nav.pages]
    root = Path(config.config_file_path).parent
    bibliography = root / "bibliography.json"
    _state["numbering"] = apparatus.number(chapter)
    _state["bibliography"] = citations.load(bibliography) if bibliography.exists() else {}
    cff = root / "CITATION.cff"
    if cff.exists():
        _state["results"]["chapter"] = citations.chapter_citation(cff)
    # what every page's rendering depends on besides its own text
    _state["page_key"] = memo.key(
        _state["results"].fingerprint(), repr(sorted((n, f.key) for n, f in _state["figures"].items())),
        repr(sorted(_state["numbering"].items.items())), repr(sorted(_state["numbering"].equations.items())),
        memo.file_bytes(bibliography), memo.file_bytes(root / "CITATION.cff"),
        memo.file_bytes(Path(config.config_file_path)), config.site_url or "",
        sources.source_hash("lensbook.site.pages", "lensbook.site.notebooks"),
        f"jinja2={sources.version('jinja2')} latex2mathml={sources.version('latex2mathml')}")
    context = notebooks.Context(_state["results"], _state["figures"], _state["numbering"], _state["bibliography"])
    _state["notebooks"].add_downloads(nav, files, config, context, _state["reference"],
                                      memo=(_state["pages"], _state["page_key"]))
    return nav


@stops_the_build
def on_env(env, config, files):
    """Compiled theme templates kept between builds (Jinja checks each template's source
    before using its cached code): a warm build or a live reload compiles none."""
    import jinja2

    env.bytecode_cache = jinja2.FileSystemBytecodeCache(str(_cache_folder(_state["cache"] / "templates")))
    return env


def _cache_folder(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


@stops_the_build
def on_page_markdown(markdown, page, config, files):
    if _state["notebooks"].page_markdown(page, config):
        return markdown  # a notebook page: rendered by mkdocs-jupyter, put in place by on_page_content
    markdown = _state["reference"].page_markdown(markdown, page)
    src_uri = page.file.src_uri

    def render_page():
        claims: list = []
        out, math, used = pages.process(markdown, src_uri, _state["results"], _state["figures"],
                                        _state["numbering"], _state["bibliography"], claims)
        return out, math, used, len(claims)

    if src_uri.startswith(f"{reference.FOLDER}/"):
        # API reference pages: no templates to render, and their Markdown changes between a build
        # that renders the reference and one that takes it from the reference's own cache
        markdown, math, used, claims = render_page()
    else:
        markdown, math, used, claims = _state["pages"].get(f"page-{src_uri}",
                                                           memo.key(_state["page_key"], src_uri, markdown),
                                                           render_page)
    _state["claims"][src_uri] = claims
    _state["math"][src_uri] = math
    _state["used"].update(used)
    return markdown


@stops_the_build
def on_page_content(html, page, config, files):
    html = _state["notebooks"].page_content(html, page)
    html = _state["reference"].page_content(html, page)
    html = pages.first_abbreviations(html)
    html = pages.mark_external(html, config.site_url)
    return pages.restore_math(html, _state["math"].pop(page.file.src_uri, []))


@stops_the_build
def on_post_page(output, page, config):
    return _state["reference"].post_page(output, page)


@stops_the_build
def on_post_build(config):
    _state["reference"].save()
    hosting.patch_bundle(Path(config.site_dir), config.site_url)  # instant navigation, previews at any address
    counts = {page: n for page, n in _state.get("claims", {}).items() if n}
    if counts:
        log.info(f"lensbook: {sum(counts.values())} claims checked: "
                 + ", ".join(f"{page} {n}" for page, n in counts.items()))
    rendered = [name.removeprefix("page-") for name in _state["pages"].misses if name.startswith("page-")]
    shown = ", ".join(rendered[:8]) + (f" and {len(rendered) - 8} more" if len(rendered) > 8 else "")
    log.info(f"lensbook: pages rendered: {shown or 'none (all cached)'}")
    _state["pages"].hits.clear()
    _state["pages"].misses.clear()
    for name in sorted(set(_state.get("figures", {})) - _state.get("used", set())):
        log.warning(f"lensbook: figure {name!r} is registered but no page shows it")
