"""Section includes: a page shows library source from ``src/`` with a ``--8<--`` line.

A page shows a piece of the library's own code, never a pasted copy: the
source marks the piece with two comment lines (``# --8<-- [start:NAME]`` and
``# --8<-- [end:NAME]``), and a ``python`` block on the page holds only the
line ``--8<-- "src/lensbook/models/rnn.py:NAME"``. MkDocs fills the block in
when it renders the page (``pymdownx.snippets`` in ``mkdocs.yml``).

What reads the Markdown itself resolves the include here, with the same
extension and options (:func:`resolve_includes`):

* the page's notebook shows the included source as a listing in a Markdown
  cell (a method of a class is something to read, not a cell to run);
* Sybil (the root ``conftest.py``) checks that each include block resolves to
  Python that compiles, and runs nothing: a missing file or section fails
  the test, as ``check_paths`` fails the build.
"""

from __future__ import annotations

import re
from pathlib import Path

from .errors import SourceError

#: ``pymdownx.snippets``' options in ``mkdocs.yml``, kept equal by a test: where include paths are
#: looked up (relative to the folder of ``mkdocs.yml``), a missing one fails, sections are dedented.
BASE_PATHS = ("includes", ".")
OPTIONS = {"check_paths": True, "dedent_subsections": True}

#: A single-line include, ``--8<-- "path"`` or ``--8<-- "path:section"``, alone on its line.
INCLUDE = re.compile(r"""^[ \t]*-{1,}8<-{1,}[ \t]+(?P<quote>["'])(?P<target>.+?)(?P=quote)[ \t]*$""")
#: A ``python`` block whose lines are all includes (or blank).
INCLUDE_BLOCK = re.compile(
    r"^(?P<indent>[ \t]*)(?P<fence>```+)python[ \t]*\n"
    r"(?P<body>(?:[ \t]*-{1,}8<-{1,}[ \t]+([\"']).+?\4[ \t]*\n|[ \t]*\n)+)"
    r"(?P=indent)(?P=fence)[ \t]*$", re.M)


class IncludeError(SourceError):
    """A ``--8<--`` include names a missing file or section, or shares its block with code."""


def include_targets(block: str) -> list[str] | None:
    """The targets (``path:section``) of a code block made only of include lines, else ``None``.

    Raises
    ------
    IncludeError
        If the block mixes include lines with code: a copy of it would hold the ``--8<--`` line.

    Examples
    --------
    >>> include_targets('--8<-- "src/lensbook/models/rnn.py:rnn-cell"\\n')
    ['src/lensbook/models/rnn.py:rnn-cell']
    >>> include_targets("x = 1\\n") is None
    True
    """
    lines = [line for line in block.splitlines() if line.strip()]
    targets = [m.group("target") for m in map(INCLUDE.match, lines) if m]
    if not targets:
        return None
    if len(targets) != len(lines):
        raise IncludeError(f"a code block mixes include lines with code: {block.strip()[:120]!r}")
    return targets


def _listing(match: re.Match) -> str:
    """An include block's fence, marked as a listing of the files it shows (not ``python``: not a cell)."""
    files = ", ".join(dict.fromkeys(t.partition(":")[0] for t in include_targets(match.group("body"))))
    return f'{match.group("indent")}{match.group("fence")}python title="{files}"\n{match.group("body")}' \
           f'{match.group("indent")}{match.group("fence")}'


def resolve_includes(markdown: str, base: Path, page: str = "") -> str:
    """``markdown`` with each include replaced by what it includes; an include block becomes a listing.

    A ``python`` block made only of includes is library source to read: its fence becomes
    ``python title="src/lensbook/models/rnn.py"`` (highlighted as Python, named by its file,
    and not run as a notebook cell, which only a bare ``python`` fence becomes).

    Parameters
    ----------
    markdown : str
        A page's Markdown.
    base : Path
        The folder of ``mkdocs.yml`` (the repository root); include paths are looked up under
        :data:`BASE_PATHS` there.
    page : str, optional
        The page's name, for the error message. Default is ``""``.

    Raises
    ------
    IncludeError
        If an include names a missing file or section.

    Examples
    --------
    >>> resolve_includes("no includes here\\n", Path("."))
    'no includes here\\n'
    """
    if "8<-" not in markdown:  # nearly every page: no Markdown instance to build
        return markdown
    import markdown as python_markdown
    from pymdownx.snippets import SnippetExtension, SnippetMissingError

    marked = INCLUDE_BLOCK.sub(_listing, markdown)
    extension = SnippetExtension(base_path=[str(Path(base) / p) for p in BASE_PATHS], **OPTIONS)
    md = python_markdown.Markdown(extensions=[extension])
    try:
        lines = md.preprocessors["snippet"].run(marked.split("\n"))
    except SnippetMissingError as error:
        where = f"{page}: " if page else ""
        raise IncludeError(f"{where}{error} (looked under {', '.join(BASE_PATHS)} in {base})") from error
    return "\n".join(lines)
