"""The site page's renderer of the shared Markdown rewrite (``lensbook.site.rewrite``).

* Equations become MathML at build time (``latex2mathml``), so no math
  script runs in the reader's browser; the MathML waits as tokens until the
  page's HTML exists (``restore_math``).
* A figure becomes a light and a dark SVG (Material shows the one for the
  reader's palette), its alt text and its numbered caption.
* Cross-references become links with Material's hover preview, citations
  author-year links, and the page ends with its reference list.

Anything unknown (figure, result, label, citation, malformed LaTeX) and any
false claim raises ``PageError`` naming the page and the culprit, which
stops the build.
"""

from __future__ import annotations

import re
from typing import Any

from latex2mathml.converter import convert

from . import apparatus, citations, prose, rewrite

FENCE = rewrite.FENCE
INLINE_CODE = rewrite.INLINE_CODE
DISPLAY_MATH = apparatus.EQUATION
INLINE_MATH = rewrite.INLINE_MATH
FIGURE = apparatus.FIGURE_LINE
TOKEN = "LBMATH{}Z"
Markdown = prose.Markdown
PageError = rewrite.PageError
split_code = rewrite.split_code


def to_mathml(latex: str, display: bool, page: str) -> str:
    """Convert LaTeX to MathML, or raise ``PageError`` naming the page."""
    try:
        return convert(latex.strip(), display="block" if display else "inline")
    except Exception as error:  # latex2mathml raises several kinds
        raise PageError(f"{page}: cannot convert LaTeX {latex.strip()!r}: {error}") from error


SVG_SIZE = re.compile(rb'<svg[^>]*?\swidth="([\d.]+)pt"\s+height="([\d.]+)pt"')


def svg_size(svg: bytes) -> tuple[int, int] | None:
    """A matplotlib SVG's size in CSS pixels (its ``width``/``height`` are in points), or None."""
    match = SVG_SIZE.search(svg[:2000])
    return None if match is None else (round(float(match.group(1)) * 4 / 3), round(float(match.group(2)) * 4 / 3))


#: The screens that get a figure's narrow (phone) variant, where it has one: Material's phone layout.
NARROW_MEDIA = "(max-width: 44.9375em)"


def site_root(page: str) -> str:
    """The relative URL from page ``page`` (its source path, ``cnn.md``) to the site root, with
    directory URLs: ``cnn.md`` is served as ``cnn/``, so ``../``; ``index.md`` is the root itself.

    >>> site_root("index.md"), site_root("cnn.md"), site_root("part/index.md"), site_root("part/x.md")
    ('', '../', '../', '../../')
    """
    parts = page.removesuffix(".md").split("/")
    depth = len(parts) - (1 if parts[-1] == "index" else 0)
    return "../" * depth


def figure_html(name: str, alt: str, caption: str, number: str = "", size: tuple[int, int] | None = None,
                narrow: tuple[int, int] | None = None, page: str = "index.md") -> str:
    """The Markdown (with ``md_in_html``) that shows one figure in both palettes.

    Each image is a link to its SVG, so a tap or a click opens the figure at full size. It is
    shown at its natural size (``size``, CSS pixels, which also reserves its box so nothing
    shifts when it arrives) or narrower, never stretched (``assets/lensbook.css``). Images load
    lazily, so the palette not shown is never fetched and figures far down the page wait until
    the reader gets near them.

    A figure with a phone layout (``narrow``, its size; registered with ``narrow=True``, see
    ``lensbook.figures.registry``) is a ``<picture>``: phones (``NARROW_MEDIA``) get
    ``NAME-narrow.svg``, other screens and the full-size link the wide drawing. ``page`` (its
    source path) makes those URLs relative to the page, as MkDocs does for Markdown images.
    """
    alt_text = alt.replace("[", "(").replace("]", ")").replace("\n", " ")
    if number:
        caption = f"**Figure {number}.** {caption}"
    if narrow is None:
        attrs = "{ loading=lazy" + (f" width={size[0]} height={size[1]}" if size else "") + " }"
        images = "".join(
            f"[![{alt_text}](figures/{name}{suffix}.svg#only-{theme}){attrs}](figures/{name}{suffix}.svg)"
            f'{{ .lb-figure__open }}\n'
            for theme, suffix in (("light", ""), ("dark", "-dark")))
    else:
        root = site_root(page)
        quoted = alt_text.replace("&", "&amp;").replace('"', "&quot;")
        box = f' width="{size[0]}" height="{size[1]}"' if size else ""
        images = "".join(
            f'<a class="lb-figure__open" href="{root}figures/{name}{suffix}.svg">'
            f'<picture><source media="{NARROW_MEDIA}" srcset="{root}figures/{name}-narrow{suffix}.svg"'
            f' width="{narrow[0]}" height="{narrow[1]}">'
            f'<img src="{root}figures/{name}{suffix}.svg#only-{theme}" alt="{quoted}" loading="lazy"{box}>'
            f"</picture></a>\n"
            for theme, suffix in (("light", ""), ("dark", "-dark")))
    return (
        f'<figure class="lb-figure" id="fig-{name}" markdown="block">\n'
        f"{images}"
        f'<figcaption markdown="span">{caption}</figcaption>\n'
        f"</figure>\n"
    )


EXTERNAL_LINK = re.compile(r'<a\b(?P<attrs>[^>]*?)\shref="(?P<href>https?://[^"]+)"(?P<rest>[^>]*)>')


def mark_external(html_text: str, site_url: str | None = None) -> str:
    """Give every link that leaves the site the class ``lb-external`` (print shows its address).

    Links into the site itself (under ``site_url``) are cross-references, printed as their text.

    >>> mark_external('<a href="https://doi.org/1">x</a> <a class="c" href="https://s/cnn/">y</a>', "https://s/")
    '<a class="lb-external" href="https://doi.org/1">x</a> <a class="c" href="https://s/cnn/">y</a>'
    >>> mark_external('<a class="lb-cite" href="http://e/">z</a>')
    '<a class="lb-cite lb-external" href="http://e/">z</a>'
    """
    def mark(match: re.Match) -> str:
        if site_url and (match["href"] + "/").startswith(site_url.rstrip("/") + "/"):
            return match.group(0)
        tag = match.group(0)
        if re.search(r'\sclass="', tag):
            return re.sub(r'\sclass="([^"]*)"', lambda m: f' class="{m.group(1)} lb-external"', tag, count=1)
        return tag.replace("<a", '<a class="lb-external"', 1)

    return EXTERNAL_LINK.sub(mark, html_text)


ABBR = re.compile(r'<abbr title="([^"]*)">(.*?)</abbr>', re.S)


def first_abbreviations(html_text: str) -> str:
    """Keep the glossary's ``<abbr>`` on the first use of each term on a page only.

    The glossary is appended to every page, so every use of a key term would
    otherwise carry its own tooltip: a hundred per page, noise to read and work
    for the browser. The first use explains the term; the rest are plain text.

    >>> first_abbreviations('<abbr title="t">CNN</abbr> and <abbr title="t">CNN</abbr>')
    '<abbr title="t">CNN</abbr> and CNN'
    """
    seen: set[str] = set()

    def once(match: re.Match) -> str:
        if match.group(1) in seen:
            return match.group(2)
        seen.add(match.group(1))
        return match.group(0)

    return ABBR.sub(once, html_text)


class PageRenderer(rewrite.Renderer):
    """The site page: MathML (held back as tokens until the HTML exists), numbered items, links."""

    def __init__(self, bibliography: dict[str, citations.Reference] | None) -> None:
        self.math: list[str] = []
        self.used: list[str] = []
        self.bibliography = bibliography or {}

    def _stash(self, mathml: str) -> str:
        self.math.append(mathml)
        return TOKEN.format(len(self.math) - 1)

    def equation(self, latex, item):
        token = self._stash(to_mathml(latex, True, self.page))
        if item is None:
            return f'\n<div class="lb-equation">{token}</div>\n'
        return f'\n<div class="lb-equation" id="{item.label}">{token}<span class="lb-eqno">({item.number})</span></div>\n'

    def table_caption(self, text, item):
        return f"**Table {item.number}.** {text}\n{{: #{item.label} .lb-table-caption }}"

    def inline_math(self, latex):
        return self._stash(to_mathml(latex, False, self.page))

    def reference(self, item):
        return apparatus.link(item, self.page)

    def citation(self, keys):
        return citations.render_citations("[" + "; ".join(f"@{k}" for k in keys) + "]", self.bibliography, self.page)

    def figure(self, name, alt, caption, item, spec):
        self.used.append(name)
        svg = getattr(spec, "svg", None)
        size = svg_size(svg["light"]) if svg else None
        narrow = svg_size(svg["light-narrow"]) if svg and "light-narrow" in svg else None
        return figure_html(name, alt, caption, item.number if item else "", size, narrow, self.page)

    def references(self, keys):
        return citations.reference_list(keys, self.bibliography)


def process(markdown: str, page: str, results: dict[str, Any], figures: dict[str, Any],
            numbering: apparatus.Numbering | None = None,
            bibliography: dict[str, citations.Reference] | None = None,
            claims: list | None = None) -> tuple[str, list[str], list[str]]:
    """Rewrite one page's Markdown for the site (see ``lensbook.site.rewrite``).

    Parameters
    ----------
    markdown : str
        The page source.
    page : str
        Its path, for error messages.
    results : dict
        Experiment name -> result object: the namespace of the page's templates.
    figures : dict
        Figure name -> the rendered figure (its ``svg`` sizes the image box).
    numbering : apparatus.Numbering, optional
        The chapter's numbers; with it, figures, tables and equations are
        numbered and ``[](#label)`` references resolved.
    bibliography : dict, optional
        Citation key -> reference; with it, ``[@key]`` citations are rendered
        and the page's reference list appended.
    claims : list, optional
        Receives the page's claims, each checked.

    Returns
    -------
    markdown : str
        The rewritten page, with math replaced by tokens.
    math : list of str
        The MathML for each token, in order (see ``restore_math``).
    used : list of str
        The figure names the page shows.
    """
    renderer = PageRenderer(bibliography)
    context = rewrite.Context(results=results, figures=figures, numbering=numbering, bibliography=bibliography)
    out = rewrite.rewrite(markdown, page, renderer, context)
    if claims is not None:
        claims.extend(context.claims)
    return out, renderer.math, renderer.used


def restore_math(html_text: str, math: list[str]) -> str:
    """Put the MathML back where ``process`` left its tokens."""
    for i, mathml in enumerate(math):
        html_text = html_text.replace(TOKEN.format(i), mathml)
    return html_text
