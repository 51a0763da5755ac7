"""The strict build: zero warnings, one log line per figure, nothing generated committed."""

from __future__ import annotations

import pytest

import re
import subprocess
from pathlib import Path

from lensbook.figures import registry
from lensbook.site.build import build_site
from lensbook.site.rewrite import split_code

ROOT = Path(__file__).resolve().parents[1]


def test_build_is_strict_and_clean(built_site):
    _, log = built_site
    assert not re.search(r"^(WARNING|ERROR)", log, re.M), log


def test_each_figure_is_logged_with_its_time_and_written_in_both_palettes(built_site):
    site, log = built_site
    logged = dict(re.findall(r"lensbook: figure (\S+): ([\d.]+) s", log))
    assert set(logged) == set(registry.load_all())
    for name in logged:
        for suffix in ("", "-dark"):
            svg = (site / "figures" / f"{name}{suffix}.svg").read_bytes()
            assert svg.startswith(b"<?xml") and b"<svg" in svg


def test_no_generated_images_are_committed():
    tracked = subprocess.run(["git", "ls-files", "docs"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    assert not [t for t in tracked if t.endswith((".svg", ".png")) or t.startswith("docs/figures/")]


def test_no_math_token_or_placeholder_survives(built_site):
    site, _ = built_site
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "LBMATH" not in text, page
        # placeholders outside code would have been filled; inside <code> they are shown on purpose
        prose = re.sub(r"<code>.*?</code>|<pre.*?</pre>", "", text, flags=re.S)
        assert not re.search(r"\{\{|\{%|%\}", prose), page


def test_notebook_downloads_carry_no_claims_or_template_syntax(built_site):
    """A downloaded notebook shows what the page shows: numbers filled in, claims gone."""
    import json

    site, _ = built_site
    notebooks = sorted((site / "notebooks").glob("*.ipynb"))
    assert len(notebooks) >= 7
    for path in notebooks:
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] == "markdown":
                text = "".join(t for is_code, t in split_code("".join(cell["source"])) if not is_code)
                assert not re.search(r"\{\{|\{%|%\}|\bclaim\b.*%", text), f"{path.name}: {text[:200]}"


def test_the_build_logs_the_claims_it_checked(built_site):
    _, log = built_site
    counts = dict(re.findall(r"(\w+\.md) (\d+)", re.search(r"lensbook: \d+ claims checked: (.*)", log).group(1)))
    assert set(counts) >= {"index.md", "cnn.md", "rnn.md", "lstm.md", "transformer.md", "choosing.md"}


@pytest.mark.build
def test_unknown_figure_fails_the_build(tmp_path):
    """A page that names an unknown figure stops the build with the page and the name."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text("# Broken\n\n![](figures/no-such-figure.svg)\n")
    config = tmp_path / "mkdocs.yml"
    config.write_text(
        "site_name: broken\nstrict: true\n"
        f"hooks:\n  - {ROOT / 'src/lensbook/site/hook.py'}\n"
        "markdown_extensions:\n  - attr_list\n  - md_in_html\n"
    )
    build = build_site(tmp_path / "site", config=config, check=False)
    assert build.returncode != 0
    assert "index.md: unknown figure 'no-such-figure'" in build.log
