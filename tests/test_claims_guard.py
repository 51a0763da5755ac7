"""No interpretation without a claim: a block of prose that quotes a measured number and
interprets it (compares, ranks, says "at chance", "fades", "agrees") carries a
``{% claim %}`` that the build checks.

A block is a paragraph, a list item, a table row, a figure's alt and caption,
or a paragraph inside an admonition. The words are deliberately broad: a
block that trips them falsely gets a claim anyway (it costs one line), or an
entry in ALLOWED with its reason.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lensbook.site import prose, rewrite

ROOT = Path(__file__).resolve().parents[1]
CHAPTER = ["index.md", "cnn.md", "rnn.md", "lstm.md", "transformer.md", "choosing.md"]

#: Comparative and qualitative words: a block with a placeholder and one of these interprets a number.
WORDS = re.compile(r"\b(" + "|".join([
    r"better", r"worse", r"best", r"worst", r"higher", r"lower", r"more", r"less", r"fewer", r"larger",
    r"smaller", r"greater", r"beats?", r"beaten", r"outperform\w*", r"exceed\w*", r"above", r"below",
    r"chance", r"fade[sd]?", r"fading", r"vanish\w*", r"flat", r"agree[sd]?", r"disagree\w*",
    r"match(?:es|ed)?", r"close to", r"near(?:ly)?", r"almost", r"faster", r"slower", r"learn(?:s|ed|t)?",
    r"fail(?:s|ed)?", r"holds?", r"only", r"most", r"least", r"within", r"similar", r"improv\w*",
    r"drop(?:s|ped)?", r"falls?", r"fell", r"rises?", r"rose", r"sensitive", r"perfect\w*", r"twice",
    r"half", r"times", r"than", r"stays?", r"stayed", r"keeps?", r"kept", r"lost", r"loses?", r"wins?",
    r"tied", r"ahead", r"behind", r"same", r"unlike", r"instead", r"limit\w*",
]) + r")\b", re.I)

#: (page, a snippet of the block) -> why it needs no claim. Empty: every interpretation is checked.
ALLOWED: dict[tuple[str, str], str] = {}

PLACEHOLDER = re.compile(r"\{\{.*?\}\}", re.S)
TAGS = re.compile(r"\{%.*?%\}", re.S)
NOT_WORDS = re.compile(r"`+.*?`+|\\\(.*?\\\)|\]\([^)]*\)|\{[:#][^}]*\}|<[^>]+>", re.S)
ITEM = re.compile(r"^[ \t]*(?:[-*+]|\d+\.)[ \t]+|^[ \t]*\|", re.M)


def blocks(markdown: str) -> list[tuple[int, str]]:
    """``(line, text)`` of each paragraph, list item, table row, figure caption and admonition paragraph."""
    out: list[tuple[int, str]] = []
    line = 1
    for is_code, chunk in rewrite.split_code(markdown):
        if not is_code:
            start = line
            for paragraph in re.split(r"\n[ \t]*\n", chunk):
                starts = [m.start() for m in ITEM.finditer(paragraph)] or [0]
                if starts[0] != 0:
                    starts.insert(0, 0)
                for a, b in zip(starts, starts[1:] + [len(paragraph)]):
                    if paragraph[a:b].strip():
                        first = a + len(paragraph[a:b]) - len(paragraph[a:b].lstrip("\n"))  # its first line
                        out.append((start + paragraph.count("\n", 0, first), paragraph[a:b]))
                start += paragraph.count("\n") + 1
                start += 1
        line += chunk.count("\n")
    return out


def unclaimed(markdown: str, page: str) -> list[str]:
    """The blocks that quote a number, interpret it, and carry no claim."""
    found = []
    for line, block in blocks(markdown):
        if not PLACEHOLDER.search(block) or prose.claims_in(block):
            continue
        words = NOT_WORDS.sub(" ", TAGS.sub(" ", PLACEHOLDER.sub(" ", block)))
        hit = WORDS.search(words)
        if hit and not any(p == page and snippet in block for (p, snippet) in ALLOWED):
            found.append(f"{page} line {line} ({hit.group(0)!r}): {' '.join(block.split())[:160]}")
    return found


@pytest.mark.parametrize("page", CHAPTER)
def test_every_interpretation_of_a_number_carries_a_claim(page):
    problems = unclaimed((ROOT / "docs" / page).read_text(encoding="utf-8"), page)
    assert not problems, "blocks that interpret a measured number without a {% claim %}:\n" + "\n".join(problems)


def test_allowed_entries_give_a_reason_and_still_exist():
    for (page, snippet), reason in ALLOWED.items():
        assert len(reason.split()) >= 4, f"{page}: {snippet!r} needs a reason"
        assert snippet in (ROOT / "docs" / page).read_text(encoding="utf-8"), f"{page}: stale entry {snippet!r}"


def test_the_guard_sees_an_unclaimed_comparison_and_accepts_a_claimed_one():
    page = ("Intro without numbers is better.\n\n"
            "- The CNN scores {{ m.cnn | fmt('.2f') }}, better than the LSTM.\n"
            "- The LSTM scores {{ m.lstm | fmt('.2f') }}.\n\n"
            "!!! note\n    It fades to {{ m.level | fmt('.1e') }}. {% claim m.level < 0.01 %}\n\n"
            "| a | {{ m.x }} below chance |\n\n"
            "```python\nprint('{{ better }}')\n```\n")
    problems = unclaimed(page, "p.md")
    assert [p.split(" (")[0] for p in problems] == ["p.md line 3", "p.md line 9"]


def test_an_include_block_is_code_not_prose():
    """A block of `--8<--` lines shows library source: the guard reads it as code, not as a claim-bearing block."""
    page = ("The cell is {{ m.cell }} steps, better than before. {% claim m.cell > 1 %}\n\n"
            '```python\n--8<-- "src/lensbook/models/rnn.py:rnn-cell"\n```\n\n'
            "It scores {{ m.x }}, better than chance.\n")
    assert [line for line, _ in blocks(page)] == [1, 7]
    assert [p.split(" (")[0] for p in unclaimed(page, "p.md")] == ["p.md line 7"]
