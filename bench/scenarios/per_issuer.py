"""Per-issuer throughput against the ceiling: one clinic with a backlog, the real 25 / 5 s limit.

The backlogs (one clinic per run, each its own Fortnox company and so its own window) are
created through the API while no worker runs; then one worker drains them side by side. The
figures come from the sandbox's log of the clinic's tenant: the least time the limit allows for
the calls made (the first window's 25 at once, then 25 per further window) against the time
they took, the invoices per second from the first call until the last job was done, and the
429 answers. The invoices-per-second ceiling follows from the calls each invoice took (two for a
booked invoice: create and bookkeep).
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


async def _drain(stack: Stack, sizes: Sizes, clinics: list[Clinic]) -> list[dict[str, Any]]:
    """Backlogs for every clinic, then one worker serving them all side by side (each clinic is
    its own tenant with its own window, so the runs do not share a limit)."""
    api = stack.require_api()
    after_job = await queue.last_job_id(stack.db)
    for clinic in clinics:
        await create_backlog(api, clinic, sizes.per_issuer_invoices)
    await stack.start_workers(1, concurrency=len(clinics))
    try:
        _, _, finished = await queue.wait_until_done(
            stack.db,
            after_id=after_job,
            expected=sizes.per_issuer_invoices * len(clinics),
            limit_seconds=sizes.run_limit_seconds,
        )
    finally:
        await stack.stop_workers()
    return [await _figures(stack, clinic, after_job, finished) for clinic in clinics]


async def _figures(stack: Stack, clinic: Clinic, after_job: int, finished: bool) -> dict[str, Any]:
    calls = fortnox_calls(await stack.control.requests(tenant_id=clinic.tenant_id))
    limited = [call for call in calls if call["status"] == 429]
    served = [call for call in calls if call["status"] != 429]
    first = queue.parse_moment(calls[0]["at"])
    last = queue.parse_moment(served[-1]["at"])
    span = max(last - first, 1e-9)
    done, last_done = await queue.done_of(stack.db, issuer_id=clinic.issuer_id, after_id=after_job)
    finish = last_done.timestamp() if last_done else time.time()
    return {
        "finished": finished,
        "invoices_per_second": done / max(finish - first, 1e-9),
        "calls": len(calls),
        "calls_per_invoice": len(served) / max(done, 1),
        "ceiling_ratio": least_seconds_for(len(served)) / span if len(served) > 1 else 0.0,
        "rate_limited_responses": len(limited),
        "seconds": finish - first,
    }


async def measure(stack: Stack, sizes: Sizes) -> dict[str, Any]:
    await stack.control.clear_faults()
    clinics = await make_clinics(stack.db, stack.control, sizes.runs)
    runs = await _drain(stack, sizes, clinics)
    keys = ("invoices_per_second", "ceiling_ratio", "rate_limited_responses", "seconds")
    figures: dict[str, Any] = {key: summary([run[key] for run in runs]) for key in keys}
    figures["invoices"] = sizes.per_issuer_invoices
    figures["all_finished"] = all(run["finished"] for run in runs)
    per_invoice = summary([run["calls_per_invoice"] for run in runs])
    figures["calls_per_invoice"] = per_invoice
    figures["ceiling_invoices_per_second"] = (
        FORTNOX_REQUESTS / FORTNOX_WINDOW_SECONDS / (per_invoice["median"] or 1)
    )
    return figures
