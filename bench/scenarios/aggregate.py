"""Aggregate throughput: many clinics at once, end to end (the API call creating the invoice →
Fortnox has it), the real rate limit and the sandbox's added latency on every call.

Per run the invoices are created through the API by concurrent clients (clinics in turn) while
the workers run; the clock stops when the last job is done. PostgreSQL runs 1, 2 and 4 worker
processes; SQLite runs its embedded mode (the worker inside the API process). The bare load
generator then posts the same number of invoices straight to the sandbox.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

from bench import queue
from bench.config import Sizes
from bench.fleet import Clinic
from bench.profiling import Recording
from bench.sandbox import FORTNOX_WINDOW_SECONDS, fortnox_calls
from bench.scenarios.bare import bare_tokens, run_bare
from bench.scenarios.warmup import post_round_robin
from bench.stack import Stack
from bench.stats import summary

EMBEDDED = "embedded"


async def _one_run(
    stack: Stack, sizes: Sizes, clinics: list[Clinic], workers: int, profile: Path | None
) -> dict[str, Any]:
    # Every tenant's window from the run before has passed.
    await asyncio.sleep(FORTNOX_WINDOW_SECONDS + 0.5)
    after_job = await queue.last_job_id(stack.db)
    if workers:
        await stack.start_workers(workers, concurrency=sizes.worker_concurrency)
    recordings = _record(stack, profile) if profile is not None else []
    await stack.control.clear_requests()
    total = len(clinics) * sizes.aggregate_invoices_each
    began = time.time()
    try:
        api_seconds = await post_round_robin(
            stack, clinics, sizes.aggregate_invoices_each, sizes.posters
        )
        done, last_done, finished = await queue.wait_until_done(
            stack.db, after_id=after_job, expected=total, limit_seconds=sizes.run_limit_seconds
        )
    finally:
        await stack.stop_workers()
        for recording in recordings:
            await asyncio.to_thread(recording.stop)
    calls = fortnox_calls(await stack.control.requests())
    finish = last_done.timestamp() if last_done else time.time()
    return {
        "invoices_per_second": done / max(finish - began, 1e-9),
        "seconds": finish - began,
        "api_seconds": api_seconds,
        "finished": finished,
        "calls": len(calls),
        "rate_limited_responses": sum(1 for call in calls if call["status"] == 429),
    }


def _record(stack: Stack, profile: Path) -> list[Recording]:
    profile.mkdir(parents=True, exist_ok=True)
    targets = [*stack.workers]
    if stack.api_child is not None:
        targets.append(stack.api_child)
    return [Recording(child.pid, profile / f"{child.name}.txt") for child in targets]


async def measure(
    stack: Stack, sizes: Sizes, clinics: list[Clinic], *, profile: Path | None = None
) -> dict[str, Any]:
    await stack.control.add_latency(sizes.latency_ms)
    counts: list[int] = list(sizes.worker_counts) if not stack.embedded_worker else [0]
    by_count: dict[str, Any] = {}
    try:
        for workers in counts:
            runs = []
            for index in range(sizes.runs):
                # Profile the last run with the most workers.
                profiled = profile if workers == max(counts) and index == sizes.runs - 1 else None
                runs.append(await _one_run(stack, sizes, clinics, workers, profiled))
            by_count[str(workers) if workers else EMBEDDED] = _figures(runs)
    finally:
        await stack.control.clear_faults()
    return {
        "issuers": len(clinics),
        "invoices_each": sizes.aggregate_invoices_each,
        "latency_ms": sizes.latency_ms,
        "worker_concurrency": sizes.worker_concurrency,
        "posters": sizes.posters,
        "by_workers": by_count,
    }


def _figures(runs: list[dict[str, Any]]) -> dict[str, Any]:
    keys = ("invoices_per_second", "seconds", "api_seconds", "rate_limited_responses", "calls")
    figures: dict[str, Any] = {key: summary([run[key] for run in runs]) for key in keys}
    figures["all_finished"] = all(run["finished"] for run in runs)
    return figures


async def measure_bare(stack: Stack, sizes: Sizes, clinics: list[Clinic]) -> dict[str, Any]:
    """The bare generator, with as many clients as the most workers serve issuers at once."""
    clients = max(sizes.worker_counts) * sizes.worker_concurrency
    await stack.control.add_latency(sizes.latency_ms)
    try:
        tokens = await bare_tokens(stack.control, clinics)
        runs = []
        for _ in range(sizes.runs):
            await asyncio.sleep(FORTNOX_WINDOW_SECONDS + 0.5)
            runs.append(
                await run_bare(
                    stack.control,
                    clinics,
                    tokens,
                    each=sizes.aggregate_invoices_each,
                    clients=clients,
                )
            )
    finally:
        await stack.control.clear_faults()
    return {
        "clients": clients,
        "invoices_per_second": summary([run["invoices_per_second"] for run in runs]),
        "seconds": summary([run["seconds"] for run in runs]),
        "failures": sum(run["failures"] for run in runs),
    }
