"""Content hashes of the code that produces a result: the cache keys of the build."""

from __future__ import annotations

import ast
import hashlib
import importlib.metadata
from functools import lru_cache
from pathlib import Path

_PACKAGE = "lensbook"
#: Libraries whose version joins the key of any result computed with code that imports them
#: (anywhere in the module, even inside a function): a new release can change their numbers.
VERSIONED = ("memelite", "pyjaspar")


#: The folder of the ``lensbook`` package (``src/lensbook``).
PACKAGE_DIR = Path(__file__).resolve().parents[1]


def clear_caches() -> None:
    """Forget which module files exist (a build calls this once at its start; within one build
    the answer cannot change, and a serving process rebuilds after files are added or removed)."""
    _module_file.cache_clear()


@lru_cache(maxsize=4096)
def _module_file(name: str) -> Path | None:
    """The source file of ``lensbook`` module ``name``, found by path: nothing is imported
    (``importlib.util.find_spec`` would import the parent packages, and with them torch)."""
    parts = name.split(".")
    if parts[0] != _PACKAGE or not all(part.isidentifier() for part in parts):
        return None
    base = PACKAGE_DIR.joinpath(*parts[1:])
    for path in (base / "__init__.py", base.with_suffix(".py")):
        if path.is_file():
            return path
    return None


def tree(path: Path) -> ast.Module:
    """The parsed source of ``path``; parsed again only when the file changes (a serving
    process lives through many edits)."""
    return _facts(path)[0]


def _facts(path: Path) -> tuple[ast.Module, bytes, frozenset[tuple[str, int, str]], frozenset[str]]:
    """What a file says, cached until it changes: its tree, its code (the tree dumped without
    line numbers: comments, blank lines and layout are not code), its imports
    (``(module, level, name)``) and the ``VERSIONED`` libraries it imports."""
    stat = path.stat()
    return _read(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=512)
def _read(path: str, mtime_ns: int, size: int):
    data = Path(path).read_bytes()
    module = ast.parse(data.decode("utf-8"))
    imports: set[tuple[str, int, str]] = set()
    libraries: set[str] = set()
    for node in ast.walk(module):
        if isinstance(node, ast.Import):
            imports.update((a.name, 0, "") for a in node.names)
            libraries.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            imports.update((node.module or "", node.level, a.name) for a in node.names)
            if not node.level and node.module:
                libraries.add(node.module.split(".")[0])
    code = ast.dump(module, include_attributes=False).encode()
    return module, code, frozenset(imports), frozenset(libraries & set(VERSIONED))


def _imports(name: str, path: Path) -> set[str]:
    """The ``lensbook`` modules that module ``name`` imports (absolute or relative)."""
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for module, level, member in _facts(path)[2]:
        if level:
            parts = name.split(".")
            base = parts if is_package else parts[:-1]
            base = base[: len(base) - (level - 1)]
            module = ".".join(base + ([module] if module else []))
        elif not member:  # `import lensbook.x`
            if module.split(".")[0] == _PACKAGE:
                found.add(module)
            continue
        if module.split(".")[0] != _PACKAGE:
            continue
        found.add(module)
        found.add(f"{module}.{member}")  # `from lensbook.models import cnn` imports a submodule
    return {m for m in found if _module_file(m) is not None}


def dependencies(name: str) -> frozenset[str]:
    """Module ``name`` and every ``lensbook`` module it imports, transitively."""
    seen: set[str] = set()
    todo = [name]
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        path = _module_file(module)
        if path is None:
            continue
        seen.add(module)
        todo.extend(_imports(module, path) - seen)
        # a submodule also runs its parent packages' __init__
        parent = module.rpartition(".")[0]
        if parent and parent not in seen:
            todo.append(parent)
    return frozenset(seen)


def third_party(name: str) -> set[str]:
    """The top-level packages of ``VERSIONED`` that module ``name`` imports, at any depth of its code."""
    path = _module_file(name)
    return set() if path is None else set(_facts(path)[3])


@lru_cache(maxsize=None)
def version(distribution: str) -> str:
    """An installed distribution's version (without importing it), or ``"none"``."""
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "none"


def source_hash(*modules: str, extra: str = "") -> str:
    """SHA-256 over the code of ``modules`` and their ``lensbook`` imports.

    The code is each module's syntax tree, docstrings included, without its
    comments or layout: a comment (such as a section marker that a page
    includes) or a re-wrapped line does not invalidate a result.

    The versions of torch, numpy and matplotlib are part of the key, since a
    new release can change numbers or drawing, and so are those of memelite
    and pyjaspar where the code imports them (read from the installed
    metadata: computing a key imports nothing).
    """
    digest = hashlib.sha256()
    names = sorted(set().union(*(dependencies(m) for m in modules)))
    for name in names:
        digest.update(name.encode())
        digest.update(_facts(_module_file(name))[1])
    digest.update(f"torch={version('torch')} numpy={version('numpy')} "
                  f"matplotlib={version('matplotlib')} {extra}".encode())
    libraries = sorted(set().union(*(third_party(n) for n in names)))
    if libraries:  # absent for code that uses neither, so those keys are as before
        digest.update(" ".join(f"{lib}={version(lib)}" for lib in libraries).encode())
    return digest.hexdigest()[:16]
