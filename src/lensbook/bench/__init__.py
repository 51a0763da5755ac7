"""Benchmarks for ``make bench``: timings and memory that vary by machine, so they never reach the site.

Every ``bench_*`` function of a module here is run by ``lensbook.site.bench``.
"""
