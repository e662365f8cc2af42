"""Benchmarks: `python bench/run.py --name <name> --scale <small|province|national>` (docs/benchmarks.md)."""
