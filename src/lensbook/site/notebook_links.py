"""Where a notebook's links lead: to other pages of the built site, relative or absolute.

A page links to another by its Markdown file (``cnn.md#part``). On the site
MkDocs resolves that; in a downloaded notebook the link must become the
published page's URL (``site_url``), so that it still leads somewhere.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from urllib.parse import urljoin

from . import pages
from .notebook_format import NotebookError, source_of

#: A Markdown link or image: ``[text](target "title")``.
LINK = re.compile(r'(?P<open>!?\[[^\]]*\]\()(?P<target>[^)\s]+)(?P<close>(?:[ \t]+"[^"\n]*")?\))')


def outside_code(text: str, function: Callable[[str], str]) -> str:
    """Apply ``function`` to ``text`` outside inline code spans."""
    parts, last = [], 0
    for match in pages.INLINE_CODE.finditer(text):
        parts.append(function(text[last:match.start()]))
        parts.append(match.group(0))
        last = match.end()
    parts.append(function(text[last:]))
    return "".join(parts)


def relative_or(target: str, resolve: Callable[[str], str]) -> str:
    """``target`` through ``resolve``, unless it has a scheme (http:, mailto:, data:, attachment:)."""
    if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I) or target.startswith("//"):
        return target
    return resolve(target)


def relink(notebook: dict, resolve: Callable[[str], str]) -> dict:
    """A copy of ``notebook`` whose Markdown cells' relative links go through ``resolve``."""
    out = json.loads(json.dumps(notebook))
    for cell in out["cells"]:
        if cell["cell_type"] == "markdown":
            cell["source"] = outside_code(source_of(cell), lambda t: LINK.sub(
                lambda m: m["open"] + relative_or(m["target"], resolve) + m["close"], t))
    out["metadata"].pop("lensbook", None)
    return out


def site_url(config, path: str) -> str:
    """The absolute URL of ``path`` (relative to the site root) on the published site."""
    base = config.site_url or "/"
    return urljoin(base if base.endswith("/") else base + "/", path)


def edit_url(config, repo_path: str) -> str | None:
    """Material's "edit this page" URL for a file given relative to the repository root."""
    if not config.repo_url or not config.edit_uri:
        return None
    edit_uri = config.edit_uri if config.edit_uri.endswith("/") else config.edit_uri + "/"
    docs = PurePosixPath(Path(config.docs_dir).name)
    target = os.path.relpath(repo_path, docs.as_posix())
    repo = config.repo_url if config.repo_url.endswith("/") else config.repo_url + "/"
    return urljoin(urljoin(repo, edit_uri), target)


def resolver(files, config, page_uri: str, absolute: bool, strict: bool = True) -> Callable[[str], str]:
    """How a relative link on page ``page_uri`` resolves: to a page-relative or an absolute URL.

    A link to nothing raises ``NotebookError``, or with ``strict=False`` stays as written
    (on a Markdown page, MkDocs's own link check reports it).
    """
    by_uri = {f.src_uri: f for f in files}
    here = by_uri[page_uri]

    def resolve(target: str) -> str:
        path, _, anchor = target.partition("#")
        suffix = f"#{anchor}" if anchor else ""
        if not path:
            return (site_url(config, here.url) if absolute else "") + suffix
        uri = os.path.normpath(os.path.join(os.path.dirname(page_uri), path)).replace(os.sep, "/")
        hit = by_uri.get(uri)
        if hit is None:
            if not strict:
                return target
            raise NotebookError(f"{page_uri}: link to {target!r}, which is not in the site")
        return (site_url(config, hit.url) if absolute else hit.url_relative_to(here)) + suffix

    return resolve
