"""Every python block on the site is run by Sybil, and none hides from it."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from lensbook.site import includes

ROOT = Path(__file__).resolve().parents[1]
# the root conftest's Sybil for docs/ and README.md (loaded by path: tests/ has a conftest too)
_spec = importlib.util.spec_from_file_location("lensbook_root_conftest", ROOT / "conftest.py")
_root_conftest = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_root_conftest)
sybil_pages = _root_conftest.pages
PAGES = sorted((ROOT / "docs").rglob("*.md")) + [ROOT / "README.md"]
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>[^\n`]*)$", re.M)


def fences(text: str) -> list[tuple[str, int]]:
    """(info string, line number) of each opening code fence."""
    out, closing = [], None
    for match in FENCE.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        if closing is None:
            closing = match.group("fence")
            out.append((match.group("info").strip(), line))
        elif match.group("fence")[0] == closing[0] and len(match.group("fence")) >= len(closing) \
                and not match.group("info").strip():
            closing = None
    return out


def rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


@pytest.mark.parametrize("path", PAGES, ids=rel)
def test_every_python_fence_is_collected(path):
    text = path.read_text(encoding="utf-8")
    infos = fences(text)
    python_like = [(info, line) for info, line in infos if re.match(r"(py|python|pycon|python3)\b", info)]
    hidden = [(info, line) for info, line in python_like if info != "python"]
    assert not hidden, (f"{rel(path)}: fences that Sybil would not run (info string must be exactly "
                        f"'python'): {hidden}")
    document = sybil_pages.parse(path)
    kinds = [type(e.region.evaluator).__name__ for e in document]
    collected = [k for k in kinds if "python" in k.lower() or k in ("CheckedOutput", "IncludedSource")]
    assert len(collected) == len(python_like), (
        f"{rel(path)}: {len(python_like)} python fences but Sybil collected {len(collected)}")
    # a block of `--8<--` lines shows library source: Sybil checks that it resolves, and runs nothing
    shown = len(includes.INCLUDE_BLOCK.findall(text))
    assert kinds.count("IncludedSource") == shown, (
        f"{rel(path)}: {shown} include blocks but Sybil checks {kinds.count('IncludedSource')}")


@pytest.mark.parametrize("path", PAGES, ids=rel)
def test_blocks_paste_into_a_file(path):
    """No ``>>>`` prompts: a reader copies a block into a .py file or a notebook cell."""
    text = path.read_text(encoding="utf-8")
    for match in re.finditer(r"^```python\n(.*?)^```", text, re.S | re.M):
        assert not match.group(1).lstrip().startswith(">>>"), (
            f"{rel(path)} line {text.count(chr(10), 0, match.start()) + 1}: a '>>>' prompt in a copyable block")


@pytest.mark.parametrize("path", PAGES, ids=rel)
def test_skips_give_a_reason(path):
    text = path.read_text(encoding="utf-8")
    for match in re.finditer(r"<!--\s*(skip|invisible-code-block)\b(.*?)-->", text, re.S):
        line = text.count("\n", 0, match.start()) + 1
        assert match.group(1) == "skip", (
            f"{rel(path)} line {line}: invisible code blocks hide setup from the reader; show the code")
        assert "reason" in match.group(2), f"{rel(path)} line {line}: a skip without a reason"


def test_guard_sees_a_hidden_fence(tmp_path):
    """The guard itself: a ```py fence is reported, a ```python one collected."""
    infos = fences("text\n```py\nx = 1\n```\n```python\ny = 2\n```\n")
    assert [i for i, _ in infos] == ["py", "python"]
