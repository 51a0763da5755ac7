"""MkDocs hook: registry -> built site. Thin on purpose; the work is in ``lensbook.site``."""

from __future__ import annotations

import logging
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

from lensbook.experiments import registry as experiments
from lensbook.site import apparatus, citations, explorers, notebooks, pages, reference, render

log = logging.getLogger("mkdocs.lensbook")
_state: dict = {}


def on_config(config):
    _state.update(notebooks=notebooks.NotebookSite(), reference=reference.Reference())
    _state["reference"].configure(config, render.default_cache_dir())
    return config


def on_files(files, config):
    cache = render.default_cache_dir()
    try:
        results = render.run_experiments(sorted(experiments.load_all()), cache)
        rendered = render.render_figures(cache_dir=cache, results=results)
    except render.FigureError as error:
        raise PluginError(str(error)) from error
    _state.update(results={k: v[0] for k, v in results.items()}, figures=rendered, used=set(), math={}, claims={})
    for name, figure in rendered.items():
        files.append(File.generated(config, f"figures/{name}.svg", content=figure.svg["light"]))
        files.append(File.generated(config, f"figures/{name}-dark.svg", content=figure.svg["dark"]))
    try:  # the trained weights that the pages' in-browser explorers run
        for path, content in explorers.files(_state["results"]).items():
            files.append(File.generated(config, path, content=content))
    except ValueError as error:
        raise PluginError(str(error)) from error
    try:
        _state["notebooks"].add_scripts(files, config, cache, log)
    except notebooks.NotebookError as error:
        raise PluginError(str(error)) from error
    _state["reference"].add_pages(files, config)
    return files


def on_nav(nav, config, files):
    chapter = [(p.file.src_uri, p.file.content_string) for p in nav.pages]
    bibliography = Path(config.config_file_path).parent / "bibliography.json"
    try:
        _state["numbering"] = apparatus.number(chapter)
        _state["bibliography"] = citations.load(bibliography) if bibliography.exists() else {}
        cff = Path(config.config_file_path).parent / "CITATION.cff"
        if cff.exists():
            _state["results"]["chapter"] = citations.chapter_citation(cff)
    except ValueError as error:
        raise PluginError(str(error)) from error
    context = notebooks.Context(_state["results"], _state["figures"], _state["numbering"], _state["bibliography"])
    try:
        _state["notebooks"].add_downloads(nav, files, config, context, _state["reference"])
    except notebooks.NotebookError as error:
        raise PluginError(str(error)) from error
    return nav


def on_page_markdown(markdown, page, config, files):
    if _state["notebooks"].page_markdown(page, config):
        return markdown  # a notebook page: rendered by mkdocs-jupyter, put in place by on_page_content
    markdown = _state["reference"].page_markdown(markdown, page)
    claims: list = []
    try:
        markdown, math, used = pages.process(markdown, page.file.src_uri, _state["results"], _state["figures"],
                                             _state["numbering"], _state["bibliography"], claims)
    except pages.PageError as error:
        raise PluginError(str(error)) from error
    _state["claims"][page.file.src_uri] = len(claims)
    _state["math"][page.file.src_uri] = math
    _state["used"].update(used)
    return markdown


def on_page_content(html, page, config, files):
    html = _state["notebooks"].page_content(html, page)
    html = _state["reference"].page_content(html, page)
    html = pages.first_abbreviations(html)
    return pages.restore_math(html, _state["math"].pop(page.file.src_uri, []))


def on_post_page(output, page, config):
    return _state["reference"].post_page(output, page)


def on_post_build(config):
    _state["reference"].save()
    counts = {page: n for page, n in _state.get("claims", {}).items() if n}
    if counts:
        log.info(f"lensbook: {sum(counts.values())} claims checked: "
                 + ", ".join(f"{page} {n}" for page, n in counts.items()))
    for name in sorted(set(_state.get("figures", {})) - _state.get("used", set())):
        log.warning(f"lensbook: figure {name!r} is registered but no page shows it")
