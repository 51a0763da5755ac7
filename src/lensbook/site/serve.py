"""Serve a built site on 127.0.0.1 the way a static host does: gzip for text, cache headers.

GitHub Pages (and most static hosts) compress HTML, CSS, JavaScript, JSON and
SVG on the fly and let the browser cache assets. Measuring page weight or
Lighthouse scores against a server that does neither would measure the server,
not the site, so ``make lighthouse`` serves through this handler.

>>> compressible("figures/gata-scan.svg"), compressible("assets/images/favicon.png")
(True, False)
"""

from __future__ import annotations

import functools
import gzip
import io
import http.server
import threading
from pathlib import Path

COMPRESSIBLE = (".html", ".css", ".js", ".json", ".svg", ".xml", ".txt", ".ipynb", ".map")


def compressible(path: str) -> bool:
    """True for the text types a static host sends gzip-compressed."""
    return path.lower().endswith(COMPRESSIBLE)


class StaticHandler(http.server.SimpleHTTPRequestHandler):
    """``SimpleHTTPRequestHandler`` plus gzip for text types and a ten-minute cache (as GitHub Pages sends)."""

    def log_message(self, *args):  # quiet: the caller reports what matters
        pass

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not self.path.split("?", 1)[0].split("#", 1)[0].endswith("/"):
                return super().send_head()  # the redirect to "dir/"
            path = path / "index.html"
        if not ("gzip" in self.headers.get("Accept-Encoding", "") and path.is_file() and compressible(path.name)):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=600")
        self.send_header("Vary", "Accept-Encoding")
        self.end_headers()
        return io.BytesIO(body)


def serve(directory: Path, port: int = 0) -> tuple[http.server.ThreadingHTTPServer, str]:
    """Start serving ``directory`` on 127.0.0.1 in a daemon thread; (server, base URL). Call ``server.shutdown()``."""
    directory = Path(directory)
    if not (directory / "index.html").is_file():
        raise FileNotFoundError(f"{directory} has no index.html: build the site first (make build)")
    handler = functools.partial(StaticHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"
