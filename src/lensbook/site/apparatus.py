"""The book apparatus: chapter numbers for figures, tables and equations, and cross-references.

Numbers are computed once for the whole chapter, in reading order (the nav),
before any page is rendered, so every page agrees on them and inserting a
figure renumbers everything after it.

What a page writes (outside code):

* a figure: ``![](figures/NAME.svg)`` on its own line; its label is ``fig-NAME``;
* a display equation: ``$$`` … ``$$`` with an optional label on the closing
  line, ``$$ {#eq-conv}``; unlabelled equations are numbered too (their anchors, ``eqn-PAGE-N``, are
  not for referencing);
* a table caption: a line ``Table: caption text {#tbl-label}`` right above
  the table (a blank line between);
* a reference: ``[](#fig-gata-scan)``, ``[](#eq-conv)``, ``[](#tbl-label)``
  anywhere in prose; it becomes a link "Figure 4.1" to wherever the label is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .errors import SourceError

CHAPTER = 4
KINDS = {"fig": "Figure", "eq": "Equation", "tbl": "Table"}

FIGURE_LINE = re.compile(r"^!\[\]\(figures/([^)\s]+)\.svg\)[ \t]*$", re.M)
EQUATION = re.compile(r"^\$\$\s*\n(.+?)\n\s*\$\$[ \t]*(?:\{#(eq-[\w-]+)\})?[ \t]*$", re.S | re.M)
TABLE_CAPTION = re.compile(r"^Table:[ \t]+(.+?)[ \t]*\{#(tbl-[\w-]+)\}[ \t]*$", re.M)
REFERENCE = re.compile(r"\[\]\(#((?:fig|eq|tbl)-[\w-]+)\)")


@dataclass(frozen=True)
class Item:
    """One numbered thing: its label, kind, number ("4.3") and page."""

    label: str
    kind: str
    number: str
    page: str

    @property
    def name(self) -> str:
        """How prose names it: "Figure 4.3", "Table 4.1", "Equation (4.2)"."""
        return f"Equation ({self.number})" if self.kind == "eq" else f"{KINDS[self.kind]} {self.number}"


@dataclass
class Numbering:
    """All numbered items of the chapter, and the references each page makes."""

    items: dict[str, Item] = field(default_factory=dict)
    equations: dict[str, list[str]] = field(default_factory=dict)  # page -> equation numbers in order
    references: dict[str, list[str]] = field(default_factory=dict)  # page -> labels referenced

    def add(self, label: str, kind: str, page: str, count: dict[str, int]) -> Item:
        if label in self.items:
            other = self.items[label].page
            raise SourceError(f"{page}: label {label!r} is defined twice (also on {other})")
        count[kind] += 1
        item = Item(label, kind, f"{CHAPTER}.{count[kind]}", page)
        self.items[label] = item
        return item


def prose_of(markdown: str) -> str:
    """The Markdown outside fenced code blocks (code is never numbered)."""
    from .pages import split_code

    return "".join(text for is_code, text in split_code(markdown) if not is_code)


def number(pages: list[tuple[str, str]]) -> Numbering:
    """Number the figures, tables and equations of ``pages`` (``(src_uri, markdown)`` in reading order)."""
    numbering = Numbering()
    count = dict.fromkeys(KINDS, 0)
    for page, markdown in pages:
        prose = prose_of(markdown)
        found: list[tuple[int, str, str]] = []  # (offset, kind, label)
        for m in FIGURE_LINE.finditer(prose):
            found.append((m.start(), "fig", f"fig-{m.group(1)}"))
        for i, m in enumerate(EQUATION.finditer(prose)):
            found.append((m.start(), "eq", m.group(2) or f"eqn-{page.removesuffix('.md')}-{i + 1}"))
        for m in TABLE_CAPTION.finditer(prose):
            found.append((m.start(), "tbl", m.group(2)))
        numbering.equations[page] = []
        for _, kind, label in sorted(found):
            item = numbering.add(label, kind, page, count)
            if kind == "eq":
                numbering.equations[page].append(label)
        numbering.references[page] = REFERENCE.findall(prose)
    return numbering


def link(item: Item, from_page: str) -> str:
    """A Markdown link to ``item`` from ``from_page``, with Material's hover preview."""
    target = f"#{item.label}" if item.page == from_page else f"{item.page}#{item.label}"
    return f"[{item.name}]({target}){{ data-preview }}"


def unused_labels(numbering: Numbering, allowed: set[str]) -> list[str]:
    """Explicit labels that no page references and that are not listed as intentionally unreferenced."""
    referenced = {label for refs in numbering.references.values() for label in refs}
    return sorted(label for label in numbering.items
                  if label not in referenced and label not in allowed and not label.startswith("eqn-"))
