"""Bringing clinics to the steady state: each one's first invoice, which puts the patient and
the articles into its Fortnox company, transferred before anything is measured."""

from __future__ import annotations

import asyncio

from bench import queue
from bench.fleet import Clinic
from bench.stack import Stack

POSTERS = 8
WORKERS = 2
CONCURRENCY = 16
LIMIT_SECONDS = 1200.0


async def post_round_robin(stack: Stack, clinics: list[Clinic], each: int, posters: int) -> float:
    """``each`` patient invoices per clinic through the API, clinics taken in turn by
    ``posters`` concurrent clients; returns the seconds it took."""
    api = stack.require_api()
    work = iter([clinic for _ in range(each) for clinic in clinics])
    loop = asyncio.get_running_loop()
    began = loop.time()

    async def poster() -> None:
        for clinic in work:
            await api.invoice(clinic)

    await asyncio.gather(*(poster() for _ in range(posters)))
    return loop.time() - began


async def warm_up(stack: Stack, clinics: list[Clinic]) -> None:
    after_job = await queue.last_job_id(stack.db)
    await post_round_robin(stack, clinics, 1, POSTERS)
    if not stack.embedded_worker:
        await stack.start_workers(WORKERS, concurrency=CONCURRENCY)
    try:
        _, _, finished = await queue.wait_until_done(
            stack.db, after_id=after_job, expected=len(clinics), limit_seconds=LIMIT_SECONDS
        )
    finally:
        await stack.stop_workers()
    if not finished:
        raise RuntimeError("the warm-up transfers did not finish; see the workers' logs")
