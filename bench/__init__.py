"""Benchmarks of the Fortnox transfer: how close the sync comes to Fortnox's rate limit.

``python -m bench [--quick]`` (or ``make bench`` / ``make bench-quick``) starts the sandbox, the
API and the sync workers as processes of their own on 127.0.0.1, measures, and writes
``bench/results/latest.json`` and ``docs/benchmarks.md``. Benchmarks report figures; they never
fail on a timing.
"""
