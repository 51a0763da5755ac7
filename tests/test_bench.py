"""``make bench``: what it finds to run, and its helpers (the timings themselves are never tested)."""

from __future__ import annotations

from lensbook.site import bench, explorers_bench


def test_the_bench_finds_the_experiments_benchmarks_and_the_explorers():
    found = bench.micro_benchmarks()
    assert found["site.explorers_bench.bench_explorers"] is explorers_bench.bench_explorers
    assert all(name.split(".")[-1].startswith("bench_") and callable(f) for name, f in found.items())


def test_random_dna_is_seeded_and_only_bases():
    one = explorers_bench._random_dna(500, 7)
    assert one == explorers_bench._random_dna(500, 7) != explorers_bench._random_dna(500, 8)
    assert len(one) == 500 and set(one) == set("ACGT")


def test_rows_print_as_an_aligned_table(capsys):
    bench.print_rows([{"step": "warm", "median s": 1.23456}, {"step": "cold build", "median s": 30.0}])
    lines = capsys.readouterr().out.splitlines()
    assert lines == ["        step  median s", "        warm     1.235", "  cold build        30"]
