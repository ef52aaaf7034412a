"""Sizes and settings of a benchmark run: the full one and the quick one."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any


@dataclass(frozen=True)
class Sizes:
    quick: bool
    runs: int  # repetitions of each measurement; the figure is their median
    calls_runs: int
    per_issuer_invoices: int
    aggregate_issuers: int
    aggregate_invoices_each: int
    worker_counts: tuple[int, ...]
    worker_concurrency: int  # issuers served at once by one worker process
    posters: int  # concurrent API clients creating invoices
    latency_ms: int  # the sandbox's added latency on every Fortnox call
    idle_probes: int
    loaded_seconds: float
    api_requests: int
    api_clients: int
    memory_issuers: int
    sqlite: bool  # also measure the embedded SQLite mode for comparison
    sqlite_issuers: int  # its fleet: the embedded worker is slower, so a smaller one
    # Upper bounds: a run that has not finished by then is reported as cut short.
    run_limit_seconds: float


FULL = Sizes(
    quick=False,
    runs=3,
    calls_runs=3,
    per_issuer_invoices=2000,
    aggregate_issuers=500,
    aggregate_invoices_each=20,
    worker_counts=(1, 2, 4),
    worker_concurrency=8,
    posters=8,
    latency_ms=50,
    idle_probes=150,
    loaded_seconds=40.0,
    api_requests=2000,
    api_clients=8,
    memory_issuers=1000,
    sqlite=True,
    sqlite_issuers=100,
    run_limit_seconds=900.0,
)

QUICK = Sizes(
    quick=True,
    runs=1,
    calls_runs=1,
    per_issuer_invoices=200,
    aggregate_issuers=100,
    aggregate_invoices_each=10,
    worker_counts=(1, 2, 4),
    worker_concurrency=8,
    posters=8,
    latency_ms=50,
    idle_probes=40,
    loaded_seconds=15.0,
    api_requests=300,
    api_clients=8,
    memory_issuers=200,
    sqlite=True,
    sqlite_issuers=100,
    run_limit_seconds=240.0,
)


def sizes_for(*, quick: bool, **overrides: int | None) -> Sizes:
    """The full or quick sizes, with any of their fields given (not None) replaced."""
    chosen = QUICK if quick else FULL
    given: dict[str, Any] = {key: value for key, value in overrides.items() if value is not None}
    return replace(chosen, **given)
