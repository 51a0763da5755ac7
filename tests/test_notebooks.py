"""Notebooks: every page as a notebook that runs top to bottom, and the executed notebook page.

Each page's notebook, as the build wrote it, is checked for structure (valid
nbformat, one code cell per python block in page order, no template syntax);
Sybil already runs every page's code in-process, so only one page's notebook
runs again in a fresh Jupyter kernel (nbclient), as a smoke test of that path.
The notebook page (docs/interactive.py) is executed by the build itself.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlparse

import nbclient
import nbformat
import pytest

from lensbook.site import apparatus, includes, notebook_scripts, notebooks, pages
from lensbook.site.notebook_setup import SETUP_ID

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PAGES = sorted(DOCS.rglob("*.md"))
SCRIPTS = sorted(p for p in DOCS.rglob("*.py") if notebook_scripts.is_script(p.read_text(encoding="utf-8")))
PYTHON_FENCE = re.compile(r"^[ \t]*```python[ \t]*$", re.M)


def rel(path: Path) -> str:
    return str(path.relative_to(DOCS))


#: The page whose notebook a kernel runs, as a smoke test of the kernel path (Sybil runs
#: every page's code in-process; running all of it a second time in a kernel buys little).
SMOKE_PAGE = "rnn.md"


@pytest.mark.parametrize("path", PAGES, ids=rel)
def test_page_notebook_has_one_cell_per_block_and_no_template_syntax(path, built_site):
    """Each downloaded notebook, as built: valid nbformat, one code cell per python block, in order."""
    site, _ = built_site
    text = includes.resolve_includes(path.read_text(encoding="utf-8"), ROOT)  # include blocks: listings
    served = site / "notebooks" / Path(rel(path)).with_suffix(".ipynb")
    node = nbformat.reads(served.read_text(encoding="utf-8"), as_version=4)
    nbformat.validate(node)
    assert node.cells[0].get("id") == SETUP_ID, "the set-up cell comes first"
    code = [c.source for c in node.cells[1:] if c.cell_type == "code"]
    blocks = [pages.split_code(m)[0][1] for m in re.findall(r"^[ \t]*```python[ \t]*\n.*?^[ \t]*```[ \t]*$",
                                                                         text, re.S | re.M)]
    assert len(code) == len(PYTHON_FENCE.findall(text)) == len(blocks), "one code cell per python block"
    for cell, block in zip(code, blocks):
        first = next(line.strip() for line in block.splitlines()[1:] if line.strip())
        assert cell.lstrip().startswith(first), f"cells follow the page's blocks in order: {first!r}"
    prose = "\n".join(text for c in node.cells if c.cell_type == "markdown"
                      for is_code, text in pages.split_code(c.source) if not is_code)
    assert not re.search(r"\{\{|\{%|%\}", prose), "no template syntax or claim left"


def test_local_notebooks_embed_their_figures_and_say_how_to_install(built_site):
    """A local build's notebooks point nowhere on this machine: figures are cell attachments,
    and the set-up cell says how to install from a clone."""
    site, _ = built_site
    for path in PAGES:
        text = (site / "notebooks" / Path(rel(path)).with_suffix(".ipynb")).read_text(encoding="utf-8")
        node = nbformat.reads(text, as_version=4)
        assert "pip install -e /path/to/the/clone" in node.cells[0].source
        images = [m for c in node.cells if c.cell_type == "markdown" for m in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", c.source)]
        assert all(i.startswith("attachment:") for i in images), f"{path.name}: {images}"
        attached = {n for c in node.cells for n in c.get("attachments", {})}
        assert {i.removeprefix("attachment:") for i in images} <= attached
        assert not re.search(r"!\[[^\]]*\]\(https?://(127\.0\.0\.1|localhost)", text)
        assert not text.lstrip().startswith("---") and "boost:" not in text, "no front matter"


def isolated_environment(folder: Path) -> Path:
    """A virtual environment that sees the project's environment (torch, ipykernel) but installs into
    its own folder: ``--system-site-packages`` sees the base interpreter's packages, and a ``.pth``
    file adds the project's (a venv made from a venv does not see its parent's). No pip of its own:
    the project's pip runs in it. Returns its python."""
    import sysconfig
    import venv

    venv.EnvBuilder(system_site_packages=True, with_pip=False, symlinks=True).create(folder)
    python = folder / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    Path(purelib, "_project_environment.pth").write_text(
        f"import site; site.addsitedir({sysconfig.get_paths()['purelib']!r})\n", encoding="utf-8")
    return python


@pytest.mark.slow
def test_a_downloaded_notebook_runs_outside_the_clone(built_site, tmp_path, monkeypatch):
    """One page's notebook, as a reader gets it: copied to a folder outside the clone and run in a
    fresh virtual environment, whose set-up cell installs the package from the clone's path
    (LENSBOOK_SOURCE), offline; then every cell runs with the installed copy, not the clone."""
    site, _ = built_site
    reader = tmp_path / "reader"
    reader.mkdir()
    notebook = reader / Path(SMOKE_PAGE).with_suffix(".ipynb").name
    notebook.write_bytes((site / "notebooks" / Path(SMOKE_PAGE).with_suffix(".ipynb")).read_bytes())
    python = isolated_environment(tmp_path / "env")
    kernels = tmp_path / "env" / "share" / "jupyter" / "kernels" / "reader"
    kernels.mkdir(parents=True)
    (kernels / "kernel.json").write_text(json.dumps({
        "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "reader", "language": "python"}), encoding="utf-8")
    node = nbformat.reads(notebook.read_text(encoding="utf-8"), as_version=4)
    node.cells.append(nbformat.v4.new_code_cell("import lensbook; print('FROM', lensbook.__file__)"))
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "env" / "share" / "jupyter"))  # where its kernel is found
    env.update(OMP_NUM_THREADS="1", LENSBOOK_SOURCE=str(ROOT),
               PIP_NO_INDEX="1", PIP_NO_BUILD_ISOLATION="0",  # offline: the project's setuptools builds it
               PIP_IGNORE_INSTALLED="1", PIP_DISABLE_PIP_VERSION_CHECK="1")  # never touch the project's copy
    client = nbclient.NotebookClient(node, timeout=600, kernel_name="reader",
                                     resources={"metadata": {"path": str(reader)}})
    try:
        client.execute(env=env)  # raises CellExecutionError on any error
    finally:
        for leftover in (ROOT / "build", ROOT / "src" / "lensbook.egg-info"):  # the in-tree build's
            shutil.rmtree(leftover, ignore_errors=True)
    code = [c for c in node.cells if c.cell_type == "code"]
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]
    assert all(c.execution_count for c in code)
    where = "".join(o.get("text", "") for o in code[-1].outputs)
    assert str(tmp_path / "env") in where, f"lensbook was not imported from the installed copy: {where}"
    setup = "".join(o.get("text", "") for o in code[0].outputs)
    assert "lensbook 0" in setup and str(tmp_path / "env") in setup


# --- the conversion itself (no kernel) ----------------------------------------------------

def test_cells_follow_the_page_in_order():
    page = ("# Title\n\nSome prose with \\( x^2 \\) and a [link over\ntwo lines](other.md#part).\n\n"
            "```python\nx = 1\n\nprint(x)\n#> 1\n```\n\n```text\nnot code\n```\n\n"
            "More prose.{ .lead }\n\n```python\ny = 2\n```\n")
    nb = notebooks.from_markdown(page, "page.md", notebooks.Context(url=lambda t: f"https://site/{t}"))
    kinds = [c["cell_type"] for c in nb["cells"]]
    assert kinds == ["markdown", "code", "markdown", "code"]
    first, code, middle, last = (c["source"] for c in nb["cells"])
    assert "$x^2$" in first and "[link over\ntwo lines](https://site/other.md#part)" in first
    assert code == "x = 1\n\nprint(x)\n#> 1"  # exactly the block, blank lines and output comments kept
    assert "```text\nnot code\n```" in middle and "More prose." in middle and "{ .lead }" not in middle
    assert last == "y = 2"


def test_admonitions_and_tabs_become_plain_markdown():
    page = ('!!! warning "The manuscript\'s "5", measured"\n    The manuscript says 5.\n\n'
            '=== "Tab one"\n\n    ```python\n    z = 3\n    ```\n\n'
            "??? question\n    Why?\n")
    nb = notebooks.from_markdown(page, "page.md")
    sources = [c["source"] for c in nb["cells"]]
    assert sources[0].startswith("**The manuscript's \"5\", measured**\n\nThe manuscript says 5.")
    assert "**Tab one**" in sources[0]
    assert sources[1] == "z = 3"  # a block inside a tab is still a code cell, dedented
    assert sources[2].startswith("**Question**\n\nWhy?")


def test_measured_values_figures_and_numbers_are_filled_in():
    class Figure:
        svg = None

    page = ("# P\n\nThe peak scores {{ scan.peak | fmt('g') }}, see [](#fig-scan).\n\n![](figures/scan.svg)\n"
            "alt: Bars of six scores; the peak is {{ scan.peak | fmt('g') }}.\n"
            "caption: A filter slid along a sequence ([more](other.md)).\n")
    context = notebooks.Context(results={"scan": {"peak": 6.0}}, figures={"scan": Figure()},
                                numbering=apparatus.number([("p.md", page)]),
                                url=lambda target: f"https://site/{target}")
    text = notebooks.from_markdown(page, "p.md", context)["cells"][0]["source"]
    assert "The peak scores 6, see [Figure 4.1](https://site/p.md#fig-scan)." in text
    assert "![Bars of six scores; the peak is 6.](https://site/figures/scan.svg)" in text
    assert "**Figure 4.1.** A filter slid along a sequence ([more](https://site/other.md))." in text


def test_without_results_placeholders_stay_as_written():
    nb = notebooks.from_markdown("Value {{ scan.peak }}. {% claim scan.peak > 1 %}\n", "p.md")
    assert nb["cells"][0]["source"] == "Value {{ scan.peak }}."


def test_cell_ids_come_from_content():
    page = "# P\n\n```python\nx = 1\n```\n\n```python\nx = 1\n```\n"
    ids = [c["id"] for c in notebooks.from_markdown(page, "p.md")["cells"]]
    assert ids == [c["id"] for c in notebooks.from_markdown(page, "p.md")["cells"]]
    assert len(set(ids)) == 3


# --- the executed notebook page -------------------------------------------------------------

def test_there_is_a_notebook_page():
    assert [p.name for p in SCRIPTS] == ["interactive.py"]


def test_script_cache_key_follows_the_lensbook_code_it_imports():
    source = "# %%\nimport torch\nfrom lensbook import dna, metrics\nfrom lensbook.train import train\n"
    assert notebook_scripts.lensbook_imports(source) == {"lensbook", "lensbook.dna", "lensbook.metrics",
                                                  "lensbook.train", "lensbook.train.train"}
    assert notebook_scripts.cache_key(source) != notebook_scripts.cache_key(source + "x = 1\n")


def test_failing_cell_stops_with_the_script_name(tmp_path):
    script = tmp_path / "broken.py"
    script.write_text("# %%\nx = 1\n\n# %%\nraise RuntimeError('boom')\n", encoding="utf-8")
    with pytest.raises(notebooks.NotebookError, match=r"(?s)broken\.py: a cell failed.*RuntimeError: boom"):
        notebook_scripts.execute(script, tmp_path / "cache", timeout=120)


def test_downloads_are_served_and_linked_from_their_page(built_site):
    site, _ = built_site
    for page in PAGES + SCRIPTS:
        name = page.relative_to(DOCS).with_suffix("")
        served = site / "notebooks" / f"{name}.ipynb"
        assert served.exists(), served
        nbformat.validate(nbformat.reads(served.read_text(encoding="utf-8"), as_version=4))
        html_page = site / (name.parent if name.name == "index" else name) / "index.html"
        href = re.search(r'<a href="([^"]+)" download[^>]*lb-notebook-download', html_page.read_text(encoding="utf-8"))
        assert href, f"{html_page}: no download button"
        target = urljoin(f"http://x/{html_page.parent.relative_to(site).as_posix()}/", href.group(1))
        assert urlparse(target).path.strip("/") == f"notebooks/{name}.ipynb"


def test_the_downloaded_notebook_page_ran_without_errors(built_site):
    site, _ = built_site
    for script in SCRIPTS:
        notebook = nbformat.reads((site / "notebooks" / f"{script.stem}.ipynb").read_text(encoding="utf-8"),
                                  as_version=4)
        assert notebook.cells[0].get("id") == SETUP_ID  # the set-up cell, for the reader to run
        code = [c for c in notebook.cells[1:] if c.cell_type == "code"]
        assert code and all(c.execution_count for c in code), "every cell executed"
        assert not [o for c in code for o in c.outputs if o.output_type == "error"]
        assert any("image/png" in o.get("data", {}) for c in code for o in c.outputs), "its plots are there"


def test_notebook_page_is_light_and_loads_nothing_from_elsewhere(built_site):
    site, _ = built_site
    page = (site / "interactive" / "index.html").read_text(encoding="utf-8")
    assert "jp-Notebook" in page and "jp-RenderedImage" in page, "the rendered notebook, with outputs"
    assert "--jp-" not in page and "mathjax" not in page.lower() and "mermaid" not in page.lower()
    assert 'alt="No description' not in page, "plots carry a description"
    weight = page_weight(site, site / "interactive" / "index.html")
    assert weight <= 1_000_000, f"the notebook page weighs {weight} bytes on a first visit"
    transfer = page_weight(site, site / "interactive" / "index.html", compressed=True)
    # 265 KB when this was set; the site-wide tables.css and the explorers' lazy start added 0.8 KB
    assert transfer <= 270 * 1024, f"the notebook page transfers {transfer} bytes (gzip) on a first visit"


class _Resources(HTMLParser):
    """What a page asks the browser to load: scripts, stylesheets, images, frames."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script" and a.get("src"):
            self.urls.append(a["src"])
        elif tag == "link" and a.get("href") and set((a.get("rel") or "").split()) & {
                "stylesheet", "preload", "modulepreload", "icon", "manifest"}:
            self.urls.append(a["href"])
        elif tag in ("img", "iframe", "source", "audio", "video", "embed") and a.get("src"):
            self.urls.append(a["src"])


def resources(html_text: str) -> list[str]:
    parser = _Resources()
    parser.feed(html_text)
    return parser.urls


def page_weight(site: Path, page: Path, compressed: bool = False) -> int:
    """Bytes a first visit loads: the page, its scripts, stylesheets and images, and what
    Material's search fetches on load (its worker and the index); uncompressed, or with
    ``compressed`` each file gzipped (level 6) as a static host sends it."""
    files = [page, site / "search" / "search_index.json", *(site / "assets" / "javascripts" / "workers").glob("search*.js")]
    for url in resources(page.read_text(encoding="utf-8")):
        if url.startswith("data:"):
            continue
        target = (page.parent / urlparse(url).path).resolve()
        if target.is_file():
            files.append(target)
    if compressed:
        return sum(len(gzip.compress(f.read_bytes(), compresslevel=6)) for f in files)
    return sum(f.stat().st_size for f in files)


def test_no_page_loads_anything_from_another_host(built_site):
    site, _ = built_site
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        outside = [u for u in resources(text) if urlparse(u).scheme in ("http", "https") or u.startswith("//")]
        assert not outside, f"{page.relative_to(site)} loads {outside}"
        assert not re.search(r"import\s*\(?\s*[\"']https?://", text), f"{page.relative_to(site)}: a script imports from the web"
    for css in site.rglob("*.css"):
        assert not re.search(r"(@import|url\()\s*[\"']?(https?:)?//", css.read_text(encoding="utf-8")), css
