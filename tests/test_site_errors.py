"""One base class for the build's errors, and the hook's one ``except`` for them."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest
from mkdocs.exceptions import PluginError

import lensbook.site
from lensbook.site import errors, hook


def site_error_classes() -> dict[str, type]:
    """Every exception class defined in a module of ``lensbook.site`` whose name ends in ``Error``."""
    found = {}
    for info in pkgutil.iter_modules(lensbook.site.__path__):
        if info.name == "__main__":
            continue
        module = importlib.import_module(f"lensbook.site.{info.name}")
        for name, obj in vars(module).items():
            if (isinstance(obj, type) and issubclass(obj, Exception) and name.endswith("Error")
                    and obj.__module__ == module.__name__):
                found[f"{module.__name__}.{name}"] = obj
    return found


def test_every_error_of_the_build_is_a_build_error():
    classes = site_error_classes()
    assert {"lensbook.site.render.FigureError", "lensbook.site.prose.ClaimError", "lensbook.site.errors.SourceError",
            "lensbook.site.rewrite.PageError"} <= set(classes)
    assert any(name.endswith(".NotebookError") for name in classes)
    assert not [name for name, cls in classes.items() if not issubclass(cls, errors.BuildError)]


def test_source_errors_are_still_value_errors():
    """Callers (and tests) that caught ``ValueError`` before the class existed still do."""
    from lensbook.site import apparatus

    assert issubclass(errors.SourceError, ValueError)
    with pytest.raises(errors.SourceError, match="defined twice"):
        apparatus.number([("a.md", "![](figures/x.svg)\n"), ("b.md", "![](figures/x.svg)\n")])


def test_the_hook_turns_a_build_error_into_a_plugin_error_and_leaves_bugs_alone():
    @hook.stops_the_build
    def on_something(value):
        raise value

    with pytest.raises(PluginError, match="^figure 'x' failed$") as raised:
        on_something(errors.BuildError("figure 'x' failed"))
    assert isinstance(raised.value.__cause__, errors.BuildError)
    with pytest.raises(KeyError):
        on_something(KeyError("a bug keeps its traceback"))
    assert on_something.__name__ == "on_something"


def test_the_hook_has_one_except_and_every_event_goes_through_it():
    tree = ast.parse(Path(hook.__file__).read_text(encoding="utf-8"))
    handlers = [node for node in ast.walk(tree) if isinstance(node, ast.ExceptHandler)]
    assert len(handlers) == 1 and ast.unparse(handlers[0].type) == "BuildError"
    events = [node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name.startswith("on_")]
    assert events and all([ast.unparse(d) for d in node.decorator_list] == ["stops_the_build"] for node in events)
