"""A page's Markdown as Jupyter reads it: no site-only syntax, ``$`` math, absolute links.

Jupyter's Markdown has no admonitions, content tabs, attribute lists,
abbreviations or front matter; :func:`for_jupyter` takes them out before the
page is rewritten, and :class:`NotebookRenderer` is how the rewrite shows
equations, references, citations and figures in a notebook.
"""

from __future__ import annotations

import base64
import re
from typing import TYPE_CHECKING

from . import pages, rewrite
from .notebook_links import LINK, relative_or

if TYPE_CHECKING:
    from .notebooks import Context

ADMONITION = re.compile(r'^(?P<indent>[ \t]*)(?:!!!|\?\?\?\+?)[ \t]+(?P<kind>[\w-]+)'
                        r'(?:[ \t]+"(?P<title>.*)")?[ \t]*$')  # a title may hold quotes, as Python-Markdown allows
TAB = re.compile(r'^(?P<indent>[ \t]*)===\+?[ \t]+"(?P<title>[^"]*)"[ \t]*$')
AUTOREF = re.compile(r"\[(?P<text>[^\]\n]+)\]\[(?P<id>[A-Za-z_][\w.]*)?\]")
ATTR_LIST = re.compile(r"[ \t]*\{(?::[^}\n]*|[ \t]+[^{}\n]*?[ \t]+|#[\w-]+|\.[\w-]+)\}")
ABBREVIATION = re.compile(r"^\*\[[^\]\n]+\]:.*\n?", re.M)
COMMENT = re.compile(r"<!--.*?-->\n?", re.S)
FRONT_MATTER = re.compile(r"\A---[ \t]*\n.*?^(?:---|\.\.\.)[ \t]*\n", re.S | re.M)


def for_jupyter(markdown: str) -> str:
    """``markdown`` without what only the site reads: front matter (search boost and the like),
    abbreviation definitions and comments (outside code), admonitions and tabs (flattened)."""
    markdown = FRONT_MATTER.sub("", markdown)
    return "".join(chunk if is_code else COMMENT.sub("", ABBREVIATION.sub("", chunk))
                   for is_code, chunk in pages.split_code(flatten_blocks(markdown)))


def flatten_blocks(markdown: str) -> str:
    """Admonitions and content tabs as plain Markdown: a bold title, then the body dedented.

    Jupyter has neither; indented bodies would otherwise read as code.
    """
    lines = markdown.splitlines(keepends=True)
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        match = ADMONITION.match(line) or TAB.match(line)
        if not match:
            out.append(line)
            i += 1
            continue
        indent = match["indent"]
        body_indent = indent + "    "
        body: list[str] = []
        i += 1
        while i < len(lines) and (not lines[i].strip() or lines[i].startswith(body_indent)):
            body.append(lines[i][len(body_indent):] if lines[i].strip() else "\n")
            i += 1
        title = match["title"]
        if "kind" in match.re.groupindex and title is None:
            title = match["kind"].replace("-", " ").capitalize()
        if title:
            out.append(f"{indent}**{title}**\n\n")
        inner = flatten_blocks("".join(body))
        out.extend(indent + part if part.strip() else part for part in inner.splitlines(keepends=True))
        if out and not out[-1].endswith("\n"):
            out[-1] += "\n"
    return "".join(out)


class NotebookRenderer(rewrite.Renderer):
    """The notebook download: Jupyter's Markdown (``$`` math, ``\\tag``), absolute links, no attribute lists."""

    def __init__(self, context: Context) -> None:
        self.context = context
        self.attachments: dict[str, dict[str, str]] = {}  # file name -> MIME bundle (embedded figures)

    def equation(self, latex, item):
        body = latex.strip("\n")
        if item is not None:
            body += f"\n\\tag{{{item.number}}}"
        return f"$$\n{body}\n$$"

    def inline_math(self, latex):
        return f"${latex}$"

    def reference(self, item):
        return f"[{item.name}]({self.context.url(item.page + '#' + item.label)})"

    def citation(self, keys):
        bibliography = self.context.bibliography
        links = [f"[{bibliography[k].short}](https://doi.org/{bibliography[k].doi})" if k in bibliography
                 else f"@{k}" for k in keys]
        return "(" + "; ".join(links) + ")"

    def figure(self, name, alt, caption, item, spec):
        if item is not None:
            caption = f"**Figure {item.number}.** {caption}"
        spec = (self.context.figures or {}).get(name)
        svg = getattr(spec, "svg", None)
        if self.context.embed and svg:
            self.attachments[f"{name}.svg"] = {"image/svg+xml": base64.b64encode(svg["light"]).decode()}
            target = f"attachment:{name}.svg"
        else:
            target = self.context.url(f"figures/{name}.svg")
        return f"![{alt}]({target})\n\n{caption}".rstrip() + "\n"

    def text(self, part):
        context = self.context

        def autoref(match: re.Match) -> str:
            identifier = match["id"] or match["text"].strip("`")
            url = context.reference(identifier)
            return f"[{match['text']}]({url})" if url else match["text"]

        part = AUTOREF.sub(autoref, part)
        part = LINK.sub(lambda m: m["open"] + relative_or(m["target"], context.url) + m["close"], part)
        return re.sub(r"(\{\{.*?\}\})|" + ATTR_LIST.pattern, lambda m: m.group(1) or "", part)

    def references(self, keys):
        bibliography = self.context.bibliography
        refs = sorted((bibliography[k] for k in keys), key=lambda r: (r.authors[0][0], r.year, r.key))
        return "\n## References\n\n" + "\n".join(
            f"- {ref.full.removesuffix(f' doi:{ref.doi}')} [doi:{ref.doi}](https://doi.org/{ref.doi})"
            for ref in refs) + "\n"
