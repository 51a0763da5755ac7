"""The build's own errors: one base class, so the MkDocs hook has one ``except``.

Each error says what is wrong in words an author can act on (the page and line, the
figure, the citation key); the hook turns any of them into MkDocs' ``PluginError``, which
stops the build with that message and no traceback. Anything else (a bug) keeps its
traceback.

========================================  ==========================================
``FigureError`` (``render``)              an experiment or a figure failed
``PageError`` (``rewrite``)               a page names an unknown label, bad LaTeX
``ProseError``, ``ClaimError`` (``prose``)  a template is wrong, a claim is false
``NotebookError`` (``notebook_format``)   a notebook failed to execute or convert; its
                                          subclass ``NotebookHTMLError``: mkdocs-jupyter's
                                          HTML is not as expected
``IncludeError`` (``includes``)           a ``--8<--`` include names a missing file or
                                          section
``SourceError`` (here)                    a label defined twice, an unknown citation,
                                          a bad bibliography entry, a result that
                                          lacks what an export needs
========================================  ==========================================
"""

from __future__ import annotations


class BuildError(Exception):
    """Something in the book's sources or results stops the build; the message names it."""


class SourceError(BuildError, ValueError):
    """What the build reads is inconsistent: a label defined twice, an unknown citation key,
    a malformed bibliography, a theme bundle not as expected, a result without what an export
    needs. A ``ValueError`` too, as these were before they had a class of their own."""
