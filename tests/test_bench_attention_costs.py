from lensbook.bench import attention_costs as bench


def test_bench_returns_rows_for_every_layer_and_length():
    rows = bench.bench_attention_costs(lengths=(16, 32), width=8, heads=2, kernel=3, repeats=1)
    assert [(r["layer"], r["L"]) for r in rows] == [(n, L) for L in (16, 32) for n in ("attention", "convolution", "LSTM")]
    assert all(r["ms"] > 0 for r in rows)
    # the attention weights alone are heads * L * L float32 values
    attention_32 = next(r for r in rows if r["layer"] == "attention" and r["L"] == 32)
    assert attention_32["peak_MiB"] * 2**20 >= 2 * 32 * 32 * 4 * 0.99


def test_make_bench_finds_the_benchmark():
    from lensbook.site.bench import micro_benchmarks

    assert micro_benchmarks()["attention_costs.bench_attention_costs"] is bench.bench_attention_costs
