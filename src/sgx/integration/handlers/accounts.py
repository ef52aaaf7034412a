"""Saying exactly which account stops an invoice, and in which financial year.

Fortnox refuses an invoice whose row account is missing or inactive in the year of the invoice
date (2001304 "Kunde inte hitta konto", 2000550, 2000423), often without naming the account.
When that happens, the handler reads the year and the invoice's accounts from Fortnox (a few
calls, only on this failure) and returns a message naming each account, what is wrong with it
and the year, with what to do. If the diagnosis cannot be made, the catalogue's message stands.
"""

from __future__ import annotations

from functools import partial

from sgx.fortnox.errors import FortnoxError
from sgx.fortnox.schemas import Account, FinancialYear
from sgx.integration.handlers import refusals
from sgx.integration.handlers.common import call, lookup, outcome_of
from sgx.integration.jobs import JobContext, JobOutcome
from sgx.integration.messages import Described, describe_fortnox_error, raw_code
from sgx.invoicing.models import Invoice
from sgx.outbox.models import TransferJob

ACCOUNT_CODES = frozenset({2001304, 2000550, 2000423})


def is_account_error(error: FortnoxError) -> bool:
    return error.code in ACCOUNT_CODES


def year_label(year: FinancialYear) -> str:
    if year.from_date and year.to_date:
        return f"{year.from_date.isoformat()} – {year.to_date.isoformat()}"
    return str(year.id)


async def explain_account_error(
    ctx: JobContext, job: TransferJob, invoice: Invoice, error: FortnoxError
) -> JobOutcome:
    try:
        described = await _diagnose(ctx, job, invoice)
    except FortnoxError:
        described = None  # e.g. no bookkeeping licence: fall back to Fortnox's own words
    if described is None:
        described = describe_fortnox_error(error)
    return outcome_of(Described(described.code, described.message, fortnox_code=raw_code(error)))


async def _diagnose(ctx: JobContext, job: TransferJob, invoice: Invoice) -> Described | None:
    date = invoice.invoice_date
    year = await call(
        ctx, job, "get_financial_year", lambda: ctx.client.financial_years.for_date(date)
    )
    if year is None or year.id is None:
        return refusals.financial_year_missing(date)
    year_id = year.id

    async def read_account(number: int) -> Account:
        return await ctx.client.accounts.get(number, financial_year=year_id)

    problems = []
    for number in sorted({row.account_number for row in invoice.rows}):
        account = await lookup(ctx, job, "get_account", partial(read_account, number))
        if account is None:
            problems.append(f"konto {number} finns inte")
        elif account.active is False:
            problems.append(f"konto {number} är inte aktivt")
    if not problems:
        return None
    return refusals.account_problems(problems, year_label(year))
