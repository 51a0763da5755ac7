"""Page code a reader can take away: a block that opens with its own imports runs when copied alone.

A reader copies a training run, a variant effect or a model without the blocks above it. A block
with imports of its own looks complete, so it must be: it repeats every import it relies on, uses
no other name from an earlier block (unless CONTINUES says why), and prints what it shows when run
alone. A block without imports continues the one before it (an error message, a second look at a
model) and reads as such.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import importlib.util
import io
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted((ROOT / "docs").glob("*.md")) + [ROOT / "README.md"]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)

#: (page, name) -> why a block with imports may use that name from an earlier block.
CONTINUES = {
    ("cnn.md", "model"): "the variant effect is scored by the GATA detector trained earlier on the page",
    ("cnn.md", "task"): "the oracle of the GATA detector's task, made with it earlier on the page",
}


def imported_names(tree: ast.AST) -> dict[str, str]:
    """Name bound by each import of ``tree`` -> the import statement."""
    out = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                out[(alias.asname or alias.name).split(".")[0]] = ast.unparse(node)
    return out


def free_names(tree: ast.AST) -> set[str]:
    """Names ``tree`` reads that it does not bind itself and that are not builtins."""
    bound = set(imported_names(tree))
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            bound.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
    used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    return used - bound - set(dir(builtins))


def blocks(markdown: str) -> list[tuple[int, str, ast.Module | None]]:
    """``(line, source, tree)`` of each python block; ``tree`` is None where it does not parse."""
    out = []
    for match in BLOCK.finditer(markdown):
        try:
            tree = ast.parse(match.group(1))
        except SyntaxError:   # Sybil reports it; nothing to check here
            tree = None
        out.append((markdown.count("\n", 0, match.start()) + 1, match.group(1), tree))
    return out


def copy_problems(markdown: str, page: str) -> list[str]:
    """What a block with imports of its own takes from earlier blocks: imports, or other names."""
    earlier: dict[str, str] = {}
    problems = []
    for line, _, tree in blocks(markdown):
        if tree is None:
            continue
        own = imported_names(tree)
        free = free_names(tree)
        if own:
            imports = sorted(dict.fromkeys(earlier[name] for name in free if name in earlier))
            others = sorted(n for n in free if n not in earlier and (page, n) not in CONTINUES)
            if imports:
                problems.append(f"{page} line {line}: add {', '.join(imports)}")
            if others:
                problems.append(f"{page} line {line}: uses {', '.join(others)} from an earlier block")
        earlier.update(own)
    return problems


def standalone_blocks() -> list[tuple[str, int, str]]:
    """``(page, line, source)`` of each block with imports of its own that needs nothing from earlier
    blocks, other than a page's first block (Sybil runs that one in a fresh namespace already)."""
    out = []
    for path in PAGES:
        for i, (line, source, tree) in enumerate(blocks(path.read_text(encoding="utf-8"))):
            if i and tree is not None and imported_names(tree) and not free_names(tree):
                out.append((path.name, line, source))
    return out


@pytest.mark.parametrize("path", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_a_block_with_imports_has_all_it_needs(path):
    problems = copy_problems(path.read_text(encoding="utf-8"), path.name)
    assert not problems, "\n".join(problems)


def test_continuations_give_a_reason_and_are_still_used():
    for (page, name), reason in CONTINUES.items():
        assert len(reason.split()) >= 4, f"{page}: {name} needs a reason"
        text = (ROOT / "docs" / page).read_text(encoding="utf-8")
        assert any(tree is not None and imported_names(tree) and name in free_names(tree)
                   for _, _, tree in blocks(text)), f"{page}: stale entry {name!r}"


def _root_conftest():
    spec = importlib.util.spec_from_file_location("lensbook_root_conftest_page_code", ROOT / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_alone(source: str, name: str) -> str | None:
    """Run ``source`` in a fresh namespace, as a reader's copy runs; None if it prints what its ``#>``
    lines show, else what it printed and what they show."""
    conftest = _root_conftest()
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        exec(compile(source, name, "exec"), {"__name__": "__main__"})
    want = conftest.expected_output(source)
    if conftest.OutputChecker().check_output(want, buffer.getvalue(), conftest.FLAGS):
        return None
    return f"{name}, run alone, prints\n{buffer.getvalue()}--- the page shows\n{want}"


@pytest.mark.parametrize("page, line, source", [pytest.param(*b, id=f"{b[0]}:{b[1]}") for b in standalone_blocks()])
def test_a_self_contained_block_prints_what_it_shows_when_run_alone(page, line, source):
    """No state (names, seeds, settings) from the blocks above: the copy prints what the page shows."""
    problem = run_alone(source, f"{page}:{line}")
    assert problem is None, problem


def test_running_alone_sees_a_block_that_leans_on_an_earlier_seed():
    import torch

    torch.manual_seed(0)
    shown = f"{torch.rand(1).item():.4f}"
    torch.manual_seed(0)   # as an earlier block on a page would have done
    block = f"import torch\nprint(f'{{torch.rand(1).item():.4f}}')\n#> {shown}\n"
    assert run_alone(f"import torch\ntorch.manual_seed(0)\n{block}", "seeded") is None
    torch.manual_seed(1)
    assert "run alone, prints" in run_alone(block, "leans")


def test_the_check_sees_a_missing_import_or_name_and_accepts_a_continuation():
    page = ("```python\nimport torch\nx = torch.zeros(3)\n```\n\n"
            "```python\nprint(torch.ones(1) + x)\n#> tensor([1., 1., 1.])\n```\n\n"       # continuation: fine
            "```python\nfrom lensbook import dna\ny = torch.tensor(dna.ALPHABET)\n```\n\n"   # torch missing
            "```python\nimport torch\nz = torch.zeros(1) + x\n```\n\n"                       # x from above
            "```python\nimport torch\nfor i in range(2):\n    z = torch.zeros(i)\n```\n")    # complete
    assert copy_problems(page, "p.md") == ["p.md line 11: add import torch",
                                           "p.md line 16: uses x from an earlier block"]


def test_the_words_on_train_defaults_match_its_signature():
    """cnn.md says in words what `lensbook.train.train` does by default; the words follow the code."""
    import inspect

    import torch

    from lensbook.train import train

    text = " ".join((ROOT / "docs" / "cnn.md").read_text(encoding="utf-8").split())
    defaults = {k: p.default for k, p in inspect.signature(train).parameters.items() if p.default is not p.empty}
    source = inspect.getsource(train)
    assert "[API reference][lensbook.train.train]" in text
    assert "torch.optim.AdamW(" in source and "optimises with AdamW" in text
    assert defaults["lr"] == 0.001 and "learning rate of 0.001" in text
    assert defaults["weight_decay"] == 0.0 and "no weight decay" in text
    assert inspect.signature(torch.optim.AdamW).parameters["weight_decay"].default == 0.01
    assert "AdamW's own default is 0.01" in text
    assert defaults["clip"] == 1.0 and "clip_grad_norm_" in source and "total norm of 1.0" in text
    assert defaults["seed"] == 0 and "`seed` (default 0)" in text
    assert "model.train(was_training)" in source and "back in the mode it was in" in text
