"""Latency: from the moment the API answered 201 (the invoice exists) to the moment its call
reached the sandbox, per invoice; p50, p95 and p99, idle and at half the measured throughput.

The sandbox logs a call when it arrives, before it adds its latency, so its own time (the added
latency and its work on the call) is left out by construction. Invoices are matched to calls per
tenant in order: one clinic's invoices are created one after another and transferred in that
order, each with a single ``POST /3/invoices`` in the steady state.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from bench import queue
from bench.config import Sizes
from bench.fleet import Clinic
from bench.sandbox import fortnox_calls
from bench.stack import Stack
from bench.stats import percentile, summary

PROBE_LIMIT_SECONDS = 30.0
IDLE_GAP_SECONDS = 0.05
MAX_IN_FLIGHT = 64


@dataclass(frozen=True)
class Probe:
    tenant_id: int
    created_at: float


async def _idle_run(stack: Stack, sizes: Sizes, clinics: list[Clinic]) -> list[float]:
    api = stack.require_api()
    await stack.control.clear_requests()
    probes: list[Probe] = []
    for index in range(sizes.idle_probes):
        clinic = clinics[index % len(clinics)]
        after_job = await queue.last_job_id(stack.db)
        created = await api.invoice(clinic)
        probes.append(Probe(clinic.tenant_id, created.created_at))
        await queue.wait_until_done(
            stack.db, after_id=after_job, expected=1, limit_seconds=PROBE_LIMIT_SECONDS
        )
        await asyncio.sleep(IDLE_GAP_SECONDS)
    return await _latencies(stack, probes)


async def _loaded_run(
    stack: Stack, sizes: Sizes, clinics: list[Clinic], rate: float
) -> list[float]:
    """Invoices created at ``rate`` per second (open loop) for the configured time."""
    api = stack.require_api()
    await stack.control.clear_requests()
    after_job = await queue.last_job_id(stack.db)
    count = max(int(rate * sizes.loaded_seconds), 1)
    locks: dict[int, asyncio.Lock] = defaultdict(asyncio.Lock)
    probes: dict[int, list[Probe]] = defaultdict(list)
    gate = asyncio.Semaphore(MAX_IN_FLIGHT)

    async def create(clinic: Clinic) -> None:
        async with gate, locks[clinic.issuer_id]:
            created = await api.invoice(clinic)
            probes[clinic.issuer_id].append(Probe(clinic.tenant_id, created.created_at))

    loop = asyncio.get_running_loop()
    began = loop.time()
    tasks = []
    for index in range(count):
        await asyncio.sleep(max(began + index / rate - loop.time(), 0.0))
        tasks.append(asyncio.create_task(create(clinics[index % len(clinics)])))
    await asyncio.gather(*tasks)
    await queue.wait_until_done(
        stack.db, after_id=after_job, expected=count, limit_seconds=sizes.run_limit_seconds
    )
    return await _latencies(stack, [probe for group in probes.values() for probe in group])


async def _latencies(stack: Stack, probes: list[Probe]) -> list[float]:
    """Milliseconds from creation to arrival, matched per tenant in order."""
    arrivals: dict[int, list[float]] = defaultdict(list)
    for call in fortnox_calls(await stack.control.requests()):
        if call["method"] == "POST" and call["path"] == "/3/invoices" and call["status"] == 201:
            arrivals[call["tenant_id"]].append(queue.parse_moment(call["at"]))
    created: dict[int, list[float]] = defaultdict(list)
    for probe in probes:
        created[probe.tenant_id].append(probe.created_at)
    latencies: list[float] = []
    for tenant_id, moments in created.items():
        reached = arrivals.get(tenant_id, [])
        if len(reached) != len(moments):
            continue  # a tenant whose calls cannot be paired up is left out
        latencies.extend(
            (arrived - made) * 1000 for made, arrived in zip(sorted(moments), reached, strict=True)
        )
    return latencies


def _percentiles(latencies: list[float]) -> dict[str, float]:
    return {
        "p50_ms": percentile(latencies, 0.50),
        "p95_ms": percentile(latencies, 0.95),
        "p99_ms": percentile(latencies, 0.99),
        "samples": float(len(latencies)),
    }


async def measure(
    stack: Stack, sizes: Sizes, clinics: list[Clinic], *, full_rate: float
) -> dict[str, Any]:
    """Idle, then loaded at half of ``full_rate`` (the throughput measured with one worker)."""
    await stack.control.add_latency(sizes.latency_ms)
    if not stack.embedded_worker:
        await stack.start_workers(1, concurrency=sizes.worker_concurrency)
    try:
        idle = [_percentiles(await _idle_run(stack, sizes, clinics)) for _ in range(sizes.runs)]
        rate = full_rate / 2
        loaded = []
        for _ in range(sizes.runs):
            loaded.append(_percentiles(await _loaded_run(stack, sizes, clinics, rate)))
            await asyncio.sleep(1.0)
    finally:
        await stack.stop_workers()
        await stack.control.clear_faults()
    figures: dict[str, Any] = {"loaded_rate_per_second": rate, "latency_ms": sizes.latency_ms}
    for name, runs in (("idle", idle), ("loaded", loaded)):
        for key in ("p50_ms", "p95_ms", "p99_ms", "samples"):
            figures[f"{name}_{key}"] = summary([run[key] for run in runs])
    return figures
