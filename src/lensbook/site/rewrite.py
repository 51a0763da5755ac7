"""One rewrite of a page's Markdown, with a renderer for each output (the site page, the notebook).

What a page writes, outside fenced code and inline code:

* prose is a template over the results (``lensbook.site.prose``):
  ``{{ expr | fmt(".3f") }}`` placeholders, ``{% claim EXPR %}`` checks;
* a figure is the line ``![](figures/NAME.svg)``, then (no blank line)
  ``alt:`` and ``caption:`` lines, each running on over the following lines
  until the next key or a blank line::

      ![](figures/gata-scan.svg)
      alt: A filter's score along a sequence; it peaks at {{ gata_scan.peak | fmt(".1f") }}.
      caption: One convolution filter slid along a sequence ...

* ``$$`` … ``$$`` display equations, ``\\( … \\)`` inline math;
* ``Table: caption {#tbl-label}`` above a table;
* ``[](#fig-x)`` cross-references and ``[@key]`` citations.

``rewrite`` finds these once; a ``Renderer`` says how each looks in one
output. The site page (``pages.PageRenderer``) and the notebook download
(``notebooks.NotebookRenderer``) are the two renderers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from . import apparatus, citations, prose
from .errors import BuildError

FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})")
INLINE_CODE = prose.INLINE_CODE
INLINE_MATH = re.compile(r"\\\((.+?)\\\)", re.S)
#: A figure line and the ``alt:``/``caption:`` lines under it.
FIGURE_BLOCK = re.compile(r"^!\[\]\(figures/(?P<name>[^)\s]+)\.svg\)[ \t]*\n?"
                          r"(?P<body>(?:[ \t]*(?:alt|caption):.*\n?(?:[ \t]*(?!alt:|caption:)\S.*\n?)*)*)", re.M)
FIELD = re.compile(r"^[ \t]*(alt|caption):[ \t]*", re.M)


class PageError(BuildError, ValueError):
    """A page refers to something the build does not know, holds bad LaTeX, or a false claim."""


@dataclass
class Context:
    """What the build knows that a page needs; every part optional (tests pass little)."""

    results: dict[str, Any] | None = None  # experiment name -> result; None: templates left as written
    figures: dict[str, Any] | None = None  # name -> the rendered figure (its .svg sizes the image box)
    numbering: apparatus.Numbering | None = None
    bibliography: dict[str, citations.Reference] | None = None
    claims: list[prose.Claim] = field(default_factory=list)  # filled with the claims checked


class Renderer:
    """How one output shows what ``rewrite`` finds; the defaults leave Markdown as it is."""

    page: str = ""

    def equation(self, latex: str, item: apparatus.Item | None) -> str:
        return f"$$\n{latex}\n$$"

    def table_caption(self, text: str, item: apparatus.Item) -> str:
        return f"**Table {item.number}.** {text}"

    def inline_math(self, latex: str) -> str:
        return f"\\({latex}\\)"

    def reference(self, item: apparatus.Item) -> str:
        return item.name

    def citation(self, keys: list[str]) -> str:
        return "[" + "; ".join(f"@{k}" for k in keys) + "]"

    def figure(self, name: str, alt: str, caption: str, item: apparatus.Item | None, spec: Any) -> str:
        return f"![{alt}](figures/{name}.svg)\n\n{caption}\n"

    def text(self, part: str) -> str:
        """Output-specific rewriting of plain prose (links, say); what is already rendered is hidden."""
        return part

    def references(self, keys: list[str]) -> str:
        return ""


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


def outside_inline_code(text: str, function) -> str:
    """Apply ``function`` to ``text`` outside inline code spans."""
    parts, last = [], 0
    for match in INLINE_CODE.finditer(text):
        parts.append(function(text[last:match.start()]))
        parts.append(match.group(0))
        last = match.end()
    parts.append(function(text[last:]))
    return "".join(parts)


def figure_fields(body: str, name: str, page: str) -> dict[str, str]:
    """``{"alt": ..., "caption": ...}`` from the lines under a figure line (each field one line of text)."""
    out: dict[str, str] = {}
    starts = list(FIELD.finditer(body))
    for i, match in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(body)
        key = match.group(1)
        if key in out:
            raise PageError(f"{page}: figure {name!r} has two {key}: lines")
        out[key] = " ".join(line.strip() for line in body[match.end():end].splitlines() if line.strip())
    return out


def render_templates(markdown: str, page: str, context: Context) -> str:
    """The page with its prose rendered as templates (claims checked and removed); code untouched."""
    out, line = [], 1
    for is_code, chunk in split_code(markdown):
        if is_code:
            out.append(chunk)
        else:
            try:
                out.append(prose.render(chunk, page, context.results, line, context.claims))
            except prose.ProseError as error:
                raise PageError(str(error)) from error
        line += chunk.count("\n")
    return "".join(out)


def rewrite(markdown: str, page: str, renderer: Renderer, context: Context) -> str:
    """Rewrite one page for one output: templates, figures, equations, tables, math, references, citations."""
    renderer.page = page
    numbering, bibliography = context.numbering, context.bibliography
    equations = iter(numbering.equations.get(page, []) if numbering else [])
    cited: list[str] = []
    stash: list[str] = []

    def keep(value: str) -> str:
        stash.append(value)
        return f"\x00{len(stash) - 1}\x00"

    def item(label: str) -> apparatus.Item | None:
        if numbering is None:
            return None
        if label not in numbering.items:
            raise PageError(f"{page}: reference to unknown label {label!r}")
        return numbering.items[label]

    def cite(match: re.Match) -> str:
        keys = [k.strip().lstrip("@") for k in match.group(1).split(";")]
        if bibliography is not None:
            unknown = [k for k in keys if k not in bibliography]
            if unknown:
                raise PageError(f"{page}: unknown citation key {unknown[0]!r}; known: {sorted(bibliography)}")
        cited.extend(k for k in keys if k not in cited)
        return renderer.citation(keys)

    def inline(part: str) -> str:
        part = INLINE_MATH.sub(lambda m: keep(renderer.inline_math(m.group(1).strip())), part)
        if numbering is not None:
            part = apparatus.REFERENCE.sub(lambda m: keep(renderer.reference(item(m.group(1)))), part)
        part = citations.CITE.sub(lambda m: keep(cite(m)), part)
        return renderer.text(part)

    def figure(match: re.Match) -> str:
        name = match["name"]
        figures = context.figures
        if figures is not None and name not in figures:
            raise PageError(f"{page}: unknown figure {name!r}; known: {sorted(figures)}")
        spec = None if figures is None else figures[name]
        fields = figure_fields(match["body"], name, page)
        missing = [key for key in ("alt", "caption") if not fields.get(key)]
        if missing:
            raise PageError(f"{page}: figure {name!r} needs {' and '.join(f'an {k}:' if k == 'alt' else f'a {k}:' for k in missing)} "
                            "line under its figure line (what it shows and its key number)")
        alt = fields["alt"].replace("[", "(").replace("]", ")").replace("\n", " ")
        caption = outside_inline_code(fields["caption"], inline)
        number = item(f"fig-{name}") if numbering is not None else None
        return keep(renderer.figure(name, alt, caption, number, spec)) + "\n"

    def equation(match: re.Match) -> str:
        label = next(equations, None) if numbering is not None else None
        return keep(renderer.equation(match.group(1), item(label) if label else None))

    def table(match: re.Match) -> str:
        return keep(renderer.table_caption(match.group(1), item(match.group(2))))

    def section(text: str) -> str:
        text = FIGURE_BLOCK.sub(figure, text)
        text = apparatus.EQUATION.sub(equation, text)
        if numbering is not None:
            text = apparatus.TABLE_CAPTION.sub(table, text)
        return outside_inline_code(text, inline)

    markdown = render_templates(markdown, page, context)
    out = "".join(chunk if is_code else section(chunk) for is_code, chunk in split_code(markdown))
    if cited and bibliography is not None:
        out += renderer.references(cited)
    while "\x00" in out:
        out = re.sub(r"\x00(\d+)\x00", lambda m: stash[int(m.group(1))], out)
    return out
