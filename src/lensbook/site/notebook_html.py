"""mkdocs-jupyter's HTML for a notebook page, edited with an HTML parser to suit the site.

mkdocs-jupyter (pinned in ``pyproject.toml``) renders the notebook page. Its
template puts the notebook (``<div class="jupyter-wrapper">``) among about
600 KB of inlined JupyterLab CSS, a MathJax loader that points at a CDN, a
Mermaid loader and the script of its own copy buttons, and has no option to
leave any of them out. :func:`edit` keeps the notebook alone and then makes
one change per function, in this order:

* :func:`notebook_only`: the stylesheets and scripts around the notebook go;
* :func:`drop_copy_buttons`: Material's copy button serves instead;
* :func:`material_code_blocks`: code cells become Material code blocks (its
  highlighting, palettes and copy button), styled by ``assets/notebook.css``;
* :func:`permalinks`: heading anchors look like those of every other page;
* :func:`no_tab_stops`: not every cell a tab stop, noise for keyboard users;
* :func:`describe_images`: plots get their alt text from the notebook;
* :func:`table_of_contents`: the page's TOC, read from the same headings.

Each edit checks the HTML it relies on against the notebook itself (one code
block and one copy button per code cell, one image per image output, an id
and an anchor on each heading) and raises :class:`NotebookHTMLError` naming
what it did not find. A mkdocs-jupyter release that changes its HTML stops
the build, instead of shipping a page that is heavier, fetches from a CDN or
has lost its highlighting.
"""

from __future__ import annotations

import html

from bs4 import BeautifulSoup, Comment, NavigableString, Tag

from .notebook_format import NotebookError

WRAPPER = "jupyter-wrapper"
#: What may stand around the notebook in mkdocs-jupyter's output (all of it is dropped).
AROUND = ("style", "script")
#: What the notebook itself must not hold: it would restyle the page, run code or fetch something.
FORBIDDEN = ("script", "style", "link", "iframe", "object", "embed")
#: nbconvert's alt text for an image without one.
MISSING_ALT = "No description has been provided for this image"
DEFAULT_ALT = "A plot drawn by the code cell above"
IMAGE_TYPES = ("image/png", "image/jpeg")


class NotebookHTMLError(NotebookError):
    """mkdocs-jupyter's HTML is not what :mod:`lensbook.site.notebook_html` expects (a new release?)."""

    def __init__(self, what: str) -> None:
        super().__init__(f"mkdocs-jupyter's notebook HTML is not as lensbook.site.notebook_html expects: {what}. "
                         "If mkdocs-jupyter (pinned in pyproject.toml) was upgraded, update notebook_html to match.")


def edit(content: str, notebook: dict, toc_depth: int = 3) -> tuple[str, list[dict]]:
    """The page HTML and the TOC tokens of ``content``, mkdocs-jupyter's HTML for ``notebook``."""
    soup = BeautifulSoup(content, "html.parser")
    wrapper = notebook_only(soup)
    code_cells = sum(cell["cell_type"] == "code" for cell in notebook["cells"])
    drop_copy_buttons(wrapper, code_cells)
    material_code_blocks(wrapper, code_cells)
    permalinks(wrapper)
    no_tab_stops(wrapper)
    describe_images(wrapper, image_alts(notebook))
    return str(wrapper), table_of_contents(wrapper, toc_depth)


def _where(tag: Tag) -> str:
    """A tag and the notebook cell it is in, for an error message."""
    cell = tag.find_parent(lambda t: t.has_attr("id") and "jp-Cell" in t.get("class", []))
    classes = " ".join(tag.get("class", []))
    return f"<{tag.name}" + (f' class="{classes}"' if classes else "") + ">" + (f" in {cell['id']}" if cell else "")


def notebook_only(soup: BeautifulSoup) -> Tag:
    """The notebook (``div.jupyter-wrapper``), without the comments in it; what stands around
    it (stylesheets, the copy-button, MathJax and Mermaid scripts, comments) is dropped.

    Raises if there is not exactly one notebook, if anything but a ``<style>``, a
    ``<script>`` or a comment stands around it, or if it holds a script, a stylesheet
    or a frame (an output that needs one would not work, or would fetch from elsewhere).
    """
    wrappers = soup.find_all("div", class_=WRAPPER)
    if len(wrappers) != 1 or wrappers[0].parent is not soup:
        raise NotebookHTMLError(f'expected one top-level <div class="{WRAPPER}">, found {len(wrappers)}')
    wrapper = wrappers[0]
    for node in soup.contents:
        if node is wrapper or isinstance(node, Comment) or (isinstance(node, NavigableString) and not node.strip()):
            continue
        if not isinstance(node, Tag) or node.name not in AROUND:
            raise NotebookHTMLError(f"{str(node)[:80]!r} stands around the notebook; only <style>, <script> "
                                    "and comments were expected there")
    forbidden = wrapper.find(FORBIDDEN)
    if forbidden:
        raise NotebookHTMLError(f"the notebook holds a <{forbidden.name}> ({_where(forbidden)}); "
                                "a cell output that needs a script or a stylesheet cannot be shown on the site")
    for comment in wrapper.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()
    return wrapper.extract()


def _expect(found: list, expected: int, what: str) -> None:
    if len(found) != expected:
        raise NotebookHTMLError(f"expected {expected} {what}, one per code cell; found {len(found)}")


def drop_copy_buttons(wrapper: Tag, code_cells: int) -> None:
    """mkdocs-jupyter's copy buttons (``div.zeroclipboard-container``) and the hidden text they
    copy (``div.clipboard-copy-txt``) go: one of each per code cell, no ``<clipboard-copy>`` left."""
    buttons = wrapper.select("div.zeroclipboard-container")
    texts = wrapper.select("div.clipboard-copy-txt")
    _expect(buttons, code_cells, '<div class="zeroclipboard-container"> (copy buttons)')
    _expect(texts, code_cells, '<div class="clipboard-copy-txt"> (copied text)')
    for tag in buttons + texts:
        tag.decompose()
    stray = wrapper.find("clipboard-copy")
    if stray:
        raise NotebookHTMLError(f"a <clipboard-copy> outside its container ({_where(stray)})")


def material_code_blocks(wrapper: Tag, code_cells: int) -> None:
    """``div.highlight-ipynb.hl-LANG > pre`` becomes ``div.language-LANG.highlight > pre > code``,
    Material's code block: the leading empty ``<span>`` (Pygments') stays, the rest goes into ``<code>``."""
    blocks = wrapper.select("div.highlight-ipynb")
    _expect(blocks, code_cells, '<div class="highlight-ipynb"> (highlighted code)')
    for block in blocks:
        language = next((c.removeprefix("hl-") for c in block.get("class", []) if c.startswith("hl-")), None)
        pre = block.find("pre", recursive=False)
        if language is None or pre is None or len(block.find_all(True, recursive=False)) != 1:
            raise NotebookHTMLError(f'a highlighted block is not <div class="highlight-ipynb hl-LANG"><pre> '
                                    f"({_where(block)})")
        first = pre.contents[0] if pre.contents else None
        lead = first if isinstance(first, Tag) and first.name == "span" and not first.contents else None
        code = Tag(name="code")
        for child in [c for c in pre.contents if c is not lead]:
            code.append(child.extract())
        pre.append(code)
        block["class"] = [f"language-{language}", "highlight"]


def _headings(wrapper: Tag, depth: int = 6) -> list[Tag]:
    """The headings of the Markdown cells, down to ``<h{depth}>``, in page order."""
    return wrapper.select(", ".join(f".jp-RenderedMarkdown h{n}" for n in range(1, depth + 1)))


def permalinks(wrapper: Tag) -> None:
    """Each Markdown heading's anchor (``a.anchor-link``) becomes Material's ``a.headerlink``.

    Raises if a heading has no id or not exactly one anchor link to it.
    """
    for heading in _headings(wrapper):
        links = heading.find_all("a", class_="anchor-link", recursive=False)
        if not heading.get("id") or len(links) != 1 or links[0].get("href") != f"#{heading['id']}":
            raise NotebookHTMLError(f'a heading without an id and its <a class="anchor-link"> '
                                    f"({heading.get_text()[:60]!r})")
        rest = {k: v for k, v in links[0].attrs.items() if k not in ("class", "title")}
        links[0].attrs = {"class": ["headerlink"], "title": "Permanent link", **rest}


def no_tab_stops(wrapper: Tag) -> None:
    """No ``tabindex="0"``: nbconvert makes every cell's input and output a tab stop."""
    for tag in wrapper.select('[tabindex="0"]'):
        del tag["tabindex"]


def image_alts(notebook: dict) -> list[str | None]:
    """The alt text of each image output in order (``display(fig, metadata={"image/png": {"alt": ...}})``)."""
    alts: list[str | None] = []
    for cell in notebook["cells"]:
        for output in cell.get("outputs", []):
            for mime in IMAGE_TYPES:
                if mime in output.get("data", {}):
                    alts.append(output.get("metadata", {}).get(mime, {}).get("alt"))
    return alts


def describe_images(wrapper: Tag, alts: list[str | None]) -> None:
    """Each image output (``.jp-RenderedImage img``) whose alt is nbconvert's placeholder gets its
    alt text from ``alts`` (one per image output, in order; ``None``: a generic description).

    Raises if the images do not match the image outputs one to one, or if an image
    elsewhere (in a Markdown cell) has no description.
    """
    images = wrapper.select(".jp-RenderedImage img")
    if len(images) != len(alts):
        raise NotebookHTMLError(f"expected {len(alts)} images in .jp-RenderedImage, one per image output; "
                                f"found {len(images)}")
    for image, alt in zip(images, alts):
        if image.get("alt") in (None, MISSING_ALT):
            image["alt"] = alt or DEFAULT_ALT
    undescribed = wrapper.find("img", alt=MISSING_ALT)
    if undescribed:
        raise NotebookHTMLError(f"an image without a description ({_where(undescribed)})")


def table_of_contents(wrapper: Tag, depth: int = 3) -> list[dict]:
    """The TOC tokens (as Python-Markdown's ``toc`` makes them, for ``mkdocs.structure.toc.get_toc``)
    of the Markdown headings down to ``<h{depth}>``: each links to its heading's id."""
    tokens: list[dict] = []
    open_: list[dict] = []  # the token of each level above the next heading
    for heading in _headings(wrapper, depth):
        text = "".join(node.get_text() for node in heading.children
                       if not (isinstance(node, Tag) and "headerlink" in node.get("class", [])))
        name = html.escape(" ".join(text.split()), quote=False)
        token = {"level": int(heading.name[1]), "id": heading["id"], "name": name, "children": []}
        while open_ and open_[-1]["level"] >= token["level"]:
            open_.pop()
        (open_[-1]["children"] if open_ else tokens).append(token)
        open_.append(token)
    return tokens
