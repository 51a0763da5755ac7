"""The API reference: every public function and class, from the package itself, strict about links."""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

import pytest

from lensbook.site import reference, reference_cache
from lensbook.site.build import build_site

ROOT = Path(__file__).resolve().parents[1]
MODULES = reference.public_modules()


def public_objects(module_name: str) -> list[str]:
    """The functions and classes a module defines (not those it imports) whose names do not
    start with an underscore (or that its ``__all__`` lists)."""
    module = importlib.import_module(module_name)
    names = getattr(module, "__all__", [n for n in vars(module) if not n.startswith("_")])
    return sorted(n for n in names
                  if (inspect.isfunction(obj := getattr(module, n)) or inspect.isclass(obj))
                  and getattr(obj, "__module__", None) == module_name)


def test_modules_are_found_on_disk_without_the_build_machinery():
    assert {"lensbook", "lensbook.dna", "lensbook.train", "lensbook.metrics"} <= set(MODULES)
    assert not [m for m in MODULES if m.startswith("lensbook.site") or "._" in m]
    assert MODULES == sorted(MODULES)
    assert reference.page_of("lensbook.experiments.cnn") == "lensbook.experiments.cnn"  # a page per module
    assert reference.page_uri("lensbook.experiments") == "reference/experiments.md"
    assert reference.page_uri("lensbook.figures.index") == "reference/figures-index.md"  # not figures/index.md
    pages = {reference.page_of(m) for m in MODULES}
    assert len({reference.page_uri(p) for p in pages}) == len(pages), "one page each"


def test_every_folder_of_modules_is_a_package():
    """A folder without ``__init__.py`` is invisible to pkgutil and mkdocstrings: its modules would go undocumented."""
    src = ROOT / "src" / "lensbook"
    folders = [p for p in src.rglob("*") if p.is_dir() and any(p.glob("*.py")) and "__pycache__" not in p.parts]
    missing = [str(p.relative_to(ROOT)) for p in folders if not (p / "__init__.py").exists()]
    assert not missing, f"add an __init__.py (with a one-line docstring) to: {missing}"


@pytest.mark.parametrize("module", MODULES)
def test_every_public_object_is_in_the_reference(built_site, module):
    site, _ = built_site
    html = (site / reference.page_uri(reference.page_of(module)).removesuffix(".md") / "index.html"
            ).read_text(encoding="utf-8")
    assert f'id="{module}"' in html, "the module's own entry"
    missing = [name for name in public_objects(module) if f'id="{module}.{name}"' not in html]
    assert not missing, f"{module}: not in the reference: {missing}"


def test_reference_index_links_every_module(built_site):
    site, _ = built_site
    html = (site / "reference" / "index.html").read_text(encoding="utf-8")
    for module in MODULES:
        page = reference.page_uri(reference.page_of(module)).removeprefix("reference/").removesuffix(".md")
        assert f'href="{page}/#{module}"' in html, module


@pytest.mark.build
def test_a_broken_reference_fails_the_build(tmp_path):
    """The site's own configuration (plugins, extensions, theme) on a page with a link to nothing."""
    import yaml
    from mkdocs.utils.yaml import yaml_load

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text(
        "# Broken\n\nSee [one_hot][lensbook.dna.one_hot] and [nothing][lensbook.dna.no_such_function].\n\n"
        "::: lensbook.dna\n", encoding="utf-8")
    with open(ROOT / "mkdocs.yml", encoding="utf-8") as f:
        config = yaml_load(f)
    config.update(docs_dir=str(docs), site_dir=str(tmp_path / "site"), nav=["index.md"], extra_css=[])
    config.pop("hooks")  # no figures or experiments: only the reference machinery is under test
    config["theme"]["custom_dir"] = str(ROOT / "overrides")
    # not the generated reference either: one page, with one good and one broken link
    config["plugins"] = [p for p in config["plugins"] if not (p == "literate-nav" or "gen-files" in p)]
    for plugin in config["plugins"]:
        if isinstance(plugin, dict) and "mkdocstrings" in plugin:
            plugin["mkdocstrings"]["handlers"]["python"]["paths"] = [str(ROOT / "src")]
    path = tmp_path / "mkdocs.yml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    build = build_site(tmp_path / "site", config=path, check=False)
    log = build.log
    assert build.returncode != 0, log
    assert "Could not find cross-reference target 'lensbook.dna.no_such_function'" in log
    assert "'lensbook.dna.one_hot'" not in log  # the good one resolved


def test_unresolved_annotations_lose_only_their_tooltip():
    """``<span title="int">int</span>`` (a type outside lensbook) keeps its text, not a tooltip that repeats it."""
    from types import SimpleNamespace

    ref = reference_cache.Reference()
    ref.pages, ref.uris = {"lensbook.models": ["lensbook.models"]}, {"reference/models.md"}  # any reference page
    html = '<code><span title="int">int</span> | <span title="torch.Tensor">Tensor</span></code><abbr title="x">y</abbr>'
    page = SimpleNamespace(file=SimpleNamespace(src_uri="reference/models.md"))
    assert ref.post_page(html, page) == '<code><span>int</span> | <span>Tensor</span></code><abbr title="x">y</abbr>'
    other = SimpleNamespace(file=SimpleNamespace(src_uri="cnn.md"))
    assert ref.post_page(html, other) == html


def test_the_navigation_file_lists_every_page_under_its_full_name():
    """``SUMMARY.md`` for mkdocs-literate-nav: the overview, top-level modules, then a section per subpackage."""
    pages = reference.pages_of(MODULES)
    lines = reference.literate_nav(pages).splitlines()
    assert lines[0] == "* [Overview](index.md)"
    assert lines[1] == "* [lensbook](lensbook.md)"
    assert "* [lensbook.dna](dna.md)" in lines
    section = lines.index("* lensbook.models")
    assert lines[section + 1] == "    * [lensbook.models](models.md)"  # the subpackage's own page first
    assert "    * [lensbook.models.cnn](models-cnn.md)" in lines
    linked = [line.split("](")[1].rstrip(")") for line in lines if "](" in line]
    assert sorted(linked) == sorted(["index.md"] + [reference.page_uri(p).removeprefix("reference/") for p in pages])


def test_write_pages_writes_the_index_every_page_and_the_navigation(tmp_path):
    def open_file(path, mode):
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        return open(tmp_path / path, mode, encoding="utf-8")

    written = reference.write_pages(open_file)
    assert reference.NAV_FILE in written and "reference/index.md" in written
    assert (tmp_path / "reference/dna.md").read_text(encoding="utf-8").startswith("::: lensbook.dna\n")
    assert "[`lensbook.models.cnn`][lensbook.models.cnn]" in (tmp_path / "reference/models.md").read_text()
    assert len(written) == len(reference.pages_of(MODULES)) + 2


def test_the_navigation_file_is_no_page_of_the_site():
    from types import SimpleNamespace

    class Files(list):
        def get_file_from_path(self, path):
            return next((f for f in self if f.src_uri == path), None)

    summary, page = SimpleNamespace(src_uri=reference.NAV_FILE), SimpleNamespace(src_uri="reference/dna.md")
    files = Files([summary, page])
    reference_cache.Reference.drop_nav_file(files)
    assert files == [page]


def test_the_wrapped_register_anchor_has_the_signature_it_wraps():
    """The reference cache records anchors by wrapping mkdocs-autorefs' ``register_anchor``: an
    autorefs release that changes its parameters must fail here, not silently lose anchors."""
    from mkdocs_autorefs import AutorefsPlugin

    parameters = list(inspect.signature(AutorefsPlugin.register_anchor).parameters.values())
    assert [(p.name, p.kind) for p in parameters] == [
        ("self", inspect.Parameter.POSITIONAL_OR_KEYWORD), ("page", inspect.Parameter.POSITIONAL_OR_KEYWORD),
        ("identifier", inspect.Parameter.POSITIONAL_OR_KEYWORD), ("anchor", inspect.Parameter.POSITIONAL_OR_KEYWORD),
        ("title", inspect.Parameter.KEYWORD_ONLY), ("primary", inspect.Parameter.KEYWORD_ONLY)]


def test_reference_navigation_titles_and_urls(built_site):
    """The API reference section of the built navigation: every module under its full name, at its URL."""
    import re

    site, _ = built_site
    html = (site / "reference" / "dna" / "index.html").read_text(encoding="utf-8")
    links = dict(re.findall(r'<a href="\.\./([^"]*)" class="md-nav__link">\s*<span class="md-ellipsis">\s*'
                            r'([^<\s]+)\s*</span>', html))
    pages = {module: reference.page_uri(reference.page_of(module)).removeprefix("reference/").removesuffix(".md")
             for module in MODULES}
    for module, page in pages.items():   # every module has its page, titled with its full name
        assert module in (site / "reference" / page / "index.html").read_text(encoding="utf-8"), module
    # the navigation is pruned (theme feature navigation.prune): a page lists the reference's top
    # level and its own branch; every module it lists links to that module's page
    listed = {title: url for url, title in links.items() if title in pages}
    assert len(listed) >= 5
    for module, url in listed.items():
        assert url == f"{pages[module]}/", module
    assert not (site / "reference" / "SUMMARY").exists()


def test_the_gen_files_script_writes_only_when_gen_files_runs_it(tmp_path, monkeypatch):
    import runpy

    import lensbook.site.reference_pages  # noqa: F401  (imported: writes nothing)

    written = []
    monkeypatch.setattr(reference, "write_pages", lambda: written.append(True))
    runpy.run_path(str(ROOT / "src/lensbook/site/reference_pages.py"))  # as mkdocs-gen-files runs it
    assert written == [True]
    assert not (ROOT / "docs" / "reference").exists()
