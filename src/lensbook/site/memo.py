"""Build outputs memoised on disk under a content key: a warm build redoes nothing it did before.

``memo.key(*parts)`` hashes strings and bytes; ``Memo(folder)`` stores one
pickled value per key. Every part that an output depends on must be in its
key (page text, result keys, figure keys, numbering, the code that renders),
so that nothing stale can be served; nothing is read from file times.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


def key(*parts: str | bytes) -> str:
    """SHA-256 (16 hex digits) over ``parts``, each length-prefixed so that no two lists collide."""
    digest = hashlib.sha256()
    for part in parts:
        data = part if isinstance(part, bytes) else str(part).encode()
        digest.update(f"{len(data)}:".encode())
        digest.update(data)
    return digest.hexdigest()[:16]


class Memo:
    """One folder of memoised values; counts hits and misses for the build log."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.hits: list[str] = []
        self.misses: list[str] = []

    def get(self, name: str, digest: str, compute: Callable[[], T]) -> T:
        """The value stored for ``(name, digest)``, or ``compute()``'s, stored for next time."""
        path = self.folder / f"{name.replace('/', '_')}-{digest}.pkl"
        if path.exists():
            self.hits.append(name)
            return pickle.loads(path.read_bytes())
        value = compute()
        self.folder.mkdir(parents=True, exist_ok=True)
        path.write_bytes(pickle.dumps(value))
        self.misses.append(name)
        return value


def file_bytes(path: Path) -> bytes:
    """A file's bytes, or ``b""`` if it does not exist (its absence is part of a key too)."""
    return path.read_bytes() if path.exists() else b"<absent>"


