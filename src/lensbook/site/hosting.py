"""Served anywhere: a built site keeps instant navigation and hover previews at any address.

Material finds the pages it may load without a reload (instant navigation) and
preview on hover in ``sitemap.xml``, whose addresses start with ``site_url``.
It moves each address to the reader's scheme and host name, but not to the
port or the folder the site is served from, so a local build (whose
``site_url`` is ``make serve``'s ``http://127.0.0.1:8000/``) served on any
other port, or a site served from another folder, silently falls back to full
page loads and loses its previews.

``patch_bundle`` changes that one function of Material's script in the built
site: an address under ``site_url`` is moved under the site's actual root (the
``base`` Material resolves against the page's own address), anything else is
treated as before. A Material release whose script no longer has the function
stops the build, so the fix cannot silently lapse.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from .errors import SourceError

#: Material 9.x: ``function fi(e,t){return e.protocol=t.protocol,e.hostname=t.hostname,e}``
MARKER = "/*lensbook:served-anywhere*/"
REBASE = re.compile(r"function (\w+)\((\w+),(\w+)\)\{return \2\.protocol=\3\.protocol,\2\.hostname=\3\.hostname,\2\}")


def patched(script: str, site_url: str) -> str:
    """Material's bundle with its sitemap address mapping rebased from ``site_url`` to the served root.

    >>> once = patched("x;function fi(e,t){return e.protocol=t.protocol,e.hostname=t.hostname,e}", "http://a:1/")
    >>> once[:72]
    'x;function fi(e,t){/*lensbook:served-anywhere*/let s="http://a:1/";retur'
    >>> patched(once, "http://a:1/") == once  # patching twice changes nothing
    True
    """
    if MARKER in script:  # patched already (a --dirty rebuild leaves the copied bundle in place)
        return script
    matches = REBASE.findall(script)
    if len(matches) != 1:
        raise SourceError(f"Material's bundle: expected one sitemap address function, found {len(matches)}")
    name, url, base = matches[0]
    root = json.dumps(site_url if site_url.endswith("/") else site_url + "/")
    replacement = (f"function {name}({url},{base}){{{MARKER}let s={root};return {url}.href.startsWith(s)"
                   f"?new URL({url}.href.slice(s.length),{base})"
                   f":({url}.protocol={base}.protocol,{url}.hostname={base}.hostname,{url})}}")
    return REBASE.sub(lambda _: replacement, script)


def patch_bundle(site_dir: Path, site_url: str | None) -> Path | None:
    """Patch ``assets/javascripts/bundle.*.min.js`` in a built site; the file patched, or None without a site_url."""
    if not site_url:
        return None
    bundles = sorted(Path(site_dir).glob("assets/javascripts/bundle.*.min.js"))
    if len(bundles) != 1:
        raise SourceError(f"{site_dir}: expected one Material bundle, found {[b.name for b in bundles]}")
    bundle = bundles[0]
    bundle.write_text(patched(bundle.read_text(encoding="utf-8"), site_url), encoding="utf-8")
    return bundle
