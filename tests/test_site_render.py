"""The figure pipeline: cache keys, determinism, errors that name the figure."""

import pytest

from lensbook.experiments import registry as experiments
from lensbook.figures import registry as figures
from lensbook.site import render, sources


def test_every_figure_names_a_registered_experiment():
    known = experiments.load_all()
    for name, spec in figures.load_all().items():
        assert spec.experiment in known, f"figure {name} names unknown experiment {spec.experiment}"


def test_dependencies_follow_relative_imports():
    deps = sources.dependencies("lensbook.figures.cnn")
    assert {"lensbook.experiments.cnn", "lensbook.dna", "lensbook.figures.style"} <= deps
    assert "lensbook.site.render" not in deps


def test_same_code_gives_same_bytes_in_fresh_caches(tmp_path):
    a = render.render_figures(["gata-scan"], cache_dir=tmp_path / "a", workers=0)["gata-scan"]
    b = render.render_figures(["gata-scan"], cache_dir=tmp_path / "b", workers=0)["gata-scan"]
    assert not a.cached and not b.cached
    assert a.svg == b.svg
    assert b"<svg" in a.svg["light"] and a.svg["light"] != a.svg["dark"]
    assert b"Date" not in a.svg["light"]
    again = render.render_figures(["gata-scan"], cache_dir=tmp_path / "a", workers=0)["gata-scan"]
    assert again.cached and again.svg == a.svg


def test_unknown_figure_is_an_error(tmp_path):
    with pytest.raises(render.FigureError, match="unknown figure.*'nope'"):
        render.render_figures(["nope"], cache_dir=tmp_path)


def test_a_failing_figure_stops_with_its_name(tmp_path, monkeypatch):
    def broken(result):
        raise RuntimeError("boom")

    figures.load_all()
    monkeypatch.setitem(figures.FIGURES, "broken-figure",
                        figures.FigureSpec("broken-figure", "gata_scan", broken))
    with pytest.raises(render.FigureError, match=r"figure 'broken-figure' failed: RuntimeError: boom"):
        render.render_figures(["broken-figure"], cache_dir=tmp_path, workers=0)


def test_a_failing_experiment_stops_with_its_name(tmp_path, monkeypatch):
    def broken():
        raise ValueError("bad data")

    experiments.load_all()
    monkeypatch.setitem(experiments.EXPERIMENTS, "broken_experiment", broken)
    with pytest.raises(render.FigureError, match=r"experiment 'broken_experiment' failed: ValueError: bad data"):
        render.run_experiments(["broken_experiment"], tmp_path, workers=0)


def test_unknown_experiment_is_an_error(tmp_path):
    with pytest.raises(render.FigureError, match="unknown experiment"):
        render.run_experiments(["no_such_experiment"], tmp_path)


def test_memelite_and_pyjaspar_versions_join_the_keys_of_the_code_that_uses_them(monkeypatch):
    """An upgrade of either library must not serve results it did not compute."""
    assert sources.third_party("lensbook.motifs") == {"memelite", "pyjaspar"}
    assert sources.third_party("lensbook.dna") == set()
    motifs_key, dna_key = sources.source_hash("lensbook.motifs"), sources.source_hash("lensbook.dna")
    real = sources.version
    monkeypatch.setattr(sources, "version", lambda name: "99.0" if name == "memelite" else real(name))
    assert sources.source_hash("lensbook.motifs") != motifs_key
    assert sources.source_hash("lensbook.dna") == dna_key


def test_the_listing_read_from_the_sources_is_the_registry():
    """Keys are computed from the sources without importing the code: the listing must be exact."""
    static_experiments = {n: m for n, (m, _) in render._registrations("experiments", "experiment").items()}
    static_figures = {n: (m, kw["experiment"]) for n, (m, kw) in render._registrations("figures", "figure").items()}
    assert static_experiments == {n: f.__module__ for n, f in experiments.load_all().items()}
    assert static_figures == {n: (s.draw.__module__, s.experiment) for n, s in figures.load_all().items()}


def test_module_files_are_found_without_importing(tmp_path):
    import subprocess
    import sys

    code = ("import sys; from lensbook.site import sources; "
            "print(sources.source_hash('lensbook.experiments.memory')); print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == [sources.source_hash("lensbook.experiments.memory"), "False"]


def test_a_figure_with_a_phone_layout_is_drawn_twice_per_theme(tmp_path, monkeypatch):
    """``narrow=True``: the function draws again inside ``style.layout("narrow")``; the build
    serves that drawing as NAME-narrow.svg (and NAME-narrow-dark.svg)."""
    from lensbook.figures import style

    seen = []

    def draw(result):
        seen.append((style.current_theme(), style.current_layout()))
        fig, ax = style.new_figure(3.7 if style.is_narrow() else 7.0, 2.0)
        ax.set_title("narrow" if style.is_narrow() else "wide")
        return fig

    figures.load_all()
    monkeypatch.setitem(figures.FIGURES, "phone-demo", figures.FigureSpec("phone-demo", "gata_scan", draw, narrow=True))
    rendered = render.render_figures(["phone-demo"], cache_dir=tmp_path, workers=0)["phone-demo"]
    assert sorted(rendered.svg) == ["dark", "dark-narrow", "light", "light-narrow"]
    assert sorted(seen) == [("dark", "narrow"), ("dark", "wide"), ("light", "narrow"), ("light", "wide")]
    assert b'width="266.4pt"' in rendered.svg["light-narrow"] and b'width="504pt"' in rendered.svg["light"]


def test_keys_follow_the_code_not_its_comments_or_layout(tmp_path, monkeypatch):
    package = tmp_path / "lensbook"
    package.mkdir()
    (package / "__init__.py").write_text("")
    module = package / "thing.py"
    monkeypatch.setattr(sources, "PACKAGE_DIR", package)
    sources.clear_caches()

    def key(text):
        module.write_text(text)
        sources._read.cache_clear()
        return sources.source_hash("lensbook.thing")

    base = key("def f(x):\n    return x + 1\n")
    assert key("# --8<-- [start:f]\ndef f(x):\n\n    return x + 1   # one more\n# --8<-- [end:f]\n") == base
    assert key("def f(x):\n    return x + 2\n") != base
    assert key('def f(x):\n    """Add one."""\n    return x + 1\n') != base      # docstrings are shown: they count
    sources.clear_caches()
