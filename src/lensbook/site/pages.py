"""What the build does to a page's Markdown before MkDocs renders it.

Outside fenced code blocks and inline code:

* ``$$ ... $$`` on lines of their own is a display equation and ``\\( ... \\)``
  an inline one; both become MathML at build time (``latex2mathml``), so no
  math script runs in the reader's browser.
* ``{{ experiment.field }}`` (optionally ``{{ experiment.field:.3f }}``) is
  replaced by that field of the experiment's result: prose quotes the same
  object the figures draw.
* A line ``![](figures/NAME.svg)`` becomes the figure: a light and a dark SVG
  (Material shows the one for the reader's palette), its alt text and caption.

Anything unknown (figure, experiment, field, malformed LaTeX) raises
``PageError`` naming the page and the culprit, which stops the build.
"""

from __future__ import annotations

import html
import re
from typing import Any

from latex2mathml.converter import convert

from . import apparatus, citations

FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})")
INLINE_CODE = re.compile(r"(`+)(.+?)\1", re.S)
DISPLAY_MATH = apparatus.EQUATION
INLINE_MATH = re.compile(r"\\\((.+?)\\\)", re.S)
PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_]\w*)\.([A-Za-z_][\w.]*)\s*(?::\s*([^}]*?))?\s*\}\}")
FIGURE = apparatus.FIGURE_LINE
TOKEN = "LBMATH{}Z"


class Markdown(str):
    """A placeholder value that is Markdown (a table, a code block): inserted as it is, not escaped."""


class PageError(ValueError):
    """A page refers to something the build does not know, or holds bad LaTeX."""


def split_code(markdown: str) -> list[tuple[bool, str]]:
    """Split Markdown into ``(is_code, text)`` chunks at fenced code blocks."""
    chunks: list[tuple[bool, str]] = []
    buffer: list[str] = []
    fence: str | None = None
    for line in markdown.splitlines(keepends=True):
        match = FENCE.match(line)
        if fence is None and match:
            chunks.append((False, "".join(buffer)))
            buffer, fence = [line], match.group(2)
        elif fence is not None and match and match.group(2)[0] == fence[0] \
                and len(match.group(2)) >= len(fence) and line.strip() == match.group(2):
            buffer.append(line)
            chunks.append((True, "".join(buffer)))
            buffer, fence = [], None
        else:
            buffer.append(line)
    chunks.append((fence is not None, "".join(buffer)))
    return [c for c in chunks if c[1]]


def _outside_inline_code(text: str, function) -> str:
    parts, last = [], 0
    for match in INLINE_CODE.finditer(text):
        parts.append(function(text[last:match.start()]))
        parts.append(match.group(0))
        last = match.end()
    parts.append(function(text[last:]))
    return "".join(parts)


def to_mathml(latex: str, display: bool, page: str) -> str:
    """Convert LaTeX to MathML, or raise ``PageError`` naming the page."""
    try:
        return convert(latex.strip(), display="block" if display else "inline")
    except Exception as error:  # latex2mathml raises several kinds
        raise PageError(f"{page}: cannot convert LaTeX {latex.strip()!r}: {error}") from error


def lookup(results: dict[str, Any], name: str, field: str, spec: str | None, page: str) -> tuple[Any, str]:
    """The value of ``results[name].field`` for a placeholder, and its formatted text."""
    if name not in results:
        raise PageError(f"{page}: placeholder {{{{ {name}.{field} }}}} names an unknown "
                        f"experiment; known: {sorted(results)}")
    value = results[name]
    for part in field.split("."):
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif hasattr(value, part):
            value = getattr(value, part)
        else:
            raise PageError(f"{page}: placeholder {{{{ {name}.{field} }}}}: "
                            f"the result has no field {part!r}")
    try:
        return value, format(value, spec or "")
    except (TypeError, ValueError) as error:
        raise PageError(f"{page}: placeholder {{{{ {name}.{field}:{spec} }}}}: {error}") from error


SVG_SIZE = re.compile(rb'<svg[^>]*?\swidth="([\d.]+)pt"\s+height="([\d.]+)pt"')


def svg_size(svg: bytes) -> tuple[int, int] | None:
    """A matplotlib SVG's size in CSS pixels (its ``width``/``height`` are in points), or None."""
    match = SVG_SIZE.search(svg[:2000])
    return None if match is None else (round(float(match.group(1)) * 4 / 3), round(float(match.group(2)) * 4 / 3))


def figure_html(name: str, alt: str, caption: str, number: str = "", size: tuple[int, int] | None = None) -> str:
    """The Markdown (with ``md_in_html``) that shows one figure in both palettes.

    Images load lazily, so the palette not shown is never fetched and figures
    far down the page wait until the reader gets near them; ``size`` (pixels)
    reserves their box, so nothing shifts when they arrive.
    """
    alt_text = alt.replace("[", "(").replace("]", ")").replace("\n", " ")
    if number:
        caption = f"**Figure {number}.** {caption}"
    attrs = "{ loading=lazy" + (f" width={size[0]} height={size[1]}" if size else "") + " }"
    return (
        f'<figure class="lb-figure" id="fig-{name}" markdown="block">\n'
        f"![{alt_text}](figures/{name}.svg#only-light){attrs}\n"
        f"![{alt_text}](figures/{name}-dark.svg#only-dark){attrs}\n"
        f'<figcaption markdown="span">{caption}</figcaption>\n'
        f"</figure>\n"
    )


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


def process(markdown: str, page: str, results: dict[str, Any], figures: dict[str, Any],
            numbering: apparatus.Numbering | None = None,
            bibliography: dict[str, citations.Reference] | None = None) -> tuple[str, list[str], list[str]]:
    """Rewrite one page's Markdown.

    Parameters
    ----------
    markdown : str
        The page source.
    page : str
        Its path, for error messages.
    results : dict
        Experiment name -> result object.
    figures : dict
        Figure name -> object with ``alt`` and ``caption`` attributes.
    numbering : apparatus.Numbering, optional
        The chapter's numbers; with it, figures, tables and equations are
        numbered and ``[](#label)`` references resolved.
    bibliography : dict, optional
        Citation key -> reference; with it, ``[@key]`` citations are rendered
        and the page's reference list appended.

    Returns
    -------
    markdown : str
        The rewritten page, with math replaced by tokens.
    math : list of str
        The MathML for each token, in order (see ``restore_math``).
    used : list of str
        The figure names the page shows.
    """
    math: list[str] = []
    used: list[str] = []
    equations = iter(numbering.equations.get(page, []) if numbering else [])

    def stash(mathml: str) -> str:
        math.append(mathml)
        return TOKEN.format(len(math) - 1)

    def item(label: str) -> apparatus.Item:
        if numbering is None or label not in numbering.items:
            raise PageError(f"{page}: reference to unknown label {label!r}")
        return numbering.items[label]

    def equation(match: re.Match) -> str:
        token = stash(to_mathml(match.group(1), True, page))
        if numbering is None:
            return f'\n<div class="lb-equation">{token}</div>\n'
        eq = item(next(equations))
        return (f'\n<div class="lb-equation" id="{eq.label}">{token}'
                f'<span class="lb-eqno">({eq.number})</span></div>\n')

    def table(match: re.Match) -> str:
        tbl = item(match.group(2))
        return f"**Table {tbl.number}.** {match.group(1)}\n{{: #{tbl.label} .lb-table-caption }}"

    def value(match: re.Match) -> str:
        raw, text = lookup(results, *match.groups(), page)
        return text if isinstance(raw, Markdown) else html.escape(text, quote=False)

    def prose(text: str) -> str:
        text = DISPLAY_MATH.sub(equation, text)
        text = apparatus.TABLE_CAPTION.sub(table, text)

        def inline(part: str) -> str:
            part = INLINE_MATH.sub(lambda m: stash(to_mathml(m.group(1), False, page)), part)
            part = PLACEHOLDER.sub(value, part)
            if numbering is not None:
                part = apparatus.REFERENCE.sub(lambda m: apparatus.link(item(m.group(1)), page), part)
            if bibliography is not None:
                try:
                    part = citations.render_citations(part, bibliography, page)
                except ValueError as error:
                    raise PageError(str(error)) from error
            return part

        text = _outside_inline_code(text, inline)

        def show(match: re.Match) -> str:
            name = match.group(1)
            if name not in figures:
                raise PageError(f"{page}: unknown figure {name!r}; known: {sorted(figures)}")
            used.append(name)
            number = item(f"fig-{name}").number if numbering is not None else ""
            svg = getattr(figures[name], "svg", None)
            size = svg_size(svg["light"]) if svg else None
            return figure_html(name, figures[name].alt, figures[name].caption, number, size)

        return FIGURE.sub(show, text)

    chunks = split_code(markdown)
    out = "".join(chunk if is_code else prose(chunk) for is_code, chunk in chunks)
    if bibliography is not None:
        keys = citations.cited_keys("".join(c for is_code, c in chunks if not is_code))
        out += citations.reference_list(keys, bibliography)
    return out, math, used


def restore_math(html_text: str, math: list[str]) -> str:
    """Put the MathML back where ``process`` left its tokens."""
    for i, mathml in enumerate(math):
        html_text = html_text.replace(TOKEN.format(i), mathml)
    return html_text
