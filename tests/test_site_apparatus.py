"""Numbering, cross-references and citations of the build."""

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from lensbook.site import apparatus, citations, pages

ROOT = Path(__file__).resolve().parents[1]

PAGE_A = """# A

![](figures/one.svg)
alt: alt
caption: caption

$$
x = 1
$$ {#eq-first}

Table: Things measured {#tbl-things}

| a | b |
|---|---|
| 1 | 2 |

$$
y = 2
$$

```python
# ![](figures/not-a-figure.svg) and $$ inside code are not numbered
```
"""

PAGE_B = """# B

See [](#fig-one), [](#eq-first) and [](#tbl-things); here is [](#fig-two).

![](figures/two.svg)
alt: alt
caption: caption
"""


@dataclass(frozen=True)
class Fig:
    svg: dict | None = None


def numbering():
    return apparatus.number([("a.md", PAGE_A), ("b.md", PAGE_B)])


def test_numbers_follow_reading_order_across_pages():
    n = numbering()
    assert {k: (v.kind, v.number, v.page) for k, v in n.items.items()} == {
        "fig-one": ("fig", "4.1", "a.md"),
        "eq-first": ("eq", "4.1", "a.md"),
        "tbl-things": ("tbl", "4.1", "a.md"),
        "eqn-a-2": ("eq", "4.2", "a.md"),
        "fig-two": ("fig", "4.2", "b.md"),
    }
    assert apparatus.number([("a.md", PAGE_A), ("b.md", PAGE_B)]) == n  # the same input, the same numbers


def test_inserting_a_figure_renumbers_the_rest():
    n = apparatus.number([("a.md", "![](figures/new.svg)\n\n" + PAGE_A), ("b.md", PAGE_B)])
    assert n.items["fig-one"].number == "4.2" and n.items["fig-two"].number == "4.3"


def test_references_become_numbered_links_across_pages():
    figures = {"one": Fig(), "two": Fig()}
    out, _, _ = pages.process(PAGE_B, "b.md", {}, figures, numbering(), {})
    assert "[Figure 4.1](a.md#fig-one){ data-preview }" in out
    assert "[Equation (4.1)](a.md#eq-first){ data-preview }" in out
    assert "[Table 4.1](a.md#tbl-things){ data-preview }" in out
    assert "[Figure 4.2](#fig-two){ data-preview }" in out
    assert "**Figure 4.2.** caption" in out


def test_equations_and_tables_get_numbers_and_anchors():
    out, math, _ = pages.process(PAGE_A, "a.md", {}, {"one": Fig()}, numbering(), {})
    assert '<div class="lb-equation" id="eq-first">LBMATH' in out and '<span class="lb-eqno">(4.1)</span>' in out
    assert 'id="eqn-a-2"' in out and "(4.2)" in out
    assert "**Table 4.1.** Things measured\n{: #tbl-things .lb-table-caption }" in out
    assert "not-a-figure" in out  # code untouched


def test_unknown_label_fails_with_page_and_label():
    with pytest.raises(pages.PageError, match=r"b.md: reference to unknown label 'fig-nope'"):
        pages.process("See [](#fig-nope).", "b.md", {}, {}, numbering(), {})


def test_duplicate_label_fails():
    with pytest.raises(ValueError, match="defined twice"):
        apparatus.number([("a.md", PAGE_A), ("c.md", PAGE_A)])


def test_unused_labels_are_reported_unless_listed():
    n = apparatus.number([("a.md", PAGE_A)])
    assert apparatus.unused_labels(n, set()) == ["eq-first", "fig-one", "tbl-things"]
    assert apparatus.unused_labels(n, {"eq-first", "fig-one", "tbl-things"}) == []


BIB = {
    "zhou2015": citations.Reference("zhou2015", (("Zhou", "Jian"), ("Troyanskaya", "Olga G.")), 2015,
                                    "Predicting effects", "Nature Methods", "12", "931-934", "10.1038/nmeth.3547"),
    "avsec2021": citations.Reference("avsec2021", (("Avsec", "Ž"), ("Agarwal", "V"), ("Kelley", "D")), 2021,
                                     "Effective", "Nature Methods", "18", "1196-1203", "10.1038/s41592-021-01252-x"),
}


def test_citations_render_author_year_links_and_a_reference_list():
    out, _, _ = pages.process("DeepSEA [@zhou2015] and Enformer [@avsec2021; @zhou2015].\n", "p.md", {}, {},
                              numbering(), BIB)
    assert '<a class="lb-cite" href="#ref-zhou2015" title="Zhou, J. &amp; Troyanskaya, O. G. (2015).' in out
    assert ">Zhou &amp; Troyanskaya, 2015</a>)" in out
    assert ">Avsec et al., 2021</a>; <a" in out
    assert out.index('id="ref-avsec2021"') < out.index('id="ref-zhou2015"')  # sorted by author
    assert "## References" in out


def test_unknown_citation_key_fails():
    with pytest.raises(pages.PageError, match=r"p.md: unknown citation key 'nobody2020'"):
        pages.process("As shown [@nobody2020].", "p.md", {}, {}, numbering(), BIB)


def test_page_without_citations_gets_no_reference_list():
    out, _, _ = pages.process("Nothing cited.", "p.md", {}, {}, numbering(), BIB)
    assert "References" not in out


ARXIV_ID = re.compile(r"^\d{4}\.\d{4,5}(v\d+)?$")


def test_bibliography_entries_are_well_formed():
    """Every entry has a DOI; an arXiv preprint's is its DataCite DOI, which must hold a valid arXiv ID."""
    bib = citations.load(ROOT / "bibliography.json")
    assert bib, "the bibliography is empty"
    for ref in bib.values():
        assert citations.DOI.match(ref.doi), ref.key
        if ref.doi.lower().startswith("10.48550/arxiv."):
            assert ARXIV_ID.match(ref.doi[len("10.48550/arXiv."):]), f"{ref.key}: arXiv ID in {ref.doi!r}"
        assert ref.year > 1900 and ref.title and ref.authors


def test_bad_doi_is_rejected(tmp_path):
    path = tmp_path / "bib.json"
    path.write_text('[{"id": "x", "DOI": "doi:10.1/x", "author": [{"family": "A"}], "issued": {"date-parts": [[2000]]}, "title": "t"}]')
    with pytest.raises(ValueError, match=r"x: DOI 'doi:10.1/x'"):
        citations.load(path)


def test_chapter_citation_comes_from_citation_cff():
    cite = citations.chapter_citation(ROOT / "CITATION.cff")
    assert isinstance(cite.bibtex, pages.Markdown)
    assert cite.bibtex.startswith("```bibtex\n@misc{lensbook")
    assert "title = {{Neural Network Architectures for Genomics" in cite.bibtex
