"""Benchmarks (see benchmarks/README.md); run `make bench`."""
