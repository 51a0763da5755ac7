"""Every runtime dependency in pyproject.toml is imported by the package: none is listed for nothing."""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def requirement_names(pyproject: Path) -> list[str]:
    """The distribution names of ``[project].dependencies``, as import names (``-`` read as ``_``)."""
    data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    return [re.match(r"[A-Za-z0-9_.-]+", r).group(0).lower().replace("-", "_")
            for r in data["project"]["dependencies"]]


def imported_top_levels(package: Path) -> set[str]:
    """Top-level names imported anywhere in ``package``'s modules, inside functions too."""
    found: set[str] = set()
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                found.add(node.module.split(".")[0])
    return found


def test_every_runtime_dependency_is_imported():
    unused = set(requirement_names(ROOT / "pyproject.toml")) - imported_top_levels(ROOT / "src" / "lensbook")
    assert not unused, f"listed in [project].dependencies but imported nowhere in src/lensbook: {sorted(unused)}"


def test_the_check_sees_an_unused_dependency(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\ndependencies = ["numpy>=1", "Some-Lib>=2"]\n')
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "m.py").write_text("def f():\n    import numpy as np\n")
    names = requirement_names(tmp_path / "pyproject.toml")
    assert names == ["numpy", "some_lib"]
    assert set(names) - imported_top_levels(tmp_path / "pkg") == {"some_lib"}
