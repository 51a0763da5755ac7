"""How large a figure's text is where a reader sees it, in CSS pixels.

The figures' SVGs carry their text as paths (``svg.fonttype = "path"``), so the
browser cannot be asked for a font size. Matplotlib writes each text as a group
``<g id="text_N">`` whose transform ends in ``scale(s -s)``, glyphs drawn at
100 points: the text's size is ``100 * s`` in the drawing's own units (points,
its ``viewBox``). Shown ``w`` CSS pixels wide, a drawing whose ``viewBox`` is
``W`` units wide shows that text at ``100 * s * w / W`` pixels.

``smallest_text_px`` does that sum for one SVG; ``measure`` serves a built site,
opens every chapter page in Chromium at each width, reads the width at which each
figure is shown (and which file a ``<picture>`` picked) and reports the smallest
text per figure; ``python -m lensbook.site.figure_text --site site`` prints it.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

TEXT_GROUP = re.compile(rb'<g id="text_\d+">(.*?)</g>', re.S)
GLYPH_SCALE = re.compile(rb'transform="[^"]*?scale\(([\d.]+)(?:[ ,]+-?[\d.]+)?\)"')
VIEWBOX = re.compile(rb'viewBox="[-\d.]+ [-\d.]+ ([\d.]+) ([\d.]+)"')
#: Matplotlib's ``TextToPath.FONT_SCALE``: glyph outlines are drawn at this many points.
FONT_SCALE = 100.0
WIDTHS = (390, 1280)
#: How far under the floor a figure may measure because the browser shows images at whole pixels.
ROUNDING_PX = 0.05
CHAPTER = ("", "cnn/", "rnn/", "lstm/", "transformer/", "choosing/")


def font_sizes(svg: bytes) -> list[float]:
    """The size of every text in a matplotlib SVG, in the drawing's units (points).

    >>> font_sizes(b'<g id="text_1"><g transform="translate(1 2) scale(0.1 -0.1)"></g></g>')
    [10.0]
    """
    sizes = []
    for group in TEXT_GROUP.finditer(svg):
        match = GLYPH_SCALE.search(group.group(1))
        if match:
            sizes.append(round(float(match.group(1)) * FONT_SCALE, 3))
    return sizes


def viewbox_width(svg: bytes) -> float:
    """The drawing's width in its own units (points for matplotlib)."""
    match = VIEWBOX.search(svg[:3000])
    if match is None:
        raise ValueError("SVG: no viewBox")
    return float(match.group(1))


def smallest_text_px(svg: bytes, shown_width_px: float) -> float | None:
    """The smallest text of ``svg`` in CSS pixels when it is shown ``shown_width_px`` wide (None: no text).

    >>> svg = b'<svg viewBox="0 0 504 230"><g id="text_1"><g transform="scale(0.09 -0.09)"/></g></svg>'
    >>> round(smallest_text_px(svg, 672), 1), round(smallest_text_px(svg, 358), 1)
    (12.0, 6.4)
    """
    sizes = font_sizes(svg)
    return None if not sizes else min(sizes) * shown_width_px / viewbox_width(svg)


@dataclass(frozen=True)
class Measured:
    """One figure on one page at one screen width."""

    page: str
    figure: str
    width: int  # the screen's, CSS px
    shown_px: float  # the figure's displayed width
    natural_px: float  # its drawing's width at scale 1 (viewBox points x 4/3)
    file: str  # the SVG the browser shows (a <picture> may pick the narrow one)
    smallest_px: float | None


FIGURES_JS = """() => [...document.querySelectorAll('figure.lb-figure')].map(f => {
  const img = [...f.querySelectorAll('img')].find(i => i.getBoundingClientRect().width > 0);
  return img ? {id: f.id, shown: img.getBoundingClientRect().width,
                file: new URL(img.currentSrc || img.src).pathname} : {id: f.id, shown: 0, file: ''};
})"""


def measure(site: Path, widths: tuple[int, ...] = WIDTHS, pages: tuple[str, ...] = CHAPTER,
            executable: str | None = None) -> list[Measured]:
    """Serve ``site``, open each page at each width in Chromium, and measure every figure's smallest text."""
    from playwright.sync_api import sync_playwright

    from . import chromium
    from .serve import serve

    site = Path(site)
    server, base = serve(site)
    out: list[Measured] = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=executable or chromium.PATH, args=list(chromium.ARGS))
            for width in widths:
                page = browser.new_page(viewport={"width": width, "height": 900})
                for path in pages:
                    page.goto(f"{base}/{path}", wait_until="networkidle")
                    page.evaluate("document.querySelectorAll('figure.lb-figure img')"
                                  ".forEach(i => i.loading = 'eager')")
                    page.wait_for_function("[...document.querySelectorAll('figure.lb-figure img')]"
                                           ".filter(i => i.getBoundingClientRect().width > 0)"
                                           ".every(i => i.complete)", timeout=30000)
                    for found in page.evaluate(FIGURES_JS):
                        svg = (site / found["file"].lstrip("/")).read_bytes() if found["file"] else b""
                        out.append(Measured(
                            page=path.strip("/") or "index", figure=found["id"].removeprefix("fig-"), width=width,
                            shown_px=round(found["shown"], 1),
                            natural_px=round(viewbox_width(svg) * 4 / 3, 1) if svg else 0.0,
                            file=found["file"].rsplit("/", 1)[-1],
                            smallest_px=smallest_text_px(svg, found["shown"]) if svg else None))
                page.close()
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return out


def report(rows: list[Measured]) -> str:
    """A table: each figure's smallest text at each width, and how it is shown."""
    by_figure: dict[tuple[str, str], dict[int, Measured]] = {}
    for row in rows:
        by_figure.setdefault((row.page, row.figure), {})[row.width] = row
    widths = sorted({row.width for row in rows})
    head = "| page | figure | natural px | " + " | ".join(f"at {w}: shown px, smallest text px" for w in widths) + " |"
    lines = [head, "|" + "---|" * (3 + len(widths))]
    for (page, figure), at in by_figure.items():
        cells = []
        for w in widths:
            row = at.get(w)
            text = "–" if row is None or row.smallest_px is None else f"{row.smallest_px:.1f}"
            narrow = " (narrow)" if row is not None and "-narrow" in row.file else ""
            cells.append("–" if row is None else f"{row.shown_px:.0f}, {text}{narrow}")
        natural = next(iter(at.values())).natural_px
        lines.append(f"| {page} | {figure} | {natural:.0f} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lensbook.site.figure_text", description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=Path("site"), help="a built site (mkdocs build)")
    parser.add_argument("--widths", nargs="*", type=int, default=list(WIDTHS))
    parser.add_argument("--floor", type=float, default=12.0, help="the smallest text a reader should get, CSS px")
    args = parser.parse_args(argv)
    rows = measure(args.site, tuple(args.widths))
    print(report(rows))
    # an <img> is laid out in whole CSS pixels (a 355.2-px drawing shows 355 px wide): allow that rounding
    below = [r for r in rows if r.smallest_px is not None and r.smallest_px < args.floor - ROUNDING_PX]
    print(f"\n{len(below)} of {len(rows)} figure views have text below {args.floor:g} px")
    return 0


if __name__ == "__main__":
    sys.exit(main())
