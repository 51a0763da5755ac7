"""The page rewriting of the build: math, placeholders, figures, errors."""

from dataclasses import dataclass

import pytest

from lensbook.site import pages


@dataclass(frozen=True)
class Result:
    auroc: float
    nested: dict


@dataclass(frozen=True)
class Fig:
    svg: dict | None = None


RESULTS = {"exp": Result(auroc=0.98765, nested={"k": 3})}
FIGURES = {"demo-figure": Fig()}


def run(markdown):
    return pages.process(markdown, "page.md", RESULTS, FIGURES)


def test_placeholder_with_format_and_nesting():
    out, _, _ = run('AUROC {{ exp.auroc | fmt(".3f") }} and {{exp.nested.k}}, {{ exp.nested["k"] * 2 }}.')
    assert out == "AUROC 0.988 and 3, 6."


def test_unknown_experiment_field_and_format_fail_with_page_name():
    with pytest.raises(pages.PageError, match=r"page.md line 1: 'nope' is undefined"):
        run("{{ nope.auroc }}")
    with pytest.raises(pages.PageError, match=r"no attribute 'missing'"):
        run("{{ exp.missing }}")
    with pytest.raises(pages.PageError, match=r"page.md line 2: cannot format 0.98765 with 'd'"):
        run('\n{{ exp.auroc | fmt("d") }}')


def test_figure_alt_and_caption_come_from_the_page():
    page = ("![](figures/demo-figure.svg)\nalt: Scores; the best is {{ exp.auroc | fmt('.2f') }}.\n"
            "caption: What it shows,\n  over two lines. {% claim exp.auroc > 0.5 %}\n\nAfter.\n")
    out, _, used = run(page)
    assert used == ["demo-figure"]
    assert "![Scores; the best is 0.99.](figures/demo-figure.svg#only-light)" in out
    assert '<figcaption markdown="span">What it shows, over two lines.</figcaption>' in out
    assert out.rstrip().endswith("After.") and "alt:" not in out and "caption:" not in out


def test_code_is_left_alone():
    source = "```python\nx = '{{ nope.field }}'  # \\( a \\)\n```\n`{{ nope.x }}` stays\n"
    out, math, _ = run(source)
    assert out == source
    assert math == []


def test_display_and_inline_math_become_mathml():
    out, math, _ = run("Inline \\(x^2\\) here.\n\n$$\ny = \\sum_j w_j\n$$\n")
    assert sorted('display="block"' in m for m in math) == [False, True]
    assert '<div class="lb-equation">LBMATH' in out
    html = pages.restore_math(out, math)
    assert html.count("<math") == 2 and "LBMATH" not in html


def test_bad_latex_fails_with_page_name():
    with pytest.raises(pages.PageError, match=r"page.md: cannot convert LaTeX"):
        run("$$\n\\frac{1}{\n$$\n")


def test_figure_line_becomes_light_and_dark_images():
    out, _, used = run("Text\n\n![](figures/demo-figure.svg)\nalt: A demo [with brackets]\ncaption: The caption\n")
    assert used == ["demo-figure"]
    assert "figures/demo-figure.svg#only-light" in out
    assert "figures/demo-figure-dark.svg#only-dark" in out
    assert "![A demo (with brackets)]" in out
    assert "<figcaption" in out and "The caption" in out


def test_a_figure_without_alt_or_caption_fails():
    with pytest.raises(pages.PageError, match=r"page.md: figure 'demo-figure' needs an alt: and a caption: line"):
        run("![](figures/demo-figure.svg)\n")
    with pytest.raises(pages.PageError, match=r"needs a caption: line"):
        run("![](figures/demo-figure.svg)\nalt: Bars.\n")


def test_unknown_figure_fails_with_page_and_name():
    with pytest.raises(pages.PageError, match=r"page.md: unknown figure 'no-such'"):
        run("![](figures/no-such.svg)\n")


def test_split_code_handles_longer_fences():
    chunks = pages.split_code("a\n````python\n```\ninner\n```\n````\nb\n")
    assert [c[0] for c in chunks] == [False, True, False]


def test_figures_load_lazily_with_their_size_reserved():
    svg = b'<?xml version="1.0"?>\n<svg xmlns:xlink="x" width="504pt" height="230.4pt" viewBox="0 0 504 230.4">'
    assert pages.svg_size(svg) == (672, 307)  # points -> CSS pixels (4/3)
    assert pages.svg_size(b"<svg>") is None
    html = pages.figure_html("gata-scan", "alt", "caption", "4.2", size=(672, 307))
    assert html.count("{ loading=lazy width=672 height=307 }") == 2  # light and dark
    # each opens at full size: a link to its own SVG
    assert "](figures/gata-scan.svg){ .lb-figure__open" in html and "](figures/gata-scan-dark.svg){ .lb-figure__open" in html


def test_a_figure_with_a_phone_layout_is_a_picture():
    html = pages.figure_html("gata-scan", 'a "b"', "caption", "4.2", size=(672, 307), narrow=(358, 500),
                             page="cnn.md")
    assert html.count("<picture>") == 2
    assert ('<source media="(max-width: 44.9375em)" srcset="../figures/gata-scan-narrow.svg" width="358" height="500">'
            in html)
    assert 'srcset="../figures/gata-scan-narrow-dark.svg"' in html
    assert '<img src="../figures/gata-scan.svg#only-light" alt="a &quot;b&quot;" loading="lazy" width="672"' in html
    assert '<a class="lb-figure__open" href="../figures/gata-scan-dark.svg"' in html


def test_glossary_tooltip_only_on_first_use():
    html = ('<p><abbr title="a">CNN</abbr>, <abbr title="b">RNN</abbr>, <abbr title="a">CNN</abbr>'
            ' and <abbr title="a">CNN</abbr></p>')
    assert pages.first_abbreviations(html) == '<p><abbr title="a">CNN</abbr>, <abbr title="b">RNN</abbr>, CNN and CNN</p>'
