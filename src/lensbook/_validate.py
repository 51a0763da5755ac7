"""One place that checks arguments at the public boundary and raises clear errors."""

from __future__ import annotations

from typing import Any


def require(condition: bool, name: str, got: Any, expected: str) -> None:
    """Raise ``ValueError`` naming the argument, what it got and what was expected.

    Parameters
    ----------
    condition : bool
        The check; nothing happens when it is true.
    name : str
        The argument's name as the caller wrote it.
    got : Any
        The offending value (its ``repr`` is shortened to 80 characters).
    expected : str
        What the argument should have been, in words.

    Raises
    ------
    ValueError
        When ``condition`` is false.
    """
    if not condition:
        text = repr(got)
        if len(text) > 80:
            text = text[:77] + "..."
        raise ValueError(f"{name}: expected {expected}, got {text}")
