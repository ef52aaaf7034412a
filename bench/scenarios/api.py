"""The JSON API alone: invoice creation requests per second and their latency percentiles, with
several clients posting at once (closed loop) to clinics in turn and no worker running."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from bench.config import Sizes
from bench.fleet import Clinic
from bench.stack import Stack
from bench.stats import percentile, summary


async def _one_run(stack: Stack, sizes: Sizes, clinics: list[Clinic]) -> dict[str, float]:
    api = stack.require_api()
    work = iter(clinics[index % len(clinics)] for index in range(sizes.api_requests))
    durations: list[float] = []

    async def client() -> None:
        for clinic in work:
            created = await api.invoice(clinic)
            durations.append(created.seconds * 1000)

    began = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(sizes.api_clients)))
    seconds = time.perf_counter() - began
    return {
        "requests_per_second": len(durations) / seconds,
        "p50_ms": percentile(durations, 0.50),
        "p99_ms": percentile(durations, 0.99),
    }


async def measure(stack: Stack, sizes: Sizes, clinics: list[Clinic]) -> dict[str, Any]:
    await stack.stop_workers()
    runs = [await _one_run(stack, sizes, clinics) for _ in range(sizes.runs)]
    figures: dict[str, Any] = {
        key: summary([run[key] for run in runs])
        for key in ("requests_per_second", "p50_ms", "p99_ms")
    }
    figures["clients"] = sizes.api_clients
    figures["requests"] = sizes.api_requests
    return figures
