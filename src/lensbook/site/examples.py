"""What the copy button of a ``>>>`` example copies: code that runs when pasted.

The API reference shows docstring examples as an interpreter session:

>>> from lensbook.dna import one_hot
>>> one_hot("GATA").argmax(0).tolist()
[2, 0, 3, 0]

Pasted as shown, that is a ``SyntaxError``. As sphinx-copybutton does for Sphinx
sites, the copied text keeps only the lines that start with a prompt (``>>> ``
or ``... ``), without it; output lines are dropped. A docstring's examples run
(under Sybil, as doctests) in their module's namespace and so import nothing
from it; the copied text begins with the import of the names the example takes
from that module (``from lensbook.dna import one_hot`` for ``one_hot``'s own
example).

Material's copy button copies the ``data-copy`` attribute of the nearest
ancestor of the code that has one (Material 9.4.4 and later, its clipboard
integration), so the build writes the runnable text there: no script runs in
the reader's browser, and the page shows the session as before.
"""

from __future__ import annotations

import ast
import builtins
import html
import re
from html.parser import HTMLParser
from pathlib import Path

PROMPT = re.compile(r"^(?:>>>|\.\.\.)(?: |$)")


def runnable(session: str) -> str:
    """The code of an interpreter session: prompted lines without their prompt, output dropped."""
    return "\n".join(line[m.end():] for line in session.splitlines() if (m := PROMPT.match(line)))


def free_names(code: str) -> list[str]:
    """Names that ``code`` reads and neither binds nor gets from the builtins, sorted."""
    tree = ast.parse(code)
    bound = set(dir(builtins))
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            bound.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound.update((a.asname or a.name).partition(".")[0] for a in node.names)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
    read = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}
    return sorted(read - bound)


def module_names(source: Path) -> set[str]:
    """The names a module's source binds at its top level (definitions, assignments, imports)."""
    names: set[str] = set()
    for node in ast.parse(source.read_text(encoding="utf-8")).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).partition(".")[0] for a in node.names)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name))
    return names


def _relative_sources(module: str, source: Path) -> list[tuple[str, Path]]:
    """The ``lensbook`` modules that ``source`` imports relatively (``from .common import x``), with
    their files: a package re-exports objects whose examples run in the defining module."""
    package = module if source.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.parse(source.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module:
            base = source.parent / node.module.replace(".", "/")
            for path in (base.with_suffix(".py"), base / "__init__.py"):
                if path.is_file():
                    found.append((f"{package}.{node.module}", path))
                    break
    return found


def copy_text(session: str, module: str, source: Path) -> str:
    """The runnable code of ``session``, a ``>>>`` example documented in ``module`` (defined by
    ``source``), with the import of the names it takes from that module, or, for a name the
    module does not bind, from the module it re-exports the example's object from."""
    code = runnable(session)
    imports: dict[str, list[str]] = {}
    own = module_names(source)
    for name in free_names(code):
        if name in own:
            imports.setdefault(module, []).append(name)
            continue
        for other, path in _relative_sources(module, source):
            if name in module_names(path):
                imports.setdefault(other, []).append(name)
                break
    header = "".join(f"from {m} import {', '.join(names)}\n" for m, names in imports.items())
    return header + code


class _Sessions(HTMLParser):
    """Each ``<div class="language-pycon ...">`` (Pygments' interpreter sessions): where its start
    tag is, as (line, column), and its text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[tuple[int, int], str]] = []
        self._open: tuple[tuple[int, int], list[str]] | None = None
        self._depth = 0

    def handle_starttag(self, tag, attrs):
        if tag != "div":
            return
        if self._open is not None:
            self._depth += 1
        elif "language-pycon" in (dict(attrs).get("class") or "").split():
            self._open, self._depth = (self.getpos(), []), 1

    def handle_endtag(self, tag):
        if tag == "div" and self._open is not None:
            self._depth -= 1
            if self._depth == 0:
                self.found.append((self._open[0], "".join(self._open[1])))
                self._open = None

    def handle_data(self, data):
        if self._open is not None:
            self._open[1].append(data)


def with_copy_text(page_html: str, module: str, source: Path) -> str:
    """``page_html`` with a ``data-copy`` attribute (the runnable code) on each ``>>>`` example."""
    first = page_html.find('class="language-pycon')
    if first < 0:
        return page_html
    begin = page_html.rfind("<div", 0, first)  # parse from the first session on: pages are long
    head, tail = page_html[:begin], page_html[begin:]
    parser = _Sessions()
    parser.feed(tail)
    parser.close()
    starts = [0]  # where each line begins (HTMLParser counts lines by "\n" only)
    for line in tail.split("\n"):
        starts.append(starts[-1] + len(line) + 1)
    out = tail
    for (line, column), text in reversed(parser.found):
        if not text.lstrip().startswith(">>>"):
            continue
        at = starts[line - 1] + column
        if not out.startswith("<div", at):
            raise ValueError(f"expected a <div> start tag at line {line}, column {column}")
        value = html.escape(copy_text(text, module, source), quote=True).replace("\n", "&#10;")
        out = f'{out[:at]}<div data-copy="{value}"{out[at + 4:]}'
    return head + out
