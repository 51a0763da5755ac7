"""The author's loop: a warm build redoes nothing, and a prose edit re-renders only its page."""

from __future__ import annotations

import filecmp
import re
import shutil
import uuid
from pathlib import Path

import pytest

from lensbook.site import render
from lensbook.site.build import build_site

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.build

#: The heavy libraries a warm build must not import.
HEAVY = ("torch", "matplotlib", "memelite", "numba")


def build(site: Path, cwd: Path = ROOT) -> str:
    """Build the project in ``cwd`` into ``site``; the log says which of ``HEAVY`` it imported."""
    return build_site(site, project=cwd, cache=render.default_cache_dir(), report_imports=HEAVY).log


def test_a_warm_build_gives_the_same_bytes_and_imports_no_torch(built_site, tmp_path):
    site, _ = built_site
    log = build(tmp_path / "again")
    assert "pages rendered: none (all cached)" in log, log
    assert "imported: []" in log, "a warm build should need no model code: " + log[-300:]
    assert not re.search(r"running \d+ experiment|experiment \S+ done", log)
    files = sorted(p.relative_to(site) for p in site.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(tmp_path / "again") for p in (tmp_path / "again").rglob("*") if p.is_file())
    _, mismatch, errors = filecmp.cmpfiles(site, tmp_path / "again", [str(f) for f in files], shallow=False)
    assert not mismatch and not errors, f"files that differ between two builds: {mismatch[:10]} {errors[:10]}"


def test_a_prose_edit_rerenders_only_its_page(built_site, tmp_path):
    """A copy of the project (sources linked) with one word changed in rnn.md's prose."""
    project = tmp_path / "project"
    project.mkdir()
    for name in ("mkdocs.yml", "bibliography.json", "CITATION.cff"):
        shutil.copy(ROOT / name, project / name)
    for name in ("docs", "includes", "overrides"):
        shutil.copytree(ROOT / name, project / name)
    (project / "src").symlink_to(ROOT / "src")
    page = project / "docs" / "rnn.md"
    text = page.read_text(encoding="utf-8")
    assert "serious limitation" in text
    word = f"grave{uuid.uuid4().hex[:8]}"  # a new word each run: the page cache cannot already hold it
    page.write_text(text.replace("serious limitation", f"{word} limitation", 1), encoding="utf-8")
    log = build(tmp_path / "site", project)
    assert "lensbook: pages rendered: rnn.md\n" in log, log
    assert not re.search(r"running \d+ experiment|experiment \S+ done", log), "no experiment re-runs"
    assert f"{word} limitation" in (tmp_path / "site" / "rnn" / "index.html").read_text(encoding="utf-8")
