"""Render figures without building the site: ``python -m lensbook.site [NAME ...]``.

Writes ``NAME.svg`` and ``NAME-dark.svg`` (and with ``--png`` a PNG of each,
drawn on the palette's background, for a quick look) into ``--out``, and prints
each figure's time. With no names, renders every registered figure.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from . import render


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lensbook.site", description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="figure names (default: all)")
    parser.add_argument("--out", type=Path, default=Path("site-figures"), help="output folder")
    parser.add_argument("--png", action="store_true", help="also write PNGs for a quick look")
    parser.add_argument("--workers", type=int, default=None,
                        help="processes for experiments (default: one per core; 0: this process)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        rendered = render.render_figures(args.names or None, workers=args.workers)
    except render.FigureError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    for name, figure in rendered.items():
        (args.out / f"{name}.svg").write_bytes(figure.svg["light"])
        (args.out / f"{name}-dark.svg").write_bytes(figure.svg["dark"])
        print(f"{name}: {figure.seconds:.2f} s{' (cached)' if figure.cached else ''}")
    if args.png:
        _write_pngs(list(rendered), args.out)
    return 0


def _write_pngs(names: list[str], out: Path) -> None:
    from ..figures import registry, style

    figures = registry.load_all()
    results = render.run_experiments([figures[n].experiment for n in names], render.default_cache_dir())
    for name in names:
        for theme, background in (("light", "#ffffff"), ("dark", "#1e2129")):
            with style.themed(theme):
                fig = figures[name].draw(results[figures[name].experiment][0])
                fig.savefig(out / f"{name}-{theme}.png", facecolor=background, dpi=100)


if __name__ == "__main__":
    sys.exit(main())
