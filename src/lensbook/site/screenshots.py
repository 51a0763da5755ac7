"""``make screenshots``: every chapter page as a reader sees it, at 390 and 1280 px, light and dark.

Builds the site into a temporary folder (the experiment cache is reused), serves
it on 127.0.0.1, and writes full-page PNGs into ``--out`` (default
``screenshots/``), named ``PAGE-WIDTH-PALETTE.png``. Look at them before a
change lands: a screenshot looked at beats a test assumed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from . import chromium
from .build import build_site
from .serve import serve

PAGES = ("", "cnn/", "rnn/", "lstm/", "transformer/", "choosing/", "interactive/")
WIDTHS = (390, 1280)
PALETTES = ("light", "dark")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lensbook.site.screenshots", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("screenshots"))
    parser.add_argument("--site", type=Path, default=None, help="a built site (default: build one)")
    parser.add_argument("--pages", nargs="*", default=list(PAGES), help="page paths, such as cnn/ (\"\" is the index)")
    parser.add_argument("--widths", nargs="*", type=int, default=list(WIDTHS))
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="lensbook-shots-") as tmp:
        site = args.site
        if site is None:
            site = Path(tmp) / "site"
            build_site(site, quiet=True)
        server, base = serve(site)
        args.out.mkdir(parents=True, exist_ok=True)
        try:
            with sync_playwright() as p:
                browser = chromium.launch(p)
                for palette in PALETTES:
                    for width in args.widths:
                        context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=palette,
                                                      device_scale_factor=1)
                        page = context.new_page()
                        for path in args.pages:
                            page.goto(f"{base}/{path}", wait_until="networkidle")
                            # lazy figures: bring each into view so that it loads before the shot
                            page.evaluate("""async () => { for (const img of document.querySelectorAll('article img')) {
                                img.loading = 'eager'; } await new Promise(r => setTimeout(r, 300)); }""")
                            # explorers start when they come near the window, as they do for a reader scrolling by
                            for explorer in page.locator(".lensbook-explorer[data-explorer]").all():
                                explorer.scroll_into_view_if_needed()
                            if page.locator(".lensbook-explorer[data-explorer]").count():
                                page.wait_for_function("""() => [...document.querySelectorAll(
                                    '.lensbook-explorer[data-explorer]')].every(e => e.hasAttribute('data-ready'))""",
                                                       timeout=15000)
                                page.evaluate("window.scrollTo(0, 0)")
                            page.wait_for_load_state("networkidle")
                            name = (path.strip("/") or "index").replace("/", "-")
                            target = args.out / f"{name}-{width}-{palette}.png"
                            page.screenshot(path=str(target), full_page=True)
                            print(target, flush=True)
                        context.close()
                browser.close()
        finally:
            server.shutdown()
            server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
