"""Benchmarks of the warehouse build: see benchmarks/README.md."""
