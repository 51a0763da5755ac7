"""The CNN page's figures that need no training: drawn in both themes, with the numbers they show."""

from __future__ import annotations

import pytest

from lensbook.experiments.dilated_receptive_field import dilated_receptive_field
from lensbook.figures import cnn as figures
from lensbook.figures import style
from lensbook.figures.registry import load_all


@pytest.mark.parametrize("theme", style.THEMES)
def test_dilated_receptive_field_draws_the_config(theme):
    r = dilated_receptive_field()
    with style.themed(theme):
        fig = figures.dilated_receptive_field(r)
        svg = style.to_svg(fig)
    assert svg.startswith(b"<?xml")
    top, grow = fig.axes
    assert grow.get_yscale() == "log"
    texts = {t.get_text() for t in grow.texts}
    assert {"10,000", "2,000", "400", "80", "640", "D=1", "D=4", "D=10", "D=25"} <= texts
    assert [t.get_text() for t in top.get_yticklabels()] == ["input", "conv D=1", "conv D=4"]
    # one line from the output to each tap, and from each tap to each base it reads
    assert len(top.lines) == 11 + 11 * 11


def test_cnn_figures_are_registered_without_python_captions():
    specs = {name: spec for name, spec in load_all().items() if spec.draw.__module__ == figures.__name__}
    assert set(specs) == {"gata-scan", "motif-cnn-auroc", "motif-cnn-logos", "motif-cnn-feature-maps",
                          "motif-cnn-ism", "deepsea-parameters", "dilated-receptive-field"}
    assert specs["dilated-receptive-field"].experiment == "dilated_receptive_field"
