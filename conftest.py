"""Sybil runs every ```python block in docs/**/*.md and README.md, and the
doctest examples in src/lensbook docstrings.

A block's printed output is written under it as ``#> `` comment lines, so a
copied block stays valid Python. The evaluator captures stdout and compares it
with those lines through doctest's OutputChecker (ELLIPSIS and NUMBER): a block
that prints without showing its output fails, and so does a block whose
output changed.

A block made only of ``--8<--`` include lines shows library source from
``src/`` (``pymdownx.snippets``, see ``lensbook.site.includes``): it is not page
code, so it is not run. Its example resolves the include as the site does and
compiles what it shows: a missing file or section, or source that is not
Python, fails it, so every include is proved to resolve.
"""

from __future__ import annotations

import contextlib
import doctest
import io
from pathlib import Path

from sybil import Sybil
from sybil.evaluators.doctest import NUMBER, OutputChecker
from sybil.evaluators.python import PythonEvaluator
from sybil.parsers.markdown import CodeBlockParser, PythonCodeBlockParser, SkipParser
from sybil.parsers.rest import DocTestParser

from lensbook.site import includes

ROOT = Path(__file__).resolve().parent
FLAGS = doctest.ELLIPSIS | NUMBER
OUTPUT_PREFIX = "#>"


def expected_output(source: str) -> str:
    """The ``#>`` lines of a block, prefix removed, as doctest wants them."""
    lines = [line.strip() for line in source.splitlines()]
    want = [line[len(OUTPUT_PREFIX):].removeprefix(" ") for line in lines if line.startswith(OUTPUT_PREFIX)]
    return "\n".join(want) + "\n" if want else ""


class CheckedOutput:
    """Run a block like Sybil's PythonEvaluator, then check stdout against its ``#>`` lines."""

    def __init__(self, inner: PythonEvaluator) -> None:
        self.inner = inner
        self.checker = OutputChecker()

    def __call__(self, example) -> None:
        __tracebackhide__ = True
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            self.inner(example)
        got, want = buffer.getvalue(), expected_output(example.parsed)
        if not self.checker.check_output(want, got, FLAGS):
            if not want:
                raise AssertionError(f"the block prints but shows no '#>' lines; it printed:\n{got}")
            raise AssertionError(
                "printed output differs from the block's '#>' lines\n"
                f"--- shown on the page\n{want}--- printed\n{got}"
            )


class IncludedSource:
    """Check an include block: it resolves (as on the site) to Python that compiles. Nothing runs."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def __call__(self, example) -> None:
        __tracebackhide__ = True
        source = includes.resolve_includes(str(example.parsed), self.root, str(example.path))   # IncludeError
        if not source.strip():
            raise AssertionError(f"the include block shows nothing: {str(example.parsed).strip()!r}")
        compile(source, f"{example.path}:{example.line} (included)", "exec")   # SyntaxError if not Python


class CheckedPythonCodeBlockParser(PythonCodeBlockParser):
    """Sybil's Markdown Python parser with the ``#>`` output check; include blocks are checked, not run."""

    codeblock_parser_class = staticmethod(
        lambda language, evaluator: CodeBlockParser(language, CheckedOutput(evaluator))
    )

    def __call__(self, document):
        for region in super().__call__(document):
            if includes.include_targets(str(region.parsed)):   # IncludeError: includes mixed with code
                region.evaluator = IncludedSource(ROOT)
            yield region


pages = Sybil(
    parsers=[CheckedPythonCodeBlockParser(), SkipParser()],
    patterns=["docs/*.md", "docs/*/*.md", "README.md"],
    name="pages",
)
docstrings = Sybil(
    parsers=[DocTestParser(optionflags=FLAGS)],
    patterns=["src/lensbook/*.py", "src/lensbook/*/*.py"],
    name="docstrings",
)

pytest_collect_file = (pages + docstrings).pytest()
