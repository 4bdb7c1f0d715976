"""Benchmarks: `python -m bench [NAME ...] [--repeat N] [--size tiny|full]` prints one table."""
