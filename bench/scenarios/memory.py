"""Memory: the resident set of one worker process after it has served every one of many
connected clinics (one invoice each), and its peak on the way."""

from __future__ import annotations

import asyncio
from typing import Any

from bench import queue
from bench.config import Sizes
from bench.fleet import Clinic
from bench.scenarios.warmup import post_round_robin
from bench.stack import Stack
from bench.stats import summary


async def _one_run(stack: Stack, sizes: Sizes, clinics: list[Clinic]) -> dict[str, float]:
    after_job = await queue.last_job_id(stack.db)
    [worker] = await stack.start_workers(1, concurrency=sizes.worker_concurrency)
    try:
        at_start = worker.memory_mb()["rss_mb"]
        await post_round_robin(stack, clinics, 1, sizes.posters)
        _, _, finished = await queue.wait_until_done(
            stack.db,
            after_id=after_job,
            expected=len(clinics),
            limit_seconds=sizes.run_limit_seconds,
        )
        await asyncio.sleep(1.0)  # the last runs give their leases back
        memory = worker.memory_mb()
    finally:
        await stack.stop_workers()
    return {"at_start_mb": at_start, **memory, "finished": float(finished)}


async def measure(stack: Stack, sizes: Sizes, clinics: list[Clinic]) -> dict[str, Any]:
    await stack.control.clear_faults()
    runs = [await _one_run(stack, sizes, clinics) for _ in range(sizes.runs)]
    return {
        "issuers": len(clinics),
        "worker_rss_mb": summary([run["rss_mb"] for run in runs]),
        "worker_peak_rss_mb": summary([run["peak_rss_mb"] for run in runs]),
        "worker_rss_at_start_mb": summary([run["at_start_mb"] for run in runs]),
        "all_finished": all(run["finished"] for run in runs),
    }
