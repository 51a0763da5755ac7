"""Page code a reader can take away: a block that opens with its own imports repeats every import it
relies on, so a reader who copies it alone (a training run, a variant effect, a model) gets them all.

A block without imports continues the one before it (an error message, a second look at a model)
and reads as such; a block with some imports looks complete, and must be.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted((ROOT / "docs").glob("*.md")) + [ROOT / "README.md"]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def imported_names(tree: ast.AST) -> dict[str, str]:
    """Name bound by each import of ``tree`` -> the import statement."""
    out = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                out[(alias.asname or alias.name).split(".")[0]] = ast.unparse(node)
    return out


def missing_imports(markdown: str) -> list[tuple[int, list[str]]]:
    """``(line, imports)`` of each block with imports of its own that uses a name imported only earlier."""
    earlier: dict[str, str] = {}
    problems = []
    for match in BLOCK.finditer(markdown):
        try:
            tree = ast.parse(match.group(1))
        except SyntaxError:   # Sybil reports it; nothing to check here
            continue
        own = imported_names(tree)
        bound = set(own) | {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
        bound |= {n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
        used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
        needed = sorted(dict.fromkeys(earlier[name] for name in used - bound if name in earlier))
        if own and needed:
            problems.append((markdown.count("\n", 0, match.start()) + 1, needed))
        earlier.update(own)
    return problems


@pytest.mark.parametrize("path", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_a_block_with_imports_has_all_it_needs(path):
    problems = missing_imports(path.read_text(encoding="utf-8"))
    assert not problems, "\n".join(f"{path.name} line {line}: add {', '.join(needed)}" for line, needed in problems)


def test_the_check_sees_a_missing_import_and_accepts_a_continuation():
    page = ("```python\nimport torch\nx = torch.zeros(3)\n```\n\n"
            "```python\nprint(torch.ones(1) + x)\n#> tensor([1., 1., 1.])\n```\n\n"       # continuation: fine
            "```python\nfrom lensbook import dna\ny = torch.tensor(dna.ALPHABET)\n```\n\n"   # torch missing
            "```python\nimport torch\nfrom lensbook import dna\nz = torch.zeros(1)\n```\n")
    assert missing_imports(page) == [(11, ["import torch"])]


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
