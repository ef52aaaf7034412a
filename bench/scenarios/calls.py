"""Calls per invoice: how many Fortnox calls one transfer costs, counted in the sandbox's log.

A fresh clinic per run; its first invoice (articles not yet in Fortnox) is counted apart. Then,
each through the JSON API with one worker running: an invoice to the same patient again
(returning), to a patient just created (new), to a company that is in Fortnox (its first invoice
and a second one), a full credit, a partial credit (one row of a transferred invoice) and a
later credit of that invoice (the rest, a plain negative invoice). Every invoice and credit is
booked in Fortnox, so each count includes its ``bookkeep``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from bench import queue
from bench.api import Api, Created
from bench.config import Sizes
from bench.fleet import Clinic, add_company_in_fortnox, make_clinics
from bench.sandbox import fortnox_calls
from bench.stack import Stack
from bench.stats import summary

LIMIT_SECONDS = 60.0
KEYS = (
    "returning_patient",
    "new_patient",
    "company",
    "full_credit",
    "partial_credit",
    "later_credit",
    "company_first_invoice",
    "first_invoice_of_clinic",
)


async def _counted(
    stack: Stack, clinic: Clinic, action: Callable[[], Awaitable[Any]], *, jobs: int = 1
) -> tuple[int, Any]:
    """Run ``action`` (which creates ``jobs`` transfers), wait for them, count the calls."""
    before = await stack.control.requests(tenant_id=clinic.tenant_id)
    marker = max((entry["id"] for entry in before), default=0)
    after_job = await queue.last_job_id(stack.db)
    result = await action()
    _, _, finished = await queue.wait_until_done(
        stack.db, after_id=after_job, expected=jobs, limit_seconds=LIMIT_SECONDS
    )
    if not finished:
        raise RuntimeError("a transfer did not finish; see the worker's log")
    entries = await stack.control.requests(tenant_id=clinic.tenant_id)
    calls = fortnox_calls([entry for entry in entries if entry["id"] > marker])
    return len(calls), result


async def _one_run(stack: Stack, api: Api, clinic: Clinic) -> dict[str, int]:
    counts: dict[str, int] = {}
    counts["first_invoice_of_clinic"], _ = await _counted(
        stack, clinic, lambda: api.invoice(clinic)
    )
    counts["returning_patient"], returning = await _counted(
        stack, clinic, lambda: api.invoice(clinic)
    )

    async def new_patient() -> Created:
        patient_id = await api.patient(clinic, last_name="Nyström")
        return await api.invoice(clinic, patient_id=patient_id)

    counts["new_patient"], _ = await _counted(stack, clinic, new_patient)
    counts["company_first_invoice"], _ = await _counted(
        stack, clinic, lambda: api.invoice(clinic, company=True)
    )
    counts["company"], _ = await _counted(stack, clinic, lambda: api.invoice(clinic, company=True))
    invoice_id = int(returning.body["id"])
    counts["full_credit"], _ = await _counted(stack, clinic, lambda: api.credit(clinic, invoice_id))
    _, partly = await _counted(stack, clinic, lambda: api.invoice(clinic))
    row = next(r for r in partly.body["rows"] if r["article_code"] == "KONSULT")
    rows = [{"row_id": row["id"], "quantity": "1"}]
    counts["partial_credit"], _ = await _counted(
        stack, clinic, lambda: api.credit(clinic, int(partly.body["id"]), rows)
    )
    counts["later_credit"], _ = await _counted(
        stack, clinic, lambda: api.credit(clinic, int(partly.body["id"]))
    )
    return counts


async def measure(stack: Stack, sizes: Sizes) -> dict[str, Any]:
    api = stack.require_api()
    runs: list[dict[str, int]] = []
    await stack.start_workers(1, concurrency=1)
    try:
        for _ in range(sizes.calls_runs):
            clinic = (await make_clinics(stack.db, stack.control, 1))[0]
            await add_company_in_fortnox(stack.control, clinic)
            runs.append(await _one_run(stack, api, clinic))
    finally:
        await stack.stop_workers()
    return {key: summary([run[key] for run in runs]) for key in KEYS}
