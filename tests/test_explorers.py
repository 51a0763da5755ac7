"""The in-browser explorers: the JSON the hook writes (lensbook.site.explorers) and the
pages' scripts (docs/assets/explorers/) against PyTorch, in headless Chromium."""

from __future__ import annotations

import json
import os
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from lensbook import dna
from lensbook.experiments.long_range import DistanceResult
from lensbook.models.cnn import MotifCNN
from lensbook.models.transformer import HybridConfig, HybridTransformer
from lensbook.site import explorers, render

ROOT = Path(__file__).resolve().parents[1]
browser = pytest.mark.browser


# --- the JSON export, on stand-in results --------------------------------------------------------


def _motif_result(n_filters: int = 3, width: int = 5) -> SimpleNamespace:
    rng = np.random.default_rng(0)
    filters = [SimpleNamespace(searched=True, match_name="GATA5", match_id="MA0766.3", p_value=1.234e-8, n_sites=40),
               SimpleNamespace(searched=False, match_name="", match_id="", p_value=1.0, n_sites=0),
               SimpleNamespace(searched=False, match_name="", match_id="", p_value=1.0, n_sites=12)]
    return SimpleNamespace(conv_weight=rng.normal(size=(n_filters, 4, width)).astype(np.float32),
                           conv_bias=rng.normal(size=n_filters).astype(np.float32), filters=filters[:n_filters],
                           seed=0, length=200, example="ACGT" * 10)


def _distance_result() -> SimpleNamespace:
    config = HybridConfig()
    torch.manual_seed(0)
    model = HybridTransformer(config)
    state = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
    return SimpleNamespace(transformer_config=config, transformer_state=state, seeds=(0, 1),
                           example_sequences=("A" * 1000, "C" * 1000), example_enhancer_starts=(120, -1),
                           promoter_start=800, attention=SimpleNamespace(head=(1, 0)))


def test_motif_scanner_json_has_every_filter_and_its_label():
    result = _motif_result()
    data = explorers.motif_scanner(result)
    assert data["width"] == 5 and data["alphabet"] == "ACGT" and data["example"] == result.example
    assert [f["label"] for f in data["filters"]] == ["GATA5", "silent", "no clear motif"]
    assert [f["match_id"] for f in data["filters"]] == ["MA0766.3", "", ""]
    for f, weight, bias in zip(data["filters"], result.conv_weight, result.conv_bias):
        assert np.asarray(f["weight"]).shape == (4, 5)
        np.testing.assert_allclose(f["weight"], weight, rtol=1e-7, atol=0)
        assert f["bias"] == pytest.approx(float(bias), rel=1e-7)
    json.dumps(data)  # plain JSON types only


def test_motif_scanner_refuses_a_result_without_weights():
    result = _motif_result()
    result.conv_weight = np.zeros((0, 4, 0), dtype=np.float32)
    with pytest.raises(ValueError, match="first-layer weights"):
        explorers.motif_scanner(result)


def test_attention_json_has_every_layer_in_torch_layout():
    result = _distance_result()
    data = explorers.attention(result)
    config = result.transformer_config
    assert (data["bins"], data["d_model"], data["heads"], data["readout_bin"]) == (
        config.bins, config.d_model, config.heads, config.readout_bin)
    shapes = {"stem": ((2, 4, 8), (2,)), "embed": ((16, 2), (16,)), "query": ((16, 16), (16,)),
              "key": ((16, 16), (16,)), "value": ((16, 16), (16,)), "out": ((16, 16), (16,)),
              "readout": ((1, 16), (1,))}
    for name, (weight, bias) in shapes.items():
        assert np.asarray(data[name]["weight"]).shape == weight, name
        assert np.asarray(data[name]["bias"]).shape == bias, name
    np.testing.assert_allclose(data["query"]["weight"], result.transformer_state["attention.query.weight"], rtol=1e-7)
    assert data["head_read"] == 1
    positive, negative = data["sequences"]
    assert positive["enhancer"] and positive["enhancer_bin"] == 3 and positive["distance"] == 680
    assert not negative["enhancer"] and "enhancer_bin" not in negative
    json.dumps(data)


def test_attention_refuses_a_result_without_a_model():
    result = _distance_result()
    result.transformer_state = None
    with pytest.raises(ValueError, match="no trained Transformer"):
        explorers.attention(result)


def test_files_writes_both_explorers_under_their_paths():
    out = explorers.files({"motif_cnn": _motif_result(), "long_range": _distance_result(), "other": object()})
    assert set(out) == {explorers.MOTIF_SCANNER, explorers.ATTENTION}
    assert json.loads(out[explorers.MOTIF_SCANNER])["model"] == "MotifCNN"
    assert explorers.files({}) == {}


def test_distance_result_keeps_its_old_fields_and_defaults():
    names = [f for f in DistanceResult.__dataclass_fields__]
    assert names.index("attention") < names.index("transformer_state")
    assert DistanceResult.__dataclass_fields__["transformer_state"].default is None


def test_long_range_keeps_the_first_seeds_transformer_and_test_sequences():
    from lensbook.experiments import long_range

    r = long_range.accuracy_vs_distance(models=("Transformer",), seeds=(1, 2), steps=3, stem_steps=3, n_test=30,
                                        band=200)
    assert r.transformer_config == HybridConfig()
    model = HybridTransformer(r.transformer_config)
    model.load_state_dict({k: torch.from_numpy(v) for k, v in r.transformer_state.items()})  # every parameter
    assert [s >= 0 for s in r.example_enhancer_starts] == [True, True, False]
    for sequence, start in zip(r.example_sequences, r.example_enhancer_starts):
        assert len(sequence) == r.length and set(sequence) <= set("ACGT")
    data = explorers.attention(r)
    assert data["seed"] == 1 and data["head_read"] == r.attention.head[0]
    assert [s["enhancer"] for s in data["sequences"]] == [True, True, False]


def test_motif_cnn_keeps_its_first_layer(monkeypatch):
    from lensbook.experiments import cnn

    def unsearched(model, x):  # no Tomtom here: every filter reads as below the information threshold
        return [cnn.FilterMatch(f, np.zeros((4, model.width)), 0, 0.0, "", "", (), np.zeros((4, 0)), 1.0, 0, 0)
                for f in range(model.conv.out_channels)]

    monkeypatch.setattr(cnn, "_read_filters", unsearched)
    r = cnn.motif_cnn(steps=5, anneal_steps=5, n_test=200)
    assert r.conv_weight.shape == (r.n_filters, 4, r.width) and r.conv_bias.shape == (r.n_filters,)
    model = MotifCNN(r.n_filters, r.width)
    with torch.no_grad():
        model.conv.weight.copy_(torch.from_numpy(r.conv_weight))
        model.conv.bias.copy_(torch.from_numpy(r.conv_bias))
        maps = model.scan(dna.one_hot(r.example)[None])[0].numpy()
    np.testing.assert_allclose(maps, r.example_maps, atol=1e-6)   # the weights the page's feature maps came from
    assert [f["label"] for f in explorers.motif_scanner(r)["filters"]] == ["silent"] * r.n_filters


# --- in the browser, against the trained models -------------------------------------------------


@pytest.fixture(scope="module")
def trained():
    """The build's results of motif_cnn and long_range (cached by the build)."""
    cache = Path(os.environ.get("LENSBOOK_CACHE", ROOT / ".cache" / "lensbook")).absolute()
    out = render.run_experiments(["motif_cnn", "long_range"], cache, workers=0)
    return {k: v[0] for k, v in out.items()}


@pytest.fixture()
def page(browser, served_site):
    context = browser.new_context()
    page = context.new_page()
    page.errors = []
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    yield page
    context.close()


def _open(page, url: str, explorer: str) -> None:
    page.goto(url, wait_until="networkidle")
    page.wait_for_selector(f".lensbook-explorer[data-explorer='{explorer}'][data-ready='true']", timeout=15000)


SCANNER = ".lensbook-explorer[data-explorer='motif-scanner']"
ATTENTION = ".lensbook-explorer[data-explorer='attention']"


def _python_scan(result, sequence: str) -> np.ndarray:
    model = MotifCNN(result.n_filters, result.width)
    with torch.no_grad():
        model.conv.weight.copy_(torch.from_numpy(result.conv_weight))
        model.conv.bias.copy_(torch.from_numpy(result.conv_bias))
        return model.scan(dna.one_hot(sequence)[None])[0].numpy()      # (F, L - w + 1)


@browser
def test_scanner_matches_the_trained_first_layer(page, served_site, trained):
    result = trained["motif_cnn"]
    _open(page, served_site + "/cnn/", "motif-scanner")
    rng = np.random.default_rng(3)
    sequences = [result.example, result.ism_sequence,
                 "".join(rng.choice(list("ACGT"), 300)) + "N" * 3 + "".join(rng.choice(list("ACGT"), 97))]
    worst = 0.0
    for sequence in sequences:
        js = np.array(page.evaluate("s => window.lensbookExplorers.motifScores(s)", sequence))
        py = _python_scan(result, sequence)
        assert js.shape == py.shape == (result.n_filters, len(sequence) - result.width + 1)
        worst = max(worst, float(np.abs(js - py).max()))
    print(f"motif scanner: max |browser - PyTorch| = {worst:.2e}")
    assert worst < 1e-4
    # lower case reads as upper case
    lower = np.array(page.evaluate("s => window.lensbookExplorers.motifScores(s)", result.example.lower()))
    np.testing.assert_allclose(lower, _python_scan(result, result.example), atol=1e-4)
    assert not page.errors


@browser
def test_scanner_redraws_as_the_reader_types(page, served_site, trained):
    result = trained["motif_cnn"]
    _open(page, served_site + "/cnn/", "motif-scanner")
    box = page.locator(f"{SCANNER} textarea")
    assert box.input_value() == result.example
    rows = page.locator(f"{SCANNER} tbody tr")
    assert rows.count() == result.n_filters
    # a GATA-like site typed into a short sequence: the table follows the text
    box.fill("")
    box.press_sequentially("CCTTAGATAAGGCCTTAAGG", delay=5)
    summary = page.locator(f"{SCANNER} .lensbook-explorer__summary").inner_text()
    assert summary.startswith("20 bp, 7 windows")
    best = page.locator(f"{SCANNER} tbody tr").first.locator("td").all_inner_texts()
    py = _python_scan(result, "CCTTAGATAAGGCCTTAAGG")
    assert float(best[2]) == pytest.approx(py.max(), abs=0.006)
    canvas = page.eval_on_selector(f"{SCANNER} canvas", "c => [c.width, c.height, c.getAttribute('aria-label')]")
    assert canvas[0] > 0 and canvas[1] > 0 and "20-bp" in canvas[2]
    assert page.locator(f"{SCANNER} .lensbook-explorer__problems").is_hidden()
    assert not page.errors


@browser
def test_scanner_flags_what_is_not_dna(page, served_site):
    _open(page, served_site + "/cnn/", "motif-scanner")
    box = page.locator(f"{SCANNER} textarea")
    problems = page.locator(f"{SCANNER} .lensbook-explorer__problems")
    assert problems.get_attribute("role") == "status"
    box.fill("ACGTXACGT")
    assert problems.is_visible()
    text = problems.inner_text()
    assert "\u201cX\u201d at position 5" in text and text.startswith("1 character")
    assert box.get_attribute("aria-invalid") == "true"
    assert "at least 14 bases" in page.locator(f"{SCANNER} .lensbook-explorer__summary").inner_text()
    box.fill(">chr1 test\nACGTACGTAC GTACGT\nacgt*ACGT\n")
    assert "\u201c*\u201d at position 21" in problems.inner_text()
    for text in ("", "   ", "\u00e9\u00df\u0000", "N" * 30, "ACGT" * 4):   # nothing crashes
        box.fill(text)
    assert problems.is_hidden()
    assert not page.errors


def _python_attention(result, sequence: str):
    model = HybridTransformer(result.transformer_config)
    model.load_state_dict({k: torch.from_numpy(v) for k, v in result.transformer_state.items()})
    model.eval()
    with torch.no_grad():
        out = model(dna.one_hot(sequence)[None])
    return out.attention[0].numpy(), float(out.logit[0])


@browser
def test_attention_matches_the_trained_transformer(page, served_site, trained):
    result = trained["long_range"]
    _open(page, served_site + "/transformer/", "attention")
    assert result.example_enhancer_starts[0] >= 0          # a sequence with the enhancer
    worst = 0.0
    for sequence in result.example_sequences:
        js = page.evaluate("s => window.lensbookExplorers.attention(s)", sequence)
        alpha, logit = _python_attention(result, sequence)
        got = np.array(js["attention"])
        assert got.shape == alpha.shape == (result.transformer_config.heads, result.bins, result.bins)
        worst = max(worst, float(np.abs(got - alpha).max()))
        assert js["logit"] == pytest.approx(logit, abs=1e-3)
    print(f"attention explorer: max |browser - PyTorch| = {worst:.2e}")
    assert worst < 1e-4
    # the rows drawn on the page: the promoter's bin of the first (positive) sequence
    alpha, _ = _python_attention(result, result.example_sequences[0])
    readout = result.transformer_config.readout_bin
    for head in range(alpha.shape[0]):
        shown = json.loads(page.get_attribute(f"{ATTENTION} .lensbook-explorer__chart[data-head='{head}']", "data-row"))
        np.testing.assert_allclose(shown, alpha[head, readout], atol=1e-4)
    mean = json.loads(page.get_attribute(f"{ATTENTION} .lensbook-explorer__chart[data-head='mean']", "data-row"))
    np.testing.assert_allclose(mean, alpha[:, readout].mean(axis=0), atol=1e-4)
    assert not page.errors


@browser
def test_attention_works_with_the_keyboard_alone(page, served_site, trained):
    result = trained["long_range"]
    readout = result.transformer_config.readout_bin
    _open(page, served_site + "/transformer/", "attention")
    slider = page.locator(f"{ATTENTION} [role='slider']")
    assert slider.get_attribute("aria-valuenow") == str(readout) and slider.get_attribute("aria-label")
    alpha, _ = _python_attention(result, result.example_sequences[0])
    slider.focus()
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    assert slider.get_attribute("aria-valuenow") == str(readout - 2)
    shown = json.loads(page.get_attribute(f"{ATTENTION} .lensbook-explorer__chart[data-head='0']", "data-row"))
    np.testing.assert_allclose(shown, alpha[0, readout - 2], atol=1e-4)
    page.keyboard.press("End")
    assert slider.get_attribute("aria-valuenow") == str(result.bins - 1)
    page.keyboard.press("Home")
    page.keyboard.press("ArrowRight")
    assert slider.get_attribute("aria-valuenow") == "1"
    status = page.locator(f"{ATTENTION} [role='status']").inner_text()
    assert status.startswith("Query bin 1")
    # Shift+Tab reaches the sequence choice; arrow keys switch to the next sequence
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("ArrowDown")
    assert page.locator(f"{ATTENTION} input[type='radio']").nth(1).is_checked()
    alpha, _ = _python_attention(result, result.example_sequences[1])
    shown = json.loads(page.get_attribute(f"{ATTENTION} .lensbook-explorer__chart[data-head='0']", "data-row"))
    np.testing.assert_allclose(shown, alpha[0, 1], atol=1e-4)
    # a click picks a bin too
    box = slider.bounding_box()
    page.mouse.click(box["x"] + box["width"] * (readout + 0.5) / result.bins, box["y"] + box["height"] / 2)
    assert slider.get_attribute("aria-valuenow") == str(readout)
    assert not page.errors


@browser
def test_explorers_start_after_instant_navigation(page, served_site):
    page.goto(served_site + "/", wait_until="networkidle")
    page.click("a.md-nav__link[href$='cnn/']")
    page.wait_for_url("**/cnn/")
    page.wait_for_selector(f"{SCANNER}[data-ready='true'] textarea", timeout=15000)
    assert page.evaluate("() => window.lensbookExplorers.motifScores('ACGTACGTACGTACGTAC').length") > 0
    page.click("a.md-nav__link[href$='transformer/']")
    page.wait_for_url("**/transformer/")
    page.wait_for_selector(f"{ATTENTION}[data-ready='true'] [role='slider']", timeout=15000)
    assert page.locator(f"{ATTENTION} .lensbook-explorer__chart").count() >= 2
    # back to the scanner: a fresh page element, started again
    page.go_back()
    page.wait_for_url("**/cnn/")
    page.wait_for_selector(f"{SCANNER}[data-ready='true'] textarea", timeout=15000)
    page.locator(f"{SCANNER} textarea").fill("ACGTXACGT")
    assert "position 5" in page.locator(f"{SCANNER} .lensbook-explorer__problems").inner_text()
    assert page.evaluate("() => performance.getEntriesByType('navigation').length") == 1  # never reloaded
    assert not page.errors


@browser
@pytest.mark.parametrize("scheme", ["default", "slate"])
def test_explorers_use_the_palette(browser, served_site, scheme):
    context = browser.new_context(color_scheme="light" if scheme == "default" else "dark")
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    _open(page, served_site + "/transformer/", "attention")
    assert page.get_attribute("body", "data-md-color-scheme") == scheme
    fill = page.eval_on_selector(f"{ATTENTION} .lensbook-explorer__chart rect", "r => r.getAttribute('fill')")
    primary = page.evaluate("() => getComputedStyle(document.querySelector('.lensbook-explorer'))"
                            ".getPropertyValue('--md-primary-fg-color').trim()")
    assert fill == primary and primary
    background = page.eval_on_selector(f"{ATTENTION}", "e => getComputedStyle(e).backgroundColor")
    page_background = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    dark = scheme == "slate"
    assert _luminance(background) < 0.5 if dark else _luminance(background) > 0.5
    assert _luminance(page_background) < 0.5 if dark else _luminance(page_background) > 0.5
    # Material's palette toggle: the explorer redraws in the other palette's colours
    ink = "() => getComputedStyle(document.querySelector('.lensbook-explorer')).getPropertyValue('--md-default-fg-color').trim()"
    before = page.evaluate(ink)
    page.locator("form[data-md-component='palette'] label:visible").first.click()
    page.wait_for_function(f"() => document.body.getAttribute('data-md-color-scheme') !== '{scheme}'")
    after = page.evaluate(ink)
    assert after != before
    page.wait_for_function("ink => document.querySelector(\".lensbook-explorer__track svg rect[stroke]\")"
                           ".getAttribute('stroke') === ink", arg=after)
    assert not errors
    context.close()


@browser
def test_explorers_work_under_a_base_path(browser, built_site, tmp_path):
    """As on a GitHub Pages project site: the whole site under /lensbook/."""
    import functools
    import http.server
    import threading

    site, _ = built_site
    (tmp_path / "lensbook").symlink_to(site, target_is_directory=True)

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(tmp_path)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    context = browser.new_context()
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}/lensbook"
        _open(page, base + "/cnn/", "motif-scanner")
        _open(page, base + "/transformer/", "attention")
        assert not errors
    finally:
        context.close()
        server.shutdown()
        server.server_close()


def _luminance(css: str) -> float:
    values = [float(v) for v in css[css.index("(") + 1:css.index(")")].replace("/", ",").split(",")[:3]]
    return sum(values) / (3 * 255)
