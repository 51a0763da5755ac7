"""The notebook page's HTML: mkdocs-jupyter's output, edited by lensbook.site.notebook_html.

A small notebook is rendered by the installed (pinned) mkdocs-jupyter, as the
build renders docs/interactive.py. Each edit has a test of what it does, and
a test that it stops with a clear error when mkdocs-jupyter's HTML is not
shaped as it expects: a new release that changes its HTML fails here, loudly,
instead of shipping a heavier page, a CDN address or code without highlighting.
"""

from __future__ import annotations

import base64
import importlib.metadata
import re
import tomllib
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from mkdocs.structure.toc import get_toc

from lensbook.site import notebook_html, notebook_scripts, notebooks
from lensbook.site.notebook_format import NotebookError, notebook

ROOT = Path(__file__).resolve().parents[1]
PNG = base64.b64encode(bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108020000009077"
    "53de0000000c4944415408d763f8cfc0000003010100c9fe92ef0000000049454e44ae426082")).decode()
MARKDOWN = "# Title & more\n\nSome prose, $x^2$.\n\n## Part `one`\n\n### Deep\n\n#### Deeper\n"


def image(alt: str | None) -> dict:
    metadata = {"image/png": {"alt": alt}} if alt else {}
    return {"output_type": "display_data", "data": {"image/png": PNG, "text/plain": "<Figure>"}, "metadata": metadata}


def code(source: str, *outputs: dict) -> dict:
    return {"cell_type": "code", "execution_count": 1, "metadata": {}, "outputs": list(outputs), "source": source}


NOTEBOOK = notebook([
    {"cell_type": "markdown", "metadata": {}, "source": MARKDOWN},
    code("x = 1\nprint(x)", {"output_type": "stream", "name": "stdout", "text": "1\n"}),
    code("show(red)", image("A red square")),
    code("show(blue)", image(None)),
    {"cell_type": "markdown", "metadata": {}, "source": "## Part two\n\nMore prose."},
    code("y = 2"),
])
CODE_CELLS = 4


@pytest.fixture(scope="module")
def raw() -> str:
    return notebook_scripts.mkdocs_jupyter_html(NOTEBOOK)


@pytest.fixture(scope="module")
def edited(raw) -> tuple[BeautifulSoup, str, list[dict]]:
    content, toc = notebook_html.edit(raw, NOTEBOOK)
    return BeautifulSoup(content, "html.parser"), content, toc


def test_the_installed_mkdocs_jupyter_is_the_pinned_one():
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    pins = [r for r in extras["site"] if r.startswith("mkdocs-jupyter")]
    assert pins == [f"mkdocs-jupyter=={importlib.metadata.version('mkdocs-jupyter')}"]


def test_mkdocs_jupyter_renders_what_the_edits_expect(raw):
    """What each edit changes is in the pinned release's output (else an edit would test nothing)."""
    for part in ("<style", "--jp-", "MathJax", "mermaid", "<clipboard-copy", 'class="zeroclipboard-container"',
                 'class="clipboard-copy-txt"', 'class="highlight-ipynb hl-python"', 'class="anchor-link"',
                 'tabindex="0"'):
        assert part in raw, part
    assert raw.count(f'alt="{notebook_html.MISSING_ALT}"') == 2, "nbconvert's placeholder, even where the output has an alt"


def test_the_page_is_the_notebook_alone_without_stylesheets(raw, edited):
    soup, content, _ = edited
    assert content.startswith('<div class="jupyter-wrapper">') and content.endswith("</div>")
    assert len(raw) > 500_000 > 20_000 > len(content), "the inlined JupyterLab CSS is gone"
    assert not soup.find(["style", "script", "link"]) and "--jp-" not in content and "<!--" not in content


def test_no_mathjax_or_mermaid_is_fetched():
    address = "https://cdn.example.org/mathjax/latest.js"
    raw = notebook_scripts.mkdocs_jupyter_html(NOTEBOOK, custom_mathjax_url=address)  # mkdocs-jupyter's default is a CDN
    assert f'src="{address}"' in raw and "mermaid" in raw
    content, _ = notebook_html.edit(raw, NOTEBOOK)
    assert "cdn.example.org" not in content and "mathjax" not in content.lower() and "mermaid" not in content.lower()
    assert "$x^2$" in content, "math stays as written (the page has no math script)"


def test_code_cells_become_material_code_blocks(edited):
    soup, content, _ = edited
    blocks = soup.select("div.highlight")
    assert len(blocks) == CODE_CELLS and "highlight-ipynb" not in content
    sources = [c["source"] for c in NOTEBOOK["cells"] if c["cell_type"] == "code"]
    for block, source in zip(blocks, sources):
        assert block["class"] == ["language-python", "highlight"]
        pre = block.find("pre", recursive=False)
        lead, inner = pre.contents
        assert lead.name == "span" and not lead.contents and inner.name == "code"
        assert inner.get_text() == source + "\n" and inner.find("span", class_="n")  # Pygments' tokens kept


def test_copy_buttons_are_dropped(edited):
    soup, _, _ = edited
    assert not soup.find("clipboard-copy") and not soup.select(".zeroclipboard-container, .clipboard-copy-txt")


def test_heading_anchors_become_permalinks(edited):
    soup, content, _ = edited
    headings = soup.select("h1, h2, h3, h4")
    assert len(headings) == 5 and "anchor-link" not in content
    for heading in headings:
        link = heading.find("a", recursive=False)
        assert link.attrs == {"class": ["headerlink"], "title": "Permanent link", "href": f"#{heading['id']}"}


def test_no_cell_is_a_tab_stop(edited):
    assert not edited[0].find(attrs={"tabindex": True})


def test_plots_get_their_alt_text(edited):
    alts = [img["alt"] for img in edited[0].find_all("img")]
    assert alts == ["A red square", notebook_html.DEFAULT_ALT]


def test_outputs_and_prose_are_kept(edited):
    soup, _, _ = edited
    assert [p.get_text() for p in soup.select(".jp-RenderedText pre")] == ["1\n"]
    assert "Some prose" in soup.get_text() and "More prose." in soup.get_text()
    assert len(soup.select(".jp-Cell[id]")) == len(NOTEBOOK["cells"])


def test_the_toc_is_read_from_the_headings(edited):
    _, _, toc = edited
    assert str(get_toc(toc)) == ("Title &amp; more - #title-more\n"
                                 "    Part one - #part-one\n"
                                 "        Deep - #deep\n"
                                 "    Part two - #part-two\n")
    ids = {a.get("id") for a in edited[0].select("h1, h2, h3")}
    assert {t["id"] for t in toc} | {c["id"] for t in toc for c in t["children"]} <= ids


def test_toc_depth():
    soup = BeautifulSoup('<div class="jp-RenderedMarkdown"><h2 id="a">A</h2><h4 id="b">B</h4><h1 id="c">C</h1></div>',
                         "html.parser")
    assert notebook_html.table_of_contents(soup, 3) == [
        {"level": 2, "id": "a", "name": "A", "children": []}, {"level": 1, "id": "c", "name": "C", "children": []}]
    assert [t["id"] for t in notebook_html.table_of_contents(soup, 4)[0]["children"]] == ["b"]


WRAPPER = '<div class="jupyter-wrapper">'
CHANGES = {
    "no wrapper": (lambda h: h.replace(WRAPPER, '<div class="nb-wrapper">'), r'one top-level <div class="jupyter-wrapper">, found 0'),
    "a stylesheet link": (lambda h: '<link rel="stylesheet" href="https://cdn.example.org/lab.css">\n' + h,
                          r"'<link .*' stands around the notebook"),
    "CSS in the notebook": (lambda h: h.replace(WRAPPER, WRAPPER + "<style>.jp-Cell{}</style>"), r"holds a <style>"),
    "MathJax in the notebook": (lambda h: h.replace(WRAPPER, WRAPPER + '<script src="https://cdn.example.org/m.js"></script>'),
                                r"holds a <script>"),
    "highlight renamed": (lambda h: h.replace("highlight-ipynb", "highlight-nb"),
                          r'expected 4 <div class="highlight-ipynb"> \(highlighted code\), one per code cell; found 0'),
    "no language class": (lambda h: h.replace(" hl-python", ""), r"hl-LANG"),
    "copy buttons renamed": (lambda h: h.replace("zeroclipboard-container", "copy-container"),
                             r'expected 4 <div class="zeroclipboard-container"> \(copy buttons\).*found 0'),
    "copied text renamed": (lambda h: h.replace("clipboard-copy-txt", "copy-txt"), r'<div class="clipboard-copy-txt">'),
    "anchors renamed": (lambda h: h.replace('class="anchor-link"', 'class="anchor"'), r'<a class="anchor-link">'),
    "images moved": (lambda h: h.replace("jp-RenderedImage", "jp-Image"),
                     r"expected 2 images in .jp-RenderedImage, one per image output; found 0"),
    "an undescribed image": (lambda h: h.replace("<p>Some prose", f'<img alt="{notebook_html.MISSING_ALT}" src="a.png"><p>'),
                             r"an image without a description"),
}


@pytest.mark.parametrize("change", CHANGES, ids=list(CHANGES))
def test_a_change_in_mkdocs_jupyters_html_fails_loudly(raw, change):
    mutate, message = CHANGES[change]
    changed = mutate(raw)
    assert changed != raw
    with pytest.raises(notebook_html.NotebookHTMLError, match=message) as error:
        notebook_html.edit(changed, NOTEBOOK)
    assert isinstance(error.value, NotebookError), "the hook reports it as a build error"
    assert str(error.value).startswith("mkdocs-jupyter's notebook HTML is not as lensbook.site.notebook_html expects")


def test_render_caches_its_html_by_content(tmp_path, monkeypatch):
    first = notebook_scripts.render(NOTEBOOK, tmp_path)
    assert list((tmp_path / "notebooks" / "html").glob("*.json"))

    def no_conversion(*args, **kwargs):
        raise AssertionError("converted again")

    monkeypatch.setattr(notebook_scripts, "mkdocs_jupyter_html", no_conversion)
    assert notebook_scripts.render(NOTEBOOK, tmp_path) == first
    with pytest.raises(AssertionError, match="converted again"):
        notebook_scripts.render(notebook([{"cell_type": "markdown", "metadata": {}, "source": "# Other"}]), tmp_path)
    assert re.match(r'<div class="jupyter-wrapper">', first["content"]) and first["toc"][0]["id"] == "title-more"


def test_a_pages_markdown_is_read_in_one_place():
    class File:
        content_string = "# A page\n"

    assert notebooks.read_page(File()) == "# A page\n"
