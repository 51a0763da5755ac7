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
from lensbook.models.cnn import MotifCNN
from lensbook.models.promoter_readout import HybridConfig, HybridTransformer
from lensbook.site import explorers, render

ROOT = Path(__file__).resolve().parents[1]
browser = pytest.mark.browser


# --- the JSON export, on stand-in results --------------------------------------------------------


def _motif_result(n_filters: int = 3, width: int = 5) -> SimpleNamespace:
    rng = np.random.default_rng(0)
    filters = [SimpleNamespace(searched=True, match_name="GATA5", match_id="MA0766.3", p_value=1.234e-8, n_sites=40,
                               match_family=("C4-GATA-related",)),
               SimpleNamespace(searched=False, match_name="", match_id="", p_value=1.0, n_sites=0, match_family=()),
               SimpleNamespace(searched=False, match_name="", match_id="", p_value=1.0, n_sites=12, match_family=())]
    quantiles = np.sort(rng.uniform(0, 5, size=(3, n_filters, 3)), axis=2)
    quantiles[2, 0, 1] = 9.0                         # filter 1 scores highest on class 2
    return SimpleNamespace(conv_weight=rng.normal(size=(n_filters, 4, width)).astype(np.float32),
                           conv_bias=rng.normal(size=n_filters).astype(np.float32), filters=filters[:n_filters],
                           head_weight=rng.normal(size=(3, n_filters)).astype(np.float32),
                           head_bias=rng.normal(size=3).astype(np.float32), pooled_quantiles=quantiles,
                           motif_names=("GATA5", "TBP"), n_test=100, seed=0, length=200, example="ACGT" * 10)


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
    assert data["classes"] == ["no motif", "GATA5", "TBP"] and data["trained_length"] == 200
    assert [f["matched"] for f in data["filters"]] == [True, False, False]
    assert [f["label"] for f in data["filters"]] == ["GATA5", "silent", "no clear motif"]
    assert [f["match_id"] for f in data["filters"]] == ["MA0766.3", "", ""]
    assert data["filters"][0]["family"] == "C4-GATA-related"
    assert data["filters"][0]["planted"] == {"class": 2, "median": 9.0}
    np.testing.assert_allclose([f["range"] for f in data["filters"]], result.pooled_quantiles[0], rtol=1e-7)
    np.testing.assert_allclose(data["head"]["weight"], result.head_weight, rtol=1e-7)
    for f, weight, bias in zip(data["filters"], result.conv_weight, result.conv_bias):
        assert np.asarray(f["weight"]).shape == (4, 5)
        np.testing.assert_allclose(f["weight"], weight, rtol=1e-7, atol=0)
        assert f["bias"] == pytest.approx(float(bias), rel=1e-7)
    json.dumps(data)  # plain JSON types only


def test_motif_scanner_calls_a_weak_tomtom_match_unmatched():
    result = _motif_result()
    result.filters[0].p_value = 0.01
    data = explorers.motif_scanner(result)
    assert not data["filters"][0]["matched"] and data["filters"][0]["why"].startswith("weak match (GATA5")


def test_attention_json_is_the_whole_state_dict_and_config():
    result = _distance_result()
    data = explorers.attention(result)
    config = result.transformer_config
    assert data["config"] == {"length": 1000, "readout_bin": 20, "channels": 2, "kernel": 8, "bin_size": 40,
                              "d_model": 16, "heads": 2}
    assert set(data["state"]) == set(result.transformer_state)      # every parameter, PyTorch's names
    for name, value in result.transformer_state.items():
        assert np.asarray(data["state"][name]).shape == value.shape, name
    np.testing.assert_allclose(data["state"]["attention.query.weight"],
                               result.transformer_state["attention.query.weight"], rtol=1e-7)
    assert data["head_read"] == 1 and config.bins == 24
    assert data["elements"]["enhancer"] == "AGATAAGG" and data["elements"]["promoter_start"] == 800
    opening, positive, negative = data["sequences"]
    assert opening["label"].startswith("Opening sequence") and len(opening["sequence"]) == 1000
    assert opening["sequence"][opening["enhancer_start"]:opening["enhancer_start"] + 8] == "AGATAAGG"
    assert positive["enhancer_start"] == 120 and positive["label"].endswith("680 bp upstream of the promoter")
    assert negative["enhancer_start"] is None and negative["label"].endswith("without an enhancer")
    json.dumps(data)


def test_opening_sequence_follows_the_stated_rule():
    """Called positive, the promoter's bin looks hardest at the enhancer in every head, rows differ most."""
    from lensbook.tasks.long_range import LongRangeTask

    result = _distance_result()
    model = HybridTransformer(result.transformer_config)
    model.load_state_dict({k: torch.from_numpy(v) for k, v in result.transformer_state.items()})
    task = LongRangeTask()
    sequence, start, spread = explorers.opening_sequence(model, task, n=40)
    assert len(sequence) == 1000 and sequence[start:start + 8] == task.enhancer
    sites = task.sample_sites(40, torch.Generator().manual_seed(explorers.OPENING_SEED), positive=True)
    with torch.no_grad():
        out = model(sites.x)
    readout = model.config.readout_bin
    spreads = (0.5 * (out.attention - out.attention[:, :, readout:readout + 1]).abs().sum(-1)).mean(dim=(1, 2))
    keep = (out.attention[:, :, readout].argmax(-1) == (sites.enhancer_start // 40)[:, None]).all(-1) & (out.logit > 0)
    allowed = spreads[keep] if keep.any() else spreads
    assert spread == pytest.approx(float(allowed.max()))


def _memory_result() -> SimpleNamespace:
    from lensbook.models.lstm import LSTMConfig, LSTMReader

    torch.manual_seed(0)
    model = LSTMReader(LSTMConfig(channels=4, hidden=6, outputs=4))
    state = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
    gates = SimpleNamespace(state=state, sequence="GTAAGT" + "ACGT" * 10 + "GTGAGT" + "AG", first=0, second=46,
                            units={"first": 2, "second": 5})
    return SimpleNamespace(gates=gates, seed_traced=0)


def test_lstm_gates_json_is_the_whole_state_dict():
    result = _memory_result()
    data = explorers.lstm_gates(result)
    assert set(data["state"]) == set(result.gates.state)
    for name, value in result.gates.state.items():
        assert np.asarray(data["state"][name]).shape == value.shape, name
        np.testing.assert_allclose(data["state"][name], value, rtol=1e-7)
    assert data["classes"] == ["AA", "AG", "GA", "GG"] and data["donors"] == ["GTAAGT", "GTGAGT"]
    assert (data["first"], data["second"], data["units"]) == (0, 46, {"first": 2, "second": 5})
    json.dumps(data)


def test_files_writes_every_explorer_under_its_path():
    out = explorers.files({"motif_cnn": _motif_result(), "long_range": _distance_result(),
                           "memory": _memory_result(), "other": object()})
    assert set(out) == {explorers.MOTIF_SCANNER, explorers.ATTENTION, explorers.LSTM_GATES}
    assert json.loads(out[explorers.MOTIF_SCANNER])["model"] == "MotifCNN"
    assert explorers.files({}) == {}


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
    assert [s["enhancer_start"] is not None for s in data["sequences"]] == [True, True, True, False]


def test_motif_cnn_keeps_its_first_layer(monkeypatch):
    from lensbook.experiments import cnn

    def unsearched(model, x):  # no Tomtom here: every filter reads as below the information threshold
        return [cnn.FilterMatch(f, np.zeros((4, model.width)), 0, 0.0, "", "", (), np.zeros((4, 0)), 1.0, 0, 0)
                for f in range(model.conv.out_channels)]

    monkeypatch.setattr(cnn, "read_filters", unsearched)
    r = cnn.motif_cnn(steps=5, anneal_steps=5, n_test=200)
    assert r.conv_weight.shape == (r.n_filters, 4, r.width) and r.conv_bias.shape == (r.n_filters,)
    model = MotifCNN(r.n_filters, r.width)
    with torch.no_grad():
        model.conv.weight.copy_(torch.from_numpy(r.conv_weight))
        model.conv.bias.copy_(torch.from_numpy(r.conv_bias))
        maps = model.scan(dna.one_hot(r.example)[None])[0].numpy()
    np.testing.assert_allclose(maps, r.example_maps, atol=1e-6)   # the weights the page's feature maps came from
    assert [f["label"] for f in explorers.motif_scanner(r)["filters"]] == ["silent"] * r.n_filters
    assert r.head_weight.shape == (4, r.n_filters) and r.pooled_quantiles.shape == (4, r.n_filters, 3)
    assert (np.diff(r.pooled_quantiles, axis=2) >= 0).all()


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


def _near(page, selector: str) -> None:
    """Scroll the first ``selector`` into view: an explorer starts only when it comes near the window."""
    page.locator(selector).first.scroll_into_view_if_needed()


def _open(page, url: str, explorer: str) -> None:
    page.goto(url, wait_until="networkidle")
    _near(page, f".lensbook-explorer[data-explorer='{explorer}']")
    page.wait_for_selector(f".lensbook-explorer[data-explorer='{explorer}'][data-ready='true']", timeout=15000)


SCANNER = ".lensbook-explorer[data-explorer='motif-scanner']"
ATTENTION = ".lensbook-explorer[data-explorer='attention']"
SHOWN = "() => window.lensbookExplorers.motifShown()"


def _motif_model(result) -> MotifCNN:
    model = MotifCNN(result.n_filters, result.width, len(result.motif_names) + 1)
    with torch.no_grad():
        model.conv.weight.copy_(torch.from_numpy(result.conv_weight))
        model.conv.bias.copy_(torch.from_numpy(result.conv_bias))
        model.head.weight.copy_(torch.from_numpy(result.head_weight))
        model.head.bias.copy_(torch.from_numpy(result.head_bias))
    return model.eval()


def _python_scan(result, sequence: str) -> np.ndarray:
    with torch.no_grad():
        return _motif_model(result).scan(dna.one_hot(sequence)[None])[0].numpy()      # (F, L - w + 1)


def _python_windows(result, sequence: str) -> np.ndarray:
    """log P(class) of MotifCNN on every window of the trained length (the whole sequence if shorter)."""
    span = min(len(sequence), result.length)
    x = torch.stack([dna.one_hot(sequence[i:i + span]) for i in range(len(sequence) - span + 1)])
    with torch.no_grad():
        return torch.log_softmax(_motif_model(result)(x), dim=1).numpy()      # (windows, classes)


def _python_ism(result, sequence: str, start: int, span: int, klass: int) -> np.ndarray:
    from lensbook.experiments.cnn import _ism

    model = _motif_model(result)
    return _ism(lambda v: torch.log_softmax(model(v), dim=1)[:, klass], dna.one_hot(sequence[start:start + span]))


def _wait_scanned(page) -> None:
    page.wait_for_function(f"() => !document.querySelector(\"{SCANNER}\").hasAttribute('data-busy')", timeout=60000)


def _check_shown(page, result) -> float:
    """Every number the scanner shows now against PyTorch; the largest |difference|."""
    shown = page.evaluate(SHOWN)
    sequence = shown["sequence"]
    maps = np.array(shown["maps"])
    py = _python_scan(result, sequence)
    assert maps.shape == py.shape
    worst = float(np.abs(maps - py).max())
    logp = np.array(shown["logp"]).reshape(shown["windows"], -1)
    py_logp = _python_windows(result, sequence)
    assert logp.shape == py_logp.shape
    worst = max(worst, float(np.abs(logp - py_logp).max()))
    ism = shown["ism"]
    delta = np.array(ism["delta"]).reshape(4, ism["length"])
    py_ism = _python_ism(result, sequence, ism["window"], ism["length"], ism["klass"])
    return max(worst, float(np.abs(delta - py_ism).max()))


@browser
def test_scanner_matches_pytorch_on_three_sequences_and_an_edit(page, served_site, trained):
    result = trained["motif_cnn"]
    _open(page, served_site + "/cnn/", "motif-scanner")
    page.evaluate("() => { window.lensbookExplorers.motifDebounce = 0; }")
    rng = np.random.default_rng(3)
    box = page.locator(f"{SCANNER} textarea")
    sequences = [result.example, result.ism_sequence,
                 "".join(rng.choice(list("ACGT"), 300)) + "N" * 3 + "".join(rng.choice(list("ACGT"), 97))]
    worst = 0.0
    for k, sequence in enumerate(sequences):
        box.fill(sequence)
        page.evaluate("w => window.lensbookExplorers.motifSelect(w)", k * 50)   # another window's saliency
        worst = max(worst, _check_shown(page, result))
        js = np.array(page.evaluate("s => window.lensbookExplorers.motifScores(s)", sequence))
        worst = max(worst, float(np.abs(js - _python_scan(result, sequence)).max()))
    # the reader edits the text: a GATA site typed into the middle, a base deleted
    box.fill(sequences[2])
    box.click()
    page.keyboard.press("Control+Home")
    for _ in range(150):
        page.keyboard.press("ArrowRight")
    page.keyboard.type("AGATAAGG", delay=5)
    page.keyboard.press("Backspace")
    shown = page.evaluate(SHOWN)
    assert shown["sequence"] == sequences[2][:150] + "AGATAAG" + sequences[2][150:]
    worst = max(worst, _check_shown(page, result))
    # the numbers printed for the chosen window are PyTorch's, rounded
    selected = shown["selected"]
    probabilities = np.exp(_python_windows(result, shown["sequence"])[selected])
    line = page.locator(f"{SCANNER} .lensbook-explorer__window").inner_text()
    expected = ", ".join(f"P({name}) {p:.3f}" for name, p in zip(["no motif", *result.motif_names], probabilities))
    assert f"window at bases {selected + 1}\u2013{selected + result.length}: {expected};" in line
    print(f"motif scanner: max |browser - PyTorch| = {worst:.2e} (feature maps, window predictions, saliency)")
    assert worst < 1e-4
    assert not page.errors


@browser
def test_scanner_headline_is_a_jaspar_motif_and_unmatched_filters_are_grouped(page, served_site, trained):
    result = trained["motif_cnn"]
    _open(page, served_site + "/cnn/", "motif-scanner")
    matched = {f.index for f in result.filters if f.searched and f.p_value < 1e-4}
    headline = page.locator(f"{SCANNER} .lensbook-explorer__summary").first.inner_text()
    names = {result.filters[f].match_name for f in matched}
    assert "Strongest known motif: " in headline
    named = headline.split("Strongest known motif: ")[1].split(" (JASPAR")[0]
    assert named in names and "no clear motif" not in headline
    rows = page.locator(f"{SCANNER} tbody tr[data-filter]")
    order = [int(r) for r in rows.evaluate_all("rows => rows.map(r => r.dataset.filter)")]
    assert set(order[:len(matched)]) == matched                       # matched filters first
    greyed = page.locator(f"{SCANNER} tbody tr.lensbook-explorer__unmatched")
    assert greyed.count() == result.n_filters - len(matched)
    assert page.locator(f"{SCANNER} tr.lensbook-explorer__group").inner_text().startswith("No JASPAR match")
    # one fixed scale: the same text for any input
    scale = page.locator(f"{SCANNER} .lensbook-explorer__help", has_text="Each filter's score on its better strand")
    help_before = scale.inner_text()
    page.locator(f"{SCANNER} textarea").fill("ACGT" * 100)
    assert scale.inner_text() == help_before
    assert "highest score any 14-bp sequence can reach" in help_before
    assert not page.errors


def _notices(page) -> dict[str, str]:
    return dict(page.locator(f"{SCANNER} .lensbook-explorer__problems p").evaluate_all(
        "ps => ps.map(p => [p.dataset.kind, p.textContent])"))


@pytest.fixture()
def scanner(page, served_site):
    _open(page, served_site + "/cnn/", "motif-scanner")
    page.evaluate("() => { window.lensbookExplorers.motifDebounce = 0; }")
    return page


@browser
def test_bad_input_rna_is_read_as_dna(scanner, trained):
    result = trained["motif_cnn"]
    rna = result.example.replace("T", "U")
    scanner.locator(f"{SCANNER} textarea").fill(rna)
    notices = _notices(scanner)
    n = rna.count("U")
    assert notices["rna"] == (f"Read as RNA: {n} Us were read as T. The model was trained on DNA, so this scans "
                              "the DNA copy of your sequence.")
    assert "bad" not in notices
    shown = scanner.evaluate(SHOWN)
    assert shown["sequence"] == result.example
    assert _check_shown(scanner, result) < 1e-4
    assert not scanner.errors


@browser
def test_bad_input_multi_record_fasta_is_scanned_record_by_record(scanner, trained):
    result = trained["motif_cnn"]
    one, two = result.example, result.ism_sequence[:150]
    scanner.locator(f"{SCANNER} textarea").fill(f">first enhancer\n{one[:100]}\n{one[100:]}\n>second\n{two}\n")
    notices = _notices(scanner)
    assert notices["records"] == ("2 FASTA records: each is scanned on its own (no window spans two records). "
                                  "Showing \u201cfirst enhancer\u201d; choose another below.")
    picker = scanner.locator(f"{SCANNER} select")
    assert picker.is_visible()
    assert picker.locator("option").all_inner_texts() == ["first enhancer (200 bp)", "second (150 bp)"]
    assert scanner.evaluate(SHOWN)["sequence"] == one
    assert _check_shown(scanner, result) < 1e-4
    picker.select_option("1")
    shown = scanner.evaluate(SHOWN)
    assert shown["sequence"] == two and shown["windows"] == 1          # shorter than 200 bp: one window
    assert _check_shown(scanner, result) < 1e-4
    assert "shorter than the 200 bp the model was trained on" in scanner.locator(
        f"{SCANNER} .lensbook-explorer__summary").nth(1).inner_text()
    assert not scanner.errors


@browser
def test_many_fasta_records_keep_the_page_small(scanner):
    text = "".join(f">r{i}\nACGTXACGTACGTACGTACGT\n" for i in range(3000))
    scanner.evaluate(PASTE, text)          # 6,000 lines: held outside the box (Chromium edits them slowly)
    assert scanner.locator(f"{SCANNER} textarea").is_hidden()
    scanner.wait_for_selector(f"{SCANNER} .lensbook-explorer__problems p[data-kind='records']")
    assert scanner.locator(f"{SCANNER} .lensbook-explorer__held-text").inner_text().startswith(
        f"{len(text):,} characters pasted: 3,000 records, 63,000 bp in all. Text with this many lines is slow to edit")
    notices = scanner.locator(f"{SCANNER} .lensbook-explorer__problems p[data-kind='bad']").all_inner_texts()
    assert len(notices) == 6 and notices[-1] == "2,995 more records hold characters that are not bases, read as N the same way."
    options = scanner.locator(f"{SCANNER} select option")
    assert options.count() == 1001 and options.last.inner_text().startswith("\u2026 2,000 more records")
    assert not scanner.errors


@browser
def test_bad_input_emoji_is_one_position(scanner, trained):
    result = trained["motif_cnn"]
    text = result.example[:60] + "\U0001F9EC" + result.example[61:]
    scanner.locator(f"{SCANNER} textarea").fill(text)
    notices = _notices(scanner)
    assert notices["bad"] == ("1 character is not a base: \u201c\U0001F9EC\u201d at position 61. It is read as N "
                              "(an all-zero column) and counts as one position.")
    shown = scanner.evaluate(SHOWN)
    assert shown["sequence"] == result.example[:60] + "N" + result.example[61:]   # later positions do not shift
    assert _check_shown(scanner, result) < 1e-4
    assert scanner.locator(f"{SCANNER} textarea").get_attribute("aria-invalid") == "true"
    assert not scanner.errors


@browser
def test_bad_input_only_n_says_there_is_nothing_to_score(scanner):
    scanner.locator(f"{SCANNER} textarea").fill("N" * 300)
    assert _notices(scanner)["uninformative"] == (
        "\u201cyour sequence\u201d has no A, C, G or T (300 positions, all N or unreadable): there is nothing to "
        "score, so no filter score or prediction is shown.")
    assert scanner.locator(f"{SCANNER} .lensbook-explorer__results").is_hidden()
    assert not scanner.errors


@browser
def test_bad_input_empty(scanner):
    scanner.locator(f"{SCANNER} textarea").fill("")
    assert _notices(scanner) == {"empty": "Nothing to scan yet: type or paste DNA above (A, C, G, T; FASTA is fine)."}
    assert scanner.locator(f"{SCANNER} .lensbook-explorer__results").is_hidden()
    scanner.locator(f"{SCANNER} textarea").fill(">header only\n")
    assert _notices(scanner)["empty"].startswith("No bases to scan: the text holds only FASTA headers or spaces.")
    assert not scanner.errors


PASTE = """text => {
  const box = document.querySelector("%s textarea");
  box.focus();
  box.select();   // the paste replaces the text, as after Ctrl+A
  const data = new DataTransfer();
  data.setData("text/plain", text);
  box.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true}));
}""" % SCANNER


@browser
def test_bad_input_a_million_characters_leave_the_box_and_scan_in_a_worker(scanner, trained):
    result = trained["motif_cnn"]
    rng = np.random.default_rng(5)
    sequence = "".join(rng.choice(list("ACGT"), 1_000_000))
    scanner.evaluate(PASTE, sequence)
    assert scanner.locator(f"{SCANNER} textarea").is_hidden()
    assert scanner.locator(f"{SCANNER} textarea").input_value() == ""
    _wait_scanned(scanner)
    held = scanner.locator(f"{SCANNER} .lensbook-explorer__held-text").inner_text()
    assert held == ("1,000,000 characters pasted: 1 record, 1,000,000 bp in all. Text this long is slow to edit in "
                    "a box, so it is held here instead; the scan reads all of it.")
    shown = scanner.evaluate("""() => { const s = window.lensbookExplorers.motifShown();
        return {windows: s.windows, best: s.maps.map(m => m.slice(0, 200000).reduce((a, b) => Math.max(a, b), 0)), ism: s.ism,
                head: s.sequence.slice(0, 5000)}; }""")
    assert shown["windows"] == 1_000_000 - result.length + 1
    py = _python_scan(result, sequence[:200_000 + result.width - 1])
    np.testing.assert_allclose(shown["best"], py.max(axis=1), atol=1e-4)
    assert shown["head"] == sequence[:5000]
    # clearing brings the text box back
    scanner.locator(f"{SCANNER} .lensbook-explorer__held button").click()
    assert scanner.locator(f"{SCANNER} textarea").is_visible()
    assert not scanner.errors


@browser
def test_clearing_a_large_paste_mid_scan_stops_the_scan(scanner):
    scanner.evaluate(PASTE, "ACGT" * 250_000)
    assert scanner.get_attribute(SCANNER, "data-busy") == "true"
    scanner.locator(f"{SCANNER} .lensbook-explorer__held button").click()   # while the worker scans
    assert scanner.get_attribute(SCANNER, "data-busy") is None
    assert scanner.locator(f"{SCANNER} textarea").is_visible()
    scanner.wait_for_timeout(1500)                                           # a late worker message changes nothing
    assert _notices(scanner) == {"empty": "Nothing to scan yet: type or paste DNA above (A, C, G, T; FASTA is fine)."}
    assert not scanner.errors


@browser
def test_scanner_and_gate_explorer_on_a_phone_draw_canvases_at_their_size(browser, served_site):
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=3, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    _open(page, served_site + "/cnn/", "motif-scanner")
    sizes = page.eval_on_selector_all(f"{SCANNER} canvas", """cs => cs.map(c => [c.width, c.height,
        c.getBoundingClientRect().width, c.getBoundingClientRect().height, c.parentNode.clientWidth])""")
    assert len(sizes) == 3
    for width, height, shown_width, shown_height, room in sizes:
        assert shown_width <= room                       # never wider than its column
        assert width == round(shown_width * 3) and height == round(shown_height * 3)   # drawn at size x DPR
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    _open(page, served_site + "/lstm/", "lstm-gates")
    width, shown_width, room = page.eval_on_selector(
        ".lensbook-explorer[data-explorer='lstm-gates'] canvas",
        "c => [c.width, c.getBoundingClientRect().width, c.parentNode.clientWidth]")
    assert shown_width <= room and width == round(shown_width * 3)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    context.close()


@browser
def test_attention_on_a_phone_scrolls_with_touch_sized_cells(browser, served_site):
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=3, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    _open(page, served_site + "/transformer/", "attention")
    cell = page.eval_on_selector(f"{ATTENTION} .lensbook-explorer__heatmap rect[fill-opacity]:nth-of-type(60)",
                                 "r => r.getBoundingClientRect().width")
    assert cell >= 23                                    # 24-px cells (a 1-px gap between them)
    font = page.eval_on_selector(f"{ATTENTION} .lensbook-explorer__heatmap text",
                                 "t => parseFloat(getComputedStyle(t).fontSize)")
    assert font >= 12
    scroll = page.eval_on_selector(f"{ATTENTION} .lensbook-explorer__scroll", "s => [s.scrollWidth, s.clientWidth]")
    assert scroll[0] > scroll[1]                         # the matrix scrolls sideways inside its box
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390   # the page does not
    for selector in ("button", "select", "input[type='number']"):
        for height in page.eval_on_selector_all(f"{ATTENTION} {selector}", "es => es.map(e => e.getBoundingClientRect().height)"):
            assert height >= 24, selector
    context.close()


def _contrast(a: str, b: str) -> float:
    def channels(css):
        values = [float(v) for v in css[css.index("(") + 1:css.index(")")].replace("/", ",").split(",")]
        return values[:3], (values[3] if len(values) > 3 else 1.0)

    def luminance(rgb):
        out = []
        for v in rgb:
            v /= 255
            out.append(v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4)
        return 0.2126 * out[0] + 0.7152 * out[1] + 0.0722 * out[2]

    (fg, alpha), (bg, _) = channels(a), channels(b)
    fg = [alpha * f + (1 - alpha) * g for f, g in zip(fg, bg)]
    hi, lo = sorted([luminance(fg), luminance(bg)], reverse=True)
    return (hi + 0.05) / (lo + 0.05)


COLOUR = """(e, name) => { const probe = document.createElement('span'); probe.style.color = `var(${name})`;
  e.appendChild(probe); const c = getComputedStyle(probe).color; probe.remove(); return c; }"""


@browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_explorer_controls_and_marks_reach_4_5_to_1(browser, served_site, scheme):
    context = browser.new_context(color_scheme=scheme)
    page = context.new_page()
    worst = {}
    for path, explorer, selector in (("/cnn/", "motif-scanner", SCANNER), ("/transformer/", "attention", ATTENTION)):
        _open(page, served_site + path, explorer)
        background = page.eval_on_selector(selector, "e => getComputedStyle(e).backgroundColor")
        for name in ("--lensbook-explorer-bar", "--lensbook-explorer-mark", "--lensbook-explorer-grey",
                     "--lensbook-explorer-control", "--md-default-fg-color--light"):
            worst[name] = min(worst.get(name, 99), _contrast(page.eval_on_selector(selector, COLOUR, name), background))
        for colour in page.eval_on_selector_all(f"{selector} .md-button:enabled", "bs => bs.map(b => getComputedStyle(b).color)"):
            worst["button"] = min(worst.get("button", 99), _contrast(colour, background))
    print(scheme, {k: round(v, 2) for k, v in worst.items()})
    assert all(v >= 4.5 for v in worst.values()), worst
    context.close()


@browser
def test_explorer_pages_weigh_at_most_1_mb_on_a_first_visit(browser, served_site):
    weights = {}
    for path in ("/cnn/", "/transformer/", "/lstm/"):
        context = browser.new_context()
        page = context.new_page()
        page.goto(served_site + path, wait_until="networkidle")
        _near(page, ".lensbook-explorer")
        page.wait_for_selector(".lensbook-explorer[data-ready='true']", timeout=15000)
        page.wait_for_load_state("networkidle")
        weights[path] = page.evaluate("""() => performance.getEntriesByType('navigation')
            .concat(performance.getEntriesByType('resource')).reduce((s, e) => s + e.transferSize, 0)""")
        context.close()
    print("first-visit transfer, bytes:", weights)
    assert all(0 < w <= 1_000_000 for w in weights.values()), weights


def _python_attention(result, sequence: str):
    model = HybridTransformer(result.transformer_config)
    model.load_state_dict({k: torch.from_numpy(v) for k, v in result.transformer_state.items()})
    model.eval()
    with torch.no_grad():
        out = model(dna.one_hot(sequence)[None])
    return out.attention[0].numpy(), float(out.logit[0])


def _check_attention(page, result) -> float:
    shown = page.evaluate("() => window.lensbookExplorers.attentionShown()")
    alpha, logit = _python_attention(result, shown["sequence"])
    got = np.array(shown["attention"])
    assert got.shape == alpha.shape
    worst = max(float(np.abs(got - alpha).max()), abs(shown["logit"] - logit),
                abs(shown["probability"] - 1 / (1 + np.exp(-logit))))
    row = alpha[shown["head"], shown["query"]] if shown["head"] != "mean" else alpha[:, shown["query"]].mean(0)
    drawn = json.loads(page.get_attribute(f"{ATTENTION} [role='slider']", "data-row"))
    return max(worst, float(np.abs(np.array(drawn) - row).max()))


@browser
def test_attention_matches_pytorch_on_every_sequence_and_the_readers_edits(page, served_site, trained):
    result = trained["long_range"]
    _open(page, served_site + "/transformer/", "attention")
    page.evaluate("() => { window.lensbookExplorers.attentionDebounce = 0; }")
    worst = 0.0
    radios = page.locator(f"{ATTENTION} input[name$='-sequence']")
    for i in range(radios.count()):
        radios.nth(i).check()
        worst = max(worst, _check_attention(page, result))
    radios.first.check()
    before = page.evaluate("() => window.lensbookExplorers.attentionShown()")
    start = before["enhancer"]
    # one click each: mutate a base, move the enhancer, delete it; then a typed edit
    page.locator(f"{ATTENTION} button", has_text="Mutate that base").click()
    mutated = page.evaluate("() => window.lensbookExplorers.attentionShown()")
    assert sum(a != b for a, b in zip(mutated["sequence"], before["sequence"])) == 1
    worst = max(worst, _check_attention(page, result))
    page.locator(f"{ATTENTION} input[type='number']").fill("300")
    page.locator(f"{ATTENTION} button", has_text="Move the enhancer").click()
    moved = page.evaluate("() => window.lensbookExplorers.attentionShown()")
    assert moved["enhancer"] == 500 and moved["sequence"][500:508] == "AGATAAGG"
    assert "AGATAAGG" not in moved["sequence"][start - 2:start + 10] or start in range(493, 508)
    worst = max(worst, _check_attention(page, result))
    page.locator(f"{ATTENTION} button", has_text="Delete the enhancer").click()
    deleted = page.evaluate("() => window.lensbookExplorers.attentionShown()")
    assert deleted["enhancer"] is None and "AGATAAGG" not in deleted["sequence"]
    assert page.locator(f"{ATTENTION} button", has_text="Delete the enhancer").is_disabled()
    assert page.locator(f"{ATTENTION} button", has_text="Insert an enhancer").is_enabled()
    worst = max(worst, _check_attention(page, result))
    verdict = page.locator(f"{ATTENTION} .lensbook-explorer__verdict").inner_text()
    def shown(p: float) -> str:   # three decimals, or two significant digits below 0.001 (never "0.000")
        return f"{p:.3f}" if p >= 0.001 else f"{p:.1e}".replace("e-0", "e-")

    assert f"P(enhancer present) = {shown(deleted['probability'])} (before your edits: {shown(before['probability'])})" in verdict
    box = page.locator(f"{ATTENTION} textarea")
    box.fill(deleted["sequence"][:100] + "AGATAAGG" + deleted["sequence"][108:])
    typed = page.evaluate("() => window.lensbookExplorers.attentionShown()")
    assert typed["enhancer"] == 100
    worst = max(worst, _check_attention(page, result))
    print(f"attention explorer: max |browser - PyTorch| = {worst:.2e} (attention, logit, P, drawn row)")
    assert worst < 1e-4
    assert not page.errors


@browser
def test_attention_opens_on_the_rule_sequence_where_rows_differ(page, served_site, trained):
    result = trained["long_range"]
    _open(page, served_site + "/transformer/", "attention")
    from lensbook.tasks.long_range import LongRangeTask

    model = HybridTransformer(result.transformer_config)
    model.load_state_dict({k: torch.from_numpy(v) for k, v in result.transformer_state.items()})
    sequence, start, _ = explorers.opening_sequence(model, LongRangeTask())
    shown = page.evaluate("() => window.lensbookExplorers.attentionShown()")
    assert shown["sequence"] == sequence and shown["enhancer"] == start
    alpha, _ = _python_attention(result, sequence)
    readout = result.transformer_config.readout_bin
    head = shown["head"]
    assert head == result.attention.head[0]
    assert alpha[head, readout].argmax() == start // result.bin_size        # the promoter looks at the enhancer
    assert len(set(alpha[head].argmax(axis=1))) > 1                         # and other bins look elsewhere
    assert not page.errors


@browser
def test_attention_cells_read_out_on_hover_and_with_the_keyboard(page, served_site, trained):
    result = trained["long_range"]
    readout = result.transformer_config.readout_bin
    _open(page, served_site + "/transformer/", "attention")
    shown = page.evaluate("() => window.lensbookExplorers.attentionShown()")
    alpha, _ = _python_attention(result, shown["sequence"])
    head = shown["head"]
    grid = page.locator(f"{ATTENTION} [role='slider']")
    cells = page.locator(f"{ATTENTION} .lensbook-explorer__heatmap rect[fill-opacity]")
    bins = result.bins
    cell = cells.nth(2 * bins + 5 * bins + 7)      # after the two stripes: row 5, column 7
    cell.hover()
    tip = page.locator(f"{ATTENTION} .lensbook-explorer__tooltip")
    assert tip.is_visible()
    text = tip.inner_text()
    assert text.startswith("Bin 5 (bases 201\u2013240) gives ") and f"(weight {alpha[head, 5, 7]:.4f}) to bin 7 (bases 281\u2013320" in text
    grid.focus()
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    assert grid.get_attribute("aria-valuenow") == str(readout - 2)
    np.testing.assert_allclose(json.loads(grid.get_attribute("data-row")), alpha[head, readout - 2], atol=1e-4)
    page.keyboard.press("ArrowRight")
    status = page.locator(f"{ATTENTION} .lensbook-explorer__summary[role='status']").inner_text()
    assert status.startswith(f"Bin {readout - 2} (bases") and f"weight {alpha[head, readout - 2, readout + 1]:.4f}" in status
    page.locator(f"{ATTENTION} input[value='mean']").check()
    np.testing.assert_allclose(json.loads(grid.get_attribute("data-row")), alpha[:, readout - 2].mean(0), atol=1e-4)
    assert not page.errors


@browser
def test_attention_input_problems(page, served_site, trained):
    result = trained["long_range"]
    _open(page, served_site + "/transformer/", "attention")
    page.evaluate("() => { window.lensbookExplorers.attentionDebounce = 0; }")
    box = page.locator(f"{ATTENTION} textarea")
    check = page.locator(f"{ATTENTION} .lensbook-explorer__problems")
    sequence = result.example_sequences[0]
    box.fill(sequence[:998])
    assert check.inner_text().startswith("The model reads exactly 1,000 bp; this has 998. Add 2 to see its prediction")
    assert page.get_attribute(ATTENTION, "data-stale") == "true"
    box.fill(">test\n" + sequence.lower().replace("t", "u"))
    assert check.inner_text() == "Read as RNA: %d Us were read as T." % sequence.count("T")
    assert page.evaluate("() => window.lensbookExplorers.attentionShown().sequence") == sequence
    assert _check_attention(page, result) < 1e-4
    assert not page.errors


@browser
def test_explorers_start_after_instant_navigation(page, served_site):
    page.goto(served_site + "/", wait_until="networkidle")
    page.click("a.md-nav__link[href$='cnn/']")
    page.wait_for_url("**/cnn/")
    _near(page, SCANNER)
    page.wait_for_selector(f"{SCANNER}[data-ready='true'] textarea", timeout=15000)
    assert page.evaluate("() => window.lensbookExplorers.motifScores('ACGTACGTACGTACGTAC').length") > 0
    page.click("a.md-nav__link[href$='transformer/']")
    page.wait_for_url("**/transformer/")
    _near(page, ATTENTION)
    page.wait_for_selector(f"{ATTENTION}[data-ready='true'] [role='slider']", timeout=15000)
    assert page.locator(f"{ATTENTION} svg.lensbook-explorer__heatmap[role='img']").count() == 1
    # back to the scanner: a fresh page element, started again
    page.go_back()
    page.wait_for_url("**/cnn/")
    _near(page, SCANNER)
    page.wait_for_selector(f"{SCANNER}[data-ready='true'] textarea", timeout=15000)
    page.locator(f"{SCANNER} textarea").fill("ACGTXACGTACGTACGTACGT")
    page.wait_for_selector(f"{SCANNER} .lensbook-explorer__problems p[data-kind='bad']")
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
    bar = "() => getComputedStyle(document.querySelector('.lensbook-explorer')).getPropertyValue('--lensbook-explorer-bar').trim()"
    fill = page.eval_on_selector(f"{ATTENTION} .lensbook-explorer__heatmap rect[data-bin]", "r => r.getAttribute('fill')")
    before = page.evaluate(bar)
    assert before and fill in (before, page.evaluate(bar.replace("-bar", "-mark")))
    background = page.eval_on_selector(f"{ATTENTION}", "e => getComputedStyle(e).backgroundColor")
    dark = scheme == "slate"
    assert _luminance(background) < 0.5 if dark else _luminance(background) > 0.5
    # Material's palette toggle: the explorer redraws in the other palette's colours
    page.locator("form[data-md-component='palette'] label:visible").first.click()
    page.wait_for_function(f"() => document.body.getAttribute('data-md-color-scheme') !== '{scheme}'")
    after = page.evaluate(bar)
    assert after != before
    page.wait_for_function("c => [...document.querySelectorAll('.lensbook-explorer__heatmap rect[data-bin]')]"
                           ".some(r => r.getAttribute('fill') === c)", arg=after)
    assert not errors
    context.close()


@browser
def test_explorers_work_under_a_base_path(browser, built_site, tmp_path):
    """As on a GitHub Pages project site: the whole site under /lensbook/ (the worker too)."""
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
        page.evaluate(PASTE, "ACGT" * 30_000)                # 120,000 characters: held, scanned in the worker
        page.wait_for_function(f"() => document.querySelector(\"{SCANNER}\").getAttribute('data-length') === '120000'",
                               timeout=30000)
        assert page.evaluate("() => !!document.querySelector(\"%s\").lensbookMotif.worker" % SCANNER)
        _open(page, base + "/transformer/", "attention")
        assert not errors
    finally:
        context.close()
        server.shutdown()
        server.server_close()


LSTM = ".lensbook-explorer[data-explorer='lstm-gates']"


def _python_lstm(result, sequence: str, dtype=torch.float64):
    """The hand-written cell's trace and the reader's log P, in float64 by default: along 400 steps a
    cell state near 70 carries float32 rounding of about 1e-4, which is PyTorch's, not the browser's."""
    from lensbook.models.lstm import LSTM as HandWritten, LSTMConfig, LSTMReader

    state = result.gates.state
    hidden = state["lstm.weight_hh_l0"].shape[1]
    reader = LSTMReader(LSTMConfig(channels=4, hidden=hidden, outputs=state["head.weight"].shape[0]))
    reader.load_state_dict({k: torch.from_numpy(v) for k, v in state.items()})
    reader.eval()
    reader.to(dtype)
    x = dna.one_hot(sequence)[None].to(dtype)
    with torch.no_grad():
        gates = HandWritten(4, hidden).to(dtype).load_torch(reader.lstm).trace(x)
        logp = torch.log_softmax(reader(x), dim=1)[0].numpy()
    return gates, logp


@browser
def test_lstm_gates_match_pytorch_on_three_sequences_and_an_edit(page, served_site, trained_memory):
    result = trained_memory
    _open(page, served_site + "/lstm/", "lstm-gates")
    page.evaluate("() => { window.lensbookExplorers.lstmDebounce = 0; }")
    rng = np.random.default_rng(4)
    example = result.gates.sequence
    sequences = [example, "".join(rng.choice(list("ACGT"), 120)), example[:40] + "N" + example[41:]]
    worst = 0.0

    def compare(sequence, js):
        gates, logp = _python_lstm(result, sequence)
        out = 0.0
        for key, field in (("f", "forget"), ("i", "input"), ("o", "output"), ("c", "cell"), ("h", "hidden")):
            got = np.array(js[key]).T                      # (L, H) -> (H, L)
            out = max(out, float(np.abs(got - getattr(gates, field)[0].numpy()).max()))
        return max(out, float(np.abs(np.array(js["logp"]) - logp).max()))

    for sequence in sequences:
        worst = max(worst, compare(sequence, page.evaluate("s => window.lensbookExplorers.lstmRun(s)", sequence)))
    js = page.evaluate("s => window.lensbookExplorers.lstmRun(s)", example)
    single, _ = _python_lstm(result, example, torch.float32)
    print(f"LSTM gate explorer: largest |cell state| {np.abs(js['c']).max():.1f}; browser against float32 "
          f"PyTorch: {np.abs(np.array(js['c']).T - single.cell[0].numpy()).max():.1e} on the cell state")
    # one click: the first donor's variant flipped; the page's answer follows
    page.locator(f"{LSTM} button", has_text="Make the first donor").click()
    shown = page.evaluate("() => window.lensbookExplorers.lstmShown()")
    first = result.gates.first
    assert shown["sequence"] != example and shown["sequence"][first:first + 6] in ("GTAAGT", "GTGAGT")
    _, logp = _python_lstm(result, shown["sequence"])
    worst = max(worst, float(np.abs(np.array(shown["logp"]) - logp).max()))
    # and an edit typed into the box
    page.locator(f"{LSTM} textarea").fill(shown["sequence"][:-5] + "ACGTA")
    shown = page.evaluate("() => window.lensbookExplorers.lstmShown()")
    _, logp = _python_lstm(result, shown["sequence"])
    worst = max(worst, float(np.abs(np.array(shown["logp"]) - logp).max()))
    print(f"LSTM gate explorer: max |browser - PyTorch| = {worst:.2e} (gates, cell, hidden, answer)")
    assert worst < 1e-4
    verdict = page.locator(f"{LSTM} .lensbook-explorer__verdict p").first.inner_text()
    assert verdict.startswith(f"The LSTM's answer after {len(shown['sequence'])} bases: first ")
    assert not page.errors


@pytest.fixture(scope="module")
def trained_memory():
    cache = Path(os.environ.get("LENSBOOK_CACHE", ROOT / ".cache" / "lensbook")).absolute()
    return render.run_experiments(["memory"], cache, workers=0)["memory"][0]


def _luminance(css: str) -> float:
    values = [float(v) for v in css[css.index("(") + 1:css.index(")")].replace("/", ",").split(",")[:3]]
    return sum(values) / (3 * 255)
