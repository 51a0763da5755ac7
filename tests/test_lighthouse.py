"""`make lighthouse`'s plumbing (no Node.js needed): the pages it audits, the budgets, and the
static server it measures through, which must compress text as a static host does."""

from __future__ import annotations

import gzip
import urllib.request

import pytest

from lensbook.site import lighthouse, serve


@pytest.fixture
def site(tmp_path):
    for path in ("index.html", "cnn/index.html", "reference/models/index.html", "assets/x/index.html", "404.html"):
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text("<!doctype html><title>t</title>" + "<p>lens</p>" * 200)
    (tmp_path / "favicon.png").write_bytes(b"\x89PNG" + bytes(100))
    return tmp_path


def test_pages_are_every_index_but_assets_and_404(site):
    assert sorted(lighthouse.pages(site)) == ["", "cnn/", "reference/models/"]


def test_budgets():
    met = lighthouse.Report("cnn/", {"performance": 0.90, "accessibility": 1.0, "best-practices": 1.0, "seo": 1.0},
                            1_000_000, ())
    assert met.misses() == []
    missed = lighthouse.Report("cnn/", {"performance": 0.89, "accessibility": 1.0, "best-practices": 0.96,
                                        "seo": 1.0}, 1_000_001, ())
    assert missed.misses() == ["performance 0.89 < 0.90", "best-practices 0.96 < 1.00", "transferred 1.00 MB > 1 MB"]
    assert "performance 0.89" in lighthouse.table([missed]) and "met" in lighthouse.table([met])


def fetch(url, gzip_ok=True):
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"} if gzip_ok else {})
    with urllib.request.urlopen(request) as response:
        return response.headers, response.read()


def test_server_compresses_text_like_a_static_host(site):
    server, base = serve.serve(site)
    try:
        headers, body = fetch(base + "/cnn/")
        assert headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(body) == (site / "cnn/index.html").read_bytes()
        assert len(body) < len(gzip.decompress(body)) / 5
        headers, body = fetch(base + "/cnn/", gzip_ok=False)  # a client without gzip gets plain bytes
        assert headers["Content-Encoding"] is None and body == (site / "cnn/index.html").read_bytes()
        headers, body = fetch(base + "/favicon.png")  # images are sent as they are
        assert headers["Content-Encoding"] is None and body.startswith(b"\x89PNG")
        headers, body = fetch(base + "/cnn")  # the directory redirect still happens
        assert gzip.decompress(body) == (site / "cnn/index.html").read_bytes()
    finally:
        server.shutdown()
        server.server_close()


def test_server_refuses_a_folder_that_is_not_a_site(tmp_path):
    with pytest.raises(FileNotFoundError, match="make build"):
        serve.serve(tmp_path)


def report(page, performance, benchmark=1500.0):
    return lighthouse.Report(page, {"performance": performance, "accessibility": 1.0, "best-practices": 1.0,
                                    "seo": 1.0}, 200_000, (), benchmark)


def test_median_run_keeps_the_middle_run_and_every_score():
    runs = [report("cnn/", 0.97, 2100), report("cnn/", 0.88, 900), report("cnn/", 0.93, 1800)]
    median = lighthouse.median_run(runs)
    assert median.scores["performance"] == 0.93 and median.benchmark == 1800
    assert median.runs == (0.97, 0.88, 0.93)  # in the order they ran
    assert lighthouse.median_run(runs[:2]).scores["performance"] == 0.88  # even count: the lower middle
    with pytest.raises(ValueError):
        lighthouse.median_run([])


def test_table_shows_the_benchmark_index_and_the_runs():
    text = lighthouse.table([lighthouse.median_run([report("cnn/", 0.95, 1712), report("cnn/", 0.96, 1650),
                                                    report("cnn/", 0.91, 1690)])])
    row = text.splitlines()[1]
    assert "bench" in text.splitlines()[0]
    assert row.split()[1] == "95" and "1712" in row and "(runs: 95, 96, 91)" in row


def test_summarise_reads_the_benchmark_index():
    raw = {"categories": {c: {"score": 1.0} for c in lighthouse.CATEGORIES},
           "audits": {"total-byte-weight": {"numericValue": 123_456},
                      "total-blocking-time": {"score": 0.5, "scoreDisplayMode": "numeric"}},
           "environment": {"benchmarkIndex": 1834.5}}
    r = lighthouse.summarise("cnn/", raw)
    assert r.benchmark == 1834.5 and r.transferred == 123_456 and r.failing == ("total-blocking-time",)


def test_chapter_leaves_out_the_reference():
    assert lighthouse.chapter(["", "cnn/", "reference/", "reference/models/", "rnn/"]) == ["", "cnn/", "rnn/"]


def test_thread_time_replaces_wall_time_on_the_page_main_thread_only():
    trace = {"traceEvents": [
        {"name": "thread_name", "ph": "M", "pid": 1, "tid": 1, "args": {"name": "CrRendererMain"}},
        {"name": "RunTask", "ph": "X", "pid": 1, "tid": 1, "ts": 0, "dur": 900, "tdur": 300},
        {"name": "UpdateLayoutTree", "ph": "X", "pid": 1, "tid": 1, "ts": 10, "dur": 500, "tdur": 120},
        {"name": "UpdateLayoutTree", "ph": "X", "pid": 1, "tid": 1, "ts": 600, "dur": 50, "tdur": 40},
        {"name": "UpdateLayoutTree", "ph": "X", "pid": 2, "tid": 7, "ts": 0, "dur": 70, "tdur": 10},  # another frame
        {"name": "RunTask", "ph": "X", "pid": 9, "tid": 3, "ts": 0, "dur": 800, "tdur": 100},  # the browser process
        {"name": "Paint", "ph": "X", "pid": 1, "tid": 1, "ts": 950, "dur": 30},  # no thread time: kept
    ]}
    events = lighthouse.to_thread_time(trace)["traceEvents"]
    assert [e.get("dur") for e in events] == [None, 300, 120, 40, 70, 800, 30]
    with pytest.raises(ValueError):
        lighthouse.to_thread_time([{"name": "RunTask", "ph": "X", "pid": 1, "tid": 1, "dur": 5, "tdur": 1}])
