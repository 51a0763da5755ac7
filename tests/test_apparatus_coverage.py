"""The chapter's apparatus, checked on the real pages: numbers, labels, captions, citations.

The machinery is tested on toy pages in ``test_site_apparatus.py``; this file
reads the chapter itself, in reading order (the nav of ``mkdocs.yml``), without
building the site.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from lensbook.site import apparatus, citations, pages

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"

#: Labels that no page refers to, on purpose: label -> why. Keep it short; a
#: good textbook refers to every figure, table and labelled equation it shows.
UNREFERENCED: dict[str, str] = {}


class _Loader(yaml.SafeLoader):
    """``mkdocs.yml`` with its ``!ENV`` tags read as plain values (the nav is all we need)."""


_Loader.add_constructor("!ENV", lambda loader, node: None)


def nav_pages() -> list[str]:
    """The chapter's Markdown pages in reading order, as the nav of ``mkdocs.yml`` lists them."""
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_Loader)
    found: list[str] = []

    def walk(item) -> None:
        if isinstance(item, str):
            if item.endswith(".md") and (DOCS / item).exists():  # generated pages (the notebook) have no source
                found.append(item)
        elif isinstance(item, dict):
            for value in item.values():
                walk(value)
        elif isinstance(item, list):
            for value in item:
                walk(value)

    walk(config["nav"])
    return found


PAGES = nav_pages()


def chapter() -> list[tuple[str, str]]:
    """``(src_uri, markdown)`` of every chapter page, read afresh, in reading order (as the hook's ``on_nav``)."""
    return [(page, (DOCS / page).read_text(encoding="utf-8")) for page in PAGES]


def prose(page: str) -> str:
    return apparatus.prose_of((DOCS / page).read_text(encoding="utf-8"))


def test_the_nav_lists_the_chapter_pages():
    assert PAGES[0] == "index.md" and {"cnn.md", "rnn.md", "lstm.md", "transformer.md", "choosing.md"} <= set(PAGES)


# --- (a) numbering -----------------------------------------------------------------------


def test_two_numberings_of_the_chapter_agree():
    first, second = apparatus.number(chapter()), apparatus.number(chapter())
    assert first == second
    assert first.items, "no figure, table or equation found on the chapter pages"


def test_numbers_run_in_reading_order_without_gaps():
    numbering = apparatus.number(chapter())
    order = {page: i for i, page in enumerate(PAGES)}
    for kind in apparatus.KINDS:
        items = [item for item in numbering.items.values() if item.kind == kind]  # insertion = reading order
        assert [item.number for item in items] == [f"{apparatus.CHAPTER}.{i}" for i in range(1, len(items) + 1)]
        assert [order[item.page] for item in items] == sorted(order[item.page] for item in items)


def test_every_display_equation_is_numbered():
    """An indented ``$$`` (inside an admonition or a list) is neither numbered nor rendered: none may exist."""
    for page in PAGES:
        text = prose(page)
        fences = [line for line in text.splitlines() if line.strip().startswith("$$")]
        equations = apparatus.EQUATION.findall(text)
        assert len(fences) == 2 * len(equations), (
            f"{page}: {len(fences)} '$$' lines but {len(equations)} display equations the build numbers")


# --- (b) every label is referenced ---------------------------------------------------------


def test_every_label_is_referenced_or_listed():
    numbering = apparatus.number(chapter())
    unused = apparatus.unused_labels(numbering, set(UNREFERENCED))
    assert not unused, f"labels that no page refers to (refer to them, or list them in UNREFERENCED): {unused}"


def test_the_unreferenced_list_is_current():
    numbering = apparatus.number(chapter())
    referenced = {label for refs in numbering.references.values() for label in refs}
    for label, reason in UNREFERENCED.items():
        assert label in numbering.items, f"UNREFERENCED lists {label!r}, which no page defines"
        assert label not in referenced, f"UNREFERENCED lists {label!r}, which a page now refers to"
        assert reason.strip(), f"UNREFERENCED: {label!r} needs a reason"


def test_every_reference_resolves():
    numbering = apparatus.number(chapter())
    for page, refs in numbering.references.items():
        unknown = sorted(set(refs) - set(numbering.items))
        assert not unknown, f"{page}: references to unknown labels {unknown}"


TYPED = re.compile(
    r"\b(?:Figure|Fig\.|Table|Equation|Eq\.)\s*\(?\d+\.\d+\)?"            # a typed number: "Figure 4.3"
    r"|\b(?:equation|eq\.)\s*\(\d+\)"                                     # "equation (2)"
    r"|\b(?:the|this)\s+(?:figure|table)s?\b"                             # "the figure below", "the table is ..."
    r"|\bthe\s+equation\s+(?:below|above)\b"                              # "the equation above"
    r"|\[[^\]]*\b(?:figure|table|equation)\b[^\]]*\]\([^)]*\)",           # a hand-made link: "[gradient figure](...)"
    re.I)


@pytest.mark.parametrize("page", PAGES)
def test_prose_refers_by_label_not_by_typed_number(page):
    text = re.sub(r"`[^`\n]+`", "", prose(page))  # inline code is not prose
    found = [m.group(0) for m in TYPED.finditer(text)]
    assert not found, f"{page}: refer to figures, tables and equations with [](#label), not {found}"


# --- (c) every table has a caption ---------------------------------------------------------

TABLE_ROW = re.compile(r"^\|.*\|[ \t]*$")
DELIMITER_ROW = re.compile(r"^\|?[ \t]*:?-{3,}:?[ \t]*(\|[ \t]*:?-{3,}:?[ \t]*)*\|?[ \t]*$")
# a placeholder alone on its line whose field is a generated Markdown table ({{ motif_cnn.auroc_table }})
TABLE_PLACEHOLDER = re.compile(r"^\{\{\s*\w+\.(?:[\w.]*_)?table\s*\}\}[ \t]*$")


def tables(text: str) -> list[int]:
    """Line index of the first line of every table in ``text``: pipe tables and generated ones."""
    lines = text.splitlines()
    starts = []
    for i, line in enumerate(lines):
        if TABLE_PLACEHOLDER.match(line):
            starts.append(i)
        elif (TABLE_ROW.match(line) and i + 1 < len(lines) and DELIMITER_ROW.match(lines[i + 1])
              and not (i > 0 and TABLE_ROW.match(lines[i - 1]))):
            starts.append(i)
    return starts


def caption_above(lines: list[str], start: int) -> bool:
    """A ``Table: ... {#tbl-...}`` line right above the table, a blank line between."""
    return start >= 2 and not lines[start - 1].strip() and bool(apparatus.TABLE_CAPTION.match(lines[start - 2]))


@pytest.mark.parametrize("page", PAGES)
def test_every_table_has_a_numbered_caption(page):
    text = prose(page)
    lines = text.splitlines()
    missing = [lines[i][:60] for i in tables(text) if not caption_above(lines, i)]
    assert not missing, f"{page}: tables without a 'Table: caption {{#tbl-label}}' line above: {missing}"


def test_the_table_finder_sees_both_kinds():
    text = "Table: Things {#tbl-a}\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n{{ exp.auroc_table }}\n"
    lines = text.splitlines()
    assert tables(text) == [2, 6]
    assert [caption_above(lines, i) for i in tables(text)] == [True, False]


# --- (d) citations (that every entry has a valid DOI or arXiv ID: test_site_apparatus.py) ------

def bibliography() -> dict[str, citations.Reference]:
    return citations.load(ROOT / "bibliography.json")


def cited() -> dict[str, list[str]]:
    """Citation key -> the pages that cite it."""
    out: dict[str, list[str]] = {}
    for page in PAGES:
        for key in citations.cited_keys(prose(page)):
            out.setdefault(key, []).append(page)
    return out


def test_every_cited_key_is_in_the_bibliography():
    unknown = {key: where for key, where in cited().items() if key not in bibliography()}
    assert not unknown, f"cited but not in bibliography.json: {unknown}"


def test_every_bibliography_entry_is_cited():
    uncited = sorted(set(bibliography()) - set(cited()))
    assert not uncited, f"entries of bibliography.json that no page cites (cite them or remove them): {uncited}"


@pytest.mark.parametrize("page", PAGES)
def test_works_are_cited_by_key_not_typed(page):
    """A DOI, arXiv ID or "Author et al. 2019" in prose is a citation that skipped the bibliography."""
    text = re.sub(r"`[^`\n]+`", "", prose(page))
    typed = re.findall(r"doi\.org/\S+|\bdoi:\s*10\.\S+|\barXiv:\s*\d{4}\.\d{4,5}"
                       r"|\b[A-Z][\w-]+ (?:et al\.|& [A-Z][\w-]+)(?:'s)?,? \(?(?:19|20)\d\d\b", text)
    assert not typed, f"{page}: cite works with [@key] from bibliography.json, not {typed}"


def test_index_shows_how_to_cite_the_chapter():
    text = prose("index.md")
    assert "{{ chapter.bibtex }}" in text
    cite = citations.chapter_citation(ROOT / "CITATION.cff")
    out, _, _ = pages.process("{{ chapter.bibtex }}\n", "index.md", {"chapter": cite}, {})
    assert out.startswith("```bibtex\n@misc{lensbook") and out.rstrip().endswith("```")
