"""Section includes (lensbook.site.includes): pages show library source with `--8<--`, and the site,
Sybil and the notebooks agree on what each include shows."""

from __future__ import annotations

import importlib.util
import re
import textwrap
from pathlib import Path

import pytest
import yaml

from lensbook.site import includes, notebooks

ROOT = Path(__file__).resolve().parents[1]
CHAPTER = sorted((ROOT / "docs").glob("*.md"))
SECTION = re.compile(r"#\s*-{1,}8<-{1,}\s*\[\s*(start|end)\s*:\s*([a-z][-_0-9a-z]*)\s*\]")

SOURCE = '''\
class Cell:
    def __init__(self):
        self.w = 2

    # --8<-- [start:double]
    def forward(self, x):
        """Twice ``x``."""
        # --8<-- [start:inner]
        return self.w * x
        # --8<-- [end:inner]
    # --8<-- [end:double]
'''


@pytest.fixture
def repo(tmp_path) -> Path:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "cell.py").write_text(SOURCE)
    return tmp_path


def test_a_section_is_included_dedented_without_its_markers(repo):
    page = 'Prose.\n\n```python\n--8<-- "src/cell.py:double"\n```\n\nMore.\n'
    out = includes.resolve_includes(page, repo)
    assert out == ('Prose.\n\n```python title="src/cell.py"\n'
                   'def forward(self, x):\n    """Twice ``x``."""\n    return self.w * x\n'
                   '```\n\nMore.\n')


def test_an_include_inside_an_indented_block_keeps_the_indent(repo):
    page = '=== "Tab"\n\n    ```python\n    --8<-- "src/cell.py:inner"\n    ```\n'
    out = includes.resolve_includes(page, repo)
    assert out == '=== "Tab"\n\n    ```python title="src/cell.py"\n    return self.w * x\n    ```\n'


def test_ordinary_blocks_and_pages_without_includes_are_left_alone(repo):
    page = "```python\nx = 1\n```\n"
    assert includes.resolve_includes(page, repo) is page
    mixed = page + '\n```python\n--8<-- "src/cell.py:inner"\n```\n'
    assert includes.resolve_includes(mixed, repo).startswith("```python\nx = 1\n```\n")


@pytest.mark.parametrize("target, message", [("src/cell.py:missing", "section 'missing'"),
                                             ("src/nowhere.py", "src/nowhere.py")])
def test_a_missing_file_or_section_raises(repo, target, message):
    with pytest.raises(includes.IncludeError, match=re.escape(message)):
        includes.resolve_includes(f'```python\n--8<-- "{target}"\n```\n', repo)
    with pytest.raises(includes.IncludeError, match=r"^rnn\.md: "):
        includes.resolve_includes(f'```python\n--8<-- "{target}"\n```\n', repo, "rnn.md")


def test_include_targets():
    assert includes.include_targets('--8<-- "a.py:x"\n\n  --8<-- \'b.py\'\n') == ["a.py:x", "b.py"]
    assert includes.include_targets("print(1)\n") is None
    with pytest.raises(includes.IncludeError, match="mixes include lines with code"):
        includes.include_targets('--8<-- "a.py:x"\nprint(1)\n')


def test_the_notebook_shows_the_included_source_as_a_listing_not_a_cell(repo):
    page = 'Intro.\n\n```python\n--8<-- "src/cell.py:double"\n```\n\n```python\nprint(2)\n#> 2\n```\n'
    cells = notebooks.from_markdown(includes.resolve_includes(page, repo), "p.md")["cells"]
    assert [c["cell_type"] for c in cells] == ["markdown", "code"]
    assert "def forward(self, x):" in cells[0]["source"] and "8<-" not in cells[0]["source"]
    assert cells[1]["source"] == "print(2)\n#> 2"


def test_mkdocs_snippets_options_are_the_ones_includes_uses():
    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=Loader)
    snippets = next(e["pymdownx.snippets"] for e in config["markdown_extensions"]
                    if isinstance(e, dict) and "pymdownx.snippets" in e)
    assert tuple(snippets["base_path"]) == includes.BASE_PATHS
    assert {k: snippets.get(k) for k in includes.OPTIONS} == includes.OPTIONS


def _chapter_targets() -> list[tuple[str, str]]:
    found = []
    for page in CHAPTER:
        for match in includes.INCLUDE_BLOCK.finditer(page.read_text(encoding="utf-8")):
            found += [(page.name, t) for t in includes.include_targets(match.group("body"))]
    return found


def test_every_include_on_the_pages_resolves_to_python_and_every_marked_section_is_shown():
    targets = _chapter_targets()
    assert targets, "the pages show library source through includes"
    for page, target in targets:
        source = includes.resolve_includes(f'--8<-- "{target}"\n', ROOT)
        assert source.strip(), f"{page}: {target} shows nothing"
        compile(source, target, "exec")
    marked = {}
    for path in (ROOT / "src").rglob("*.py"):
        for kind, name in SECTION.findall(path.read_text(encoding="utf-8")):
            marked.setdefault(f"{path.relative_to(ROOT).as_posix()}:{name}", []).append(kind)
    assert all(kinds == ["start", "end"] for kinds in marked.values()), marked
    assert set(marked) == {t for _, t in targets}, "a section marked in src/ that no page shows, or the reverse"


def _root_conftest():
    spec = importlib.util.spec_from_file_location("lensbook_root_conftest_includes", ROOT / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_sybil_checks_an_include_block_and_runs_nothing(tmp_path):
    conftest = _root_conftest()
    page = tmp_path / "page.md"
    page.write_text(textwrap.dedent('''\
        ```python
        --8<-- "src/lensbook/models/rnn.py:rnn-cell"
        ```

        ```python
        --8<-- "src/lensbook/models/rnn.py:no-such-section"
        ```
        '''))
    examples = list(conftest.pages.parse(page))
    assert [type(e.region.evaluator).__name__ for e in examples] == ["IncludedSource"] * 2
    examples[0].evaluate()
    assert "forward" not in examples[0].namespace, "the included source is checked, not run"
    with pytest.raises(includes.IncludeError, match="no-such-section"):
        examples[1].evaluate()
