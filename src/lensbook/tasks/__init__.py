"""Synthetic tasks: data generated from a known model, so the best possible score is computable.

Every task the lens matrix (docs/choosing.md) compares follows ``Task``; page
experiments may use more of a task's own API.
"""

from .base import Task

__all__ = ["Task"]
