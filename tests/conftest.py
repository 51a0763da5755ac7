"""Shared fixtures: one strict build of the site per test session, served on 127.0.0.1."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
from lensbook.site.chromium import ARGS as CHROMIUM_ARGS, PATH as CHROMIUM  # the one setting


@pytest.fixture(scope="session", autouse=True)
def one_thread():
    """The tests' models are tiny: one torch thread is faster (as in the build's workers)
    and does not fight other processes for cores. Restored afterwards."""
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> tuple[Path, str]:
    """Build the site with ``mkdocs build --strict``; (site directory, build log)."""
    from lensbook.site.build import build_site

    site = tmp_path_factory.mktemp("site")
    return site, build_site(site).log


@pytest.fixture(scope="session")
def served_site(built_site):
    """The built site served on 127.0.0.1 (a free port) as a static host serves it; yields its base URL."""
    from lensbook.site.serve import serve

    site, _ = built_site
    server, base = serve(site)
    yield base
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    """Headless Debian chromium driven by Playwright.

    Without chromium the browser tests skip with instructions, except under
    ``CI=true``, where they must run.
    """
    if not (shutil.which(CHROMIUM) or Path(CHROMIUM).exists()):
        message = (f"no Chromium at {CHROMIUM}: install Debian's `chromium` package "
                   "(apt-get install chromium) or set LENSBOOK_CHROMIUM to a Chromium binary")
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + " (CI=true: browser tests must run)")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS))
        yield instance
        instance.close()


def pytest_collection_modifyitems(items):
    """Mark what needs the built site (``build``) or Chromium (``browser``) from the fixtures it uses,
    so that ``make test-fast`` (``-m "not build and not browser and not slow"``) can leave them out."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if fixtures & {"built_site", "served_site", "published_site"}:
            item.add_marker(pytest.mark.build)
        if "browser" in fixtures:
            item.add_marker(pytest.mark.browser)
