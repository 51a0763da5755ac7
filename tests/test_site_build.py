"""``lensbook.site.build.build_site``: the one way the tests, the bench, Lighthouse and the screenshots build
the site, under MkDocs or ProperDocs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lensbook.site import build
from lensbook.site.build import SiteBuildFailed, build_site

ROOT = Path(__file__).resolve().parents[1]


def test_the_command_is_a_strict_build_of_the_chosen_tool(tmp_path):
    line = build.command(tmp_path / "out", config=tmp_path / "x.yml", tool="properdocs", quiet=True,
                         report_imports=("torch", "numpy"))
    tool, report, *args = line[3:]
    assert (tool, report) == ("properdocs", "torch,numpy")
    assert args == ["build", "--strict", "--site-dir", str(tmp_path / "out"), "--config-file",
                    str(tmp_path / "x.yml"), "--quiet"]
    assert build.command(tmp_path)[3:] == ["mkdocs", "", "build", "--strict", "--site-dir", str(tmp_path)]
    with pytest.raises(ValueError, match="sphinx"):
        build.command(tmp_path, tool="sphinx")


def test_the_environment_names_the_cache_and_keeps_the_rest(tmp_path, monkeypatch):
    monkeypatch.setenv("LENSBOOK_CACHE", "/elsewhere")
    monkeypatch.setenv("SOMETHING", "kept")
    env = build.environment(tmp_path, {"EXTRA": "1"})
    assert env["LENSBOOK_CACHE"] == str(tmp_path) and env["SOMETHING"] == "kept" and env["EXTRA"] == "1"
    assert build.environment()["LENSBOOK_CACHE"] == "/elsewhere"


def small_project(tmp_path: Path, body: str) -> Path:
    """A one-page project with the site's theme and no hook."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text(f"# Small\n\n{body}\n", encoding="utf-8")
    config = tmp_path / "mkdocs.yml"
    config.write_text("site_name: small\ntheme:\n  name: material\n  font: false\n", encoding="utf-8")
    return config


@pytest.mark.build
@pytest.mark.parametrize("tool", build.TOOLS)
def test_a_small_site_builds_under_each_tool(tool, tmp_path):
    config = small_project(tmp_path, "Hello.")
    done = build_site(tmp_path / "site", config=config, tool=tool, report_imports=("torch",))
    assert done.returncode == 0 and done.site == tmp_path / "site" and done.seconds > 0
    html = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "Hello." in html
    assert re.search(r'<meta name="generator" content="mkdocs-(1\.6\.1|ProperDocs 1\.6\.\d+)', html)
    assert ("ProperDocs" in html) == (tool == "properdocs")
    assert "imported: []" in done.log.splitlines(), done.log


@pytest.mark.build
def test_a_strict_warning_fails_the_build_with_its_log(tmp_path):
    config = small_project(tmp_path, "[nowhere](no-such-page.md)")
    failed = build_site(tmp_path / "site", config=config, check=False)
    assert failed.returncode != 0 and "no-such-page.md" in failed.log
    with pytest.raises(SiteBuildFailed, match="no-such-page.md") as raised:
        build_site(tmp_path / "site", config=config)
    assert "no-such-page.md" in raised.value.log


@pytest.mark.build
def test_the_site_builds_strictly_under_properdocs_with_the_same_bytes(built_site, tmp_path):
    """ProperDocs reads mkdocs.yml: against the warm cache, it builds the same site (only the
    generator's name in each page's head differs)."""
    site, _ = built_site
    done = build_site(tmp_path / "site", tool="properdocs")
    assert "pages rendered: none (all cached)" in done.log, done.log
    files = sorted(p.relative_to(site) for p in site.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(done.site) for p in done.site.rglob("*") if p.is_file())
    generator = re.compile(rb'<meta name="generator" content="[^"]*">')
    for name in files:
        mine, theirs = (site / name).read_bytes(), (done.site / name).read_bytes()
        if name.suffix == ".html":
            mine, theirs = generator.sub(b"", mine), generator.sub(b"", theirs)
        assert mine == theirs, f"{name} differs between mkdocs and properdocs"
