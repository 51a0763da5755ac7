"""The Transformer page's query/key/value schematic: drawn from the model's shapes, legible in both themes."""

import pytest
from matplotlib.figure import Figure

from lensbook.experiments import qkv_schematic as qkv
from lensbook.figures import style
from lensbook.figures import transformer as figures
from lensbook.figures.registry import FIGURES


@pytest.fixture(scope="module")
def shapes():
    return qkv.qkv_schematic()


def _texts(fig: Figure) -> list:
    return [t for ax in fig.axes for t in ax.texts if t.get_text()]      # annotate() arrows carry no text


@pytest.mark.parametrize("theme", style.THEMES)
def test_schematic_states_the_models_shapes(shapes, theme):
    with style.themed(theme):
        fig = figures.qkv_schematic(shapes)
        ink = style.ink()
    text = " ".join(t.get_text() for t in _texts(fig))
    c = shapes.config
    for name in ("x", "Q", "K", "V", "W_Q", "W_K", "W_V", "W_O", "Z_head", "output"):
        assert figures._shape(shapes.shapes[name]) in text, name
    assert f"\\sqrt{{{shapes.d_head}}}" in text and f"{c.heads} heads" in text
    assert "softmax" in text and "weighted sum" in text
    assert all(t.get_color() == ink for t in _texts(fig))   # text in the theme's ink


def test_schematic_is_narrow_and_its_text_is_large_enough_for_a_phone(shapes):
    with style.themed("light"):
        fig = figures.qkv_schematic(shapes)
    width_px = fig.get_figwidth() * fig.dpi
    # shown at most 358 px wide on a 390-px phone: text must stay >= 12 px there
    scale = min(1.0, 358 / width_px)
    assert min(t.get_fontsize() for t in _texts(fig)) * fig.dpi / 72 * scale >= 12


def test_schematic_text_stays_inside_the_figure(shapes):
    with style.themed("light"):
        fig = figures.qkv_schematic(shapes)
    width, height = fig.bbox.width, fig.bbox.height
    for t in _texts(fig):
        box = t.get_window_extent()
        assert box.x0 >= 0 and box.y0 >= 0 and box.x1 <= width and box.y1 <= height, t.get_text()


def test_schematic_is_registered_with_its_experiment():
    spec = FIGURES["qkv-schematic"]
    assert spec.experiment == "qkv_schematic"
