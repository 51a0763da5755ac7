"""The one Chromium setting for whatever drives a browser here: tests, bench, screenshots, Lighthouse.

Debian's ``chromium`` (``apt-get install chromium``), or the binary named by
``$LENSBOOK_CHROMIUM``. The flags run it headless, as root, with no display,
and keep it off the network: without the background-networking flags it
keeps trying to reach its vendor's servers, which a machine with only
loopback refuses.
"""

from __future__ import annotations

import os

#: The browser binary.
PATH = os.environ.get("LENSBOOK_CHROMIUM", "/usr/bin/chromium")
#: Its command-line flags.
ARGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic")


def launch(playwright):
    """Chromium through Playwright's ``sync_playwright()`` object, with the path and flags above."""
    return playwright.chromium.launch(executable_path=PATH, args=list(ARGS))
