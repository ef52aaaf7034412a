"""Per-issuer throughput against the ceiling: one clinic with a backlog, the real 25 / 5 s limit.

The backlog is created through the API while no worker runs; then one worker drains it. The
figures come from the sandbox's log of the clinic's tenant: the least time the limit allows for
the calls made (the first window's 25 at once, then 25 per further window) against the time
they took, the invoices per second from the first call until the last job was done, and the
429 answers.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from bench import queue
from bench.api import Api
from bench.config import Sizes
from bench.fleet import Clinic, make_clinics
from bench.sandbox import FORTNOX_REQUESTS, FORTNOX_WINDOW_SECONDS, fortnox_calls, least_seconds_for
from bench.stack import Stack
from bench.stats import summary

BACKLOG_POSTERS = 4


async def create_backlog(api: Api, clinic: Clinic, count: int) -> None:
    remaining = iter(range(count))

    async def poster() -> None:
        for _ in remaining:
            await api.invoice(clinic)

    await asyncio.gather(*(poster() for _ in range(BACKLOG_POSTERS)))


async def _one_run(stack: Stack, sizes: Sizes) -> dict[str, Any]:
    api = stack.require_api()
    clinic = (await make_clinics(stack.db, stack.control, 1))[0]
    after_job = await queue.last_job_id(stack.db)
    await create_backlog(api, clinic, sizes.per_issuer_invoices)
    started = time.time()
    await stack.start_workers(1, concurrency=1)
    try:
        done, last_done, finished = await queue.wait_until_done(
            stack.db,
            after_id=after_job,
            expected=sizes.per_issuer_invoices,
            limit_seconds=sizes.run_limit_seconds,
        )
    finally:
        await stack.stop_workers()
    calls = fortnox_calls(await stack.control.requests(tenant_id=clinic.tenant_id))
    limited = [call for call in calls if call["status"] == 429]
    served = [call for call in calls if call["status"] != 429]
    first = queue.parse_moment(calls[0]["at"]) if calls else started
    last = queue.parse_moment(served[-1]["at"]) if served else first
    span = max(last - first, 1e-9)
    finish = last_done.timestamp() if last_done else time.time()
    return {
        "invoices": done,
        "finished": finished,
        "invoices_per_second": done / max(finish - first, 1e-9),
        "calls": len(calls),
        "ceiling_ratio": least_seconds_for(len(served)) / span if len(served) > 1 else 0.0,
        "rate_limited_responses": len(limited),
        "seconds": finish - first,
    }


async def measure(stack: Stack, sizes: Sizes) -> dict[str, Any]:
    await stack.control.clear_faults()
    runs = [await _one_run(stack, sizes) for _ in range(sizes.runs)]
    keys = (
        "invoices_per_second",
        "ceiling_ratio",
        "rate_limited_responses",
        "seconds",
    )
    figures: dict[str, Any] = {key: summary([run[key] for run in runs]) for key in keys}
    figures["invoices"] = sizes.per_issuer_invoices
    figures["all_finished"] = all(run["finished"] for run in runs)
    figures["ceiling_invoices_per_second"] = FORTNOX_REQUESTS / FORTNOX_WINDOW_SECONDS
    return figures
