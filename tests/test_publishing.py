"""Publishing: the Pages workflow builds with `make build`; URLs are set in one place; a useful 404
page and "edit this page" links."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml

from lensbook.site.build import build_site

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW = ROOT / ".github" / "workflows" / "pages.yml"
GITHUB = {"LENSBOOK_SITE_URL": "https://lensbook.example/chapter/",
          "LENSBOOK_REPO_URL": "https://github.com/example/lensbook",
          "LENSBOOK_EDIT_URI": "edit/main/docs/"}


def steps() -> list[dict]:
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def test_workflow_builds_with_make_build_and_deploys_to_pages():
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    runs = [s.get("run", "") for s in steps()]
    assert any(re.search(r"(^|\n)\s*make build\b", run) for run in runs), runs
    uses = [s.get("uses", "").split("@")[0] for s in steps()]
    for action in ("actions/configure-pages", "actions/upload-pages-artifact", "actions/deploy-pages"):
        assert action in uses, action
    upload = next(s for s in steps() if s.get("uses", "").startswith("actions/upload-pages-artifact"))
    assert upload["with"]["path"] == "site"  # where `make build` writes (mkdocs.yml site_dir)
    assert workflow["permissions"]["pages"] == "write" and workflow["permissions"]["id-token"] == "write"


def test_workflow_sets_the_urls_from_the_github_context():
    build = next(s for s in steps() if "make build" in s.get("run", ""))
    env = build["env"]
    assert "steps.pages.outputs.base_url" in env["LENSBOOK_SITE_URL"]
    assert "github.repository" in env["LENSBOOK_REPO_URL"]
    assert "github.ref_name" in env["LENSBOOK_EDIT_URI"]


def load_config(monkeypatch, env: dict[str, str]):
    from mkdocs.config import load_config as load

    for key in GITHUB:
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return load(config_file=str(ROOT / "mkdocs.yml"))


def test_urls_are_read_in_one_place(monkeypatch):
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert re.search(r"^site_url: !ENV \[LENSBOOK_SITE_URL,", text, re.M)
    assert re.search(r"^repo_url: !ENV \[LENSBOOK_REPO_URL,", text, re.M)
    published = load_config(monkeypatch, GITHUB)
    assert published.site_url == GITHUB["LENSBOOK_SITE_URL"]
    assert published.repo_url == GITHUB["LENSBOOK_REPO_URL"]
    assert published.edit_uri == GITHUB["LENSBOOK_EDIT_URI"]
    assert "content.action.edit" in published.theme["features"]
    local = load_config(monkeypatch, {})
    assert local.site_url == "http://127.0.0.1:8000/"  # `make serve`'s address
    assert local.repo_url is None and not local.edit_uri  # no repository known: no edit link


def chapter_pages() -> list[str]:
    """URL paths of the Markdown pages in docs/ (cnn.md -> cnn/)."""
    out = []
    for page in sorted((ROOT / "docs").rglob("*.md")):
        rel = page.relative_to(ROOT / "docs").with_suffix("").as_posix()
        out.append("" if rel == "index" else rel.removesuffix("/index") + "/")
    return out


def test_404_page_links_back_to_the_chapter(built_site):
    site, _ = built_site
    page = (site / "404.html").read_text(encoding="utf-8")
    assert "Page not found" in page
    listing = re.search(r'<ul class="lb-not-found">(.*?)</ul>', page, re.S).group(1)
    targets = set(re.findall(r'href="([^"]+)"', listing))
    for path in chapter_pages():
        assert f"/{path}" in targets, f"404 page does not link to /{path}: {sorted(targets)}"
    assert "/reference/" in targets


@pytest.fixture(scope="module")
def published_site(tmp_path_factory):
    """The site as the Pages workflow builds it: site_url, repo_url and edit_uri from the environment."""
    site = tmp_path_factory.mktemp("published")
    build_site(site, env=GITHUB)
    return site


def edit_link(html: str) -> str:
    match = re.search(r'<a href="([^"]+)" title="Edit this page"', html)
    assert match, "no edit link"
    return match.group(1)


def test_published_pages_link_to_their_sources(published_site):
    repo = GITHUB["LENSBOOK_REPO_URL"] + "/edit/main/"
    cnn = (published_site / "cnn" / "index.html").read_text(encoding="utf-8")
    assert edit_link(cnn) == repo + "docs/cnn.md"
    assert '<link rel="canonical" href="https://lensbook.example/chapter/cnn/">' in cnn
    notebook = (published_site / "interactive" / "index.html").read_text(encoding="utf-8")
    assert edit_link(notebook) == repo + "docs/interactive.py"  # the notebook's source, not a generated file
    generated = (published_site / "reference" / "lensbook" / "index.html").read_text(encoding="utf-8")
    assert 'title="Edit this page"' not in generated  # generated from docstrings: edit the modules instead


def test_published_404_page_works_below_the_site_root(published_site):
    page = (published_site / "404.html").read_text(encoding="utf-8")
    assert 'href="/chapter/cnn/"' in page  # absolute: the 404 page is served at any depth
    assert re.search(r'src="/chapter/assets/javascripts/bundle\.[0-9a-f]+\.min\.js"', page)


def test_published_notebooks_link_to_the_published_site(published_site):
    text = (published_site / "notebooks" / "interactive.ipynb").read_text(encoding="utf-8")
    assert "https://lensbook.example/chapter/cnn/" in text


def test_published_notebooks_install_the_package_and_link_their_figures(published_site):
    """A published notebook's set-up cell installs the package from the repository at the site's
    commit; its figures are at the published address."""
    import nbformat

    node = nbformat.reads((published_site / "notebooks" / "cnn.ipynb").read_text(encoding="utf-8"), as_version=4)
    setup = node.cells[0].source
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    assert f'"git+{GITHUB["LENSBOOK_REPO_URL"]}@{commit}"' in setup
    assert 'find_spec("torch") is None' in setup
    images = [m for c in node.cells if c.cell_type == "markdown" for m in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", c.source)]
    assert images and all(i.startswith(GITHUB["LENSBOOK_SITE_URL"] + "figures/") for i in images), images
