"""Exactly once under faults: each fault kind on each write the handlers make — customer create,
article create, invoice create and booking, the credit action, the change and the booking of the
credit invoice, a later credit's POST — ends with exactly one document in Fortnox, booked, in
each of the sandbox's invoice numbering modes. The job is run again after each transient
failure, as the engine would."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from sgx.integration.jobs import JobOutcome, OutcomeKind
from sgx.invoicing.models import Invoice
from sgx.outbox.models import JobKind
from tests.builders.transfer import (
    Connected,
    SessionFactory,
    add_fault,
    connect_clinic,
    credit,
    fired_faults,
    fortnox_invoice,
    fortnox_list,
    patient_invoice,
    patient_number,
    transfer,
)

FAULTS: dict[str, dict[str, Any]] = {
    "500": {"kind": "status", "status": 500},
    "503": {"kind": "status", "status": 503},
    "429": {"kind": "rate_limit"},
    "reset": {"kind": "reset"},
    "latency": {"kind": "latency", "latency_ms": 30},
    "commit_then_drop": {"kind": "commit_then_drop"},
}


@dataclass
class Write:
    method: str
    path: str  # a regular expression on the request path
    # Arrange what must exist before the faulty write; returns the invoice (or credit) to send.
    arrange: Callable[[Connected, AsyncSession], Awaitable[tuple[Invoice, JobKind]]]
    # The documents of the kind written, as Fortnox lists them after the transfer.
    count: Callable[[Connected, Invoice, JobOutcome], Awaitable[int]]


async def _new_invoice(connected: Connected, session: AsyncSession) -> tuple[Invoice, JobKind]:
    return await patient_invoice(session, connected, rows=[("BESOK", "1")]), JobKind.INVOICE


async def _transferred(connected: Connected, session: AsyncSession) -> Invoice:
    original = await patient_invoice(session, connected, rows=[("BESOK", "2")])
    assert (await transfer(connected, session, original)).kind is OutcomeKind.DONE
    return original


async def _partial_credit(connected: Connected, session: AsyncSession) -> tuple[Invoice, JobKind]:
    original = await _transferred(connected, session)
    return await credit(session, original, [(original.rows[0].id, "1")]), JobKind.INVOICE


async def _full_credit(connected: Connected, session: AsyncSession) -> tuple[Invoice, JobKind]:
    original = await _transferred(connected, session)
    return await credit(session, original), JobKind.FULL_CREDIT


async def _later_credit(connected: Connected, session: AsyncSession) -> tuple[Invoice, JobKind]:
    original = await _transferred(connected, session)
    first = await credit(session, original, [(original.rows[0].id, "1")])
    assert (await transfer(connected, session, first)).kind is OutcomeKind.DONE
    return await credit(session, original, [(original.rows[0].id, "1")]), JobKind.INVOICE


async def _customers(connected: Connected, invoice: Invoice, outcome: JobOutcome) -> int:
    wanted = await patient_number(connected)
    customers = await fortnox_list(connected, "customers", "Customers")
    assert [c["CustomerNumber"] for c in customers] == [wanted]
    return len(customers)


async def _articles(connected: Connected, invoice: Invoice, outcome: JobOutcome) -> int:
    articles = await fortnox_list(connected, "articles", "Articles")
    return sum(1 for article in articles if article["ArticleNumber"] == "BESOK")


async def _invoices(connected: Connected, invoice: Invoice, outcome: JobOutcome) -> int:
    invoices = await fortnox_list(connected, "invoices", "Invoices")
    # SGX's number, unless this Fortnox numbers invoices itself.
    assert [(i["DocumentNumber"], i["Booked"]) for i in invoices] == [
        (outcome.fortnox_document_number, True)
    ]
    return len(invoices)


async def _credit_invoices(connected: Connected, credit: Invoice, outcome: JobOutcome) -> int:
    invoices = await fortnox_list(connected, "invoices", "Invoices")
    booked = {i["DocumentNumber"]: i["Booked"] for i in invoices}
    assert booked[outcome.fortnox_document_number] is True
    made = await fortnox_invoice(connected, outcome.fortnox_document_number)
    assert Decimal(str(made["Total"])) == credit.total
    return len(invoices) - 1  # besides the original


async def _later_credits(connected: Connected, credit: Invoice, outcome: JobOutcome) -> int:
    assert await _credit_invoices(connected, credit, outcome) == 2
    return 1  # besides the original and its first credit


WRITES = {
    "customer_create": Write("POST", r"^/3/customers/?$", _new_invoice, _customers),
    "article_create": Write("POST", r"^/3/articles/?$", _new_invoice, _articles),
    "invoice_create": Write("POST", r"^/3/invoices/?$", _new_invoice, _invoices),
    "invoice_bookkeep": Write("PUT", r"^/3/invoices/\d+/bookkeep$", _new_invoice, _invoices),
    "credit_action": Write("PUT", r"^/3/invoices/\d+/credit$", _full_credit, _credit_invoices),
    "credit_change": Write("PUT", r"^/3/invoices/\d+$", _partial_credit, _credit_invoices),
    "credit_bookkeep": Write(
        "PUT", r"^/3/invoices/\d+/bookkeep$", _partial_credit, _credit_invoices
    ),
    "later_credit_post": Write("POST", r"^/3/invoices/?$", _later_credit, _later_credits),
}


@pytest.fixture
async def connected(
    session: AsyncSession,
    session_factory: SessionFactory,
    sandbox_client: httpx.AsyncClient,
    numbering: str,
) -> Connected:
    return await connect_clinic(
        session, session_factory, sandbox_client, invoice_numbering=numbering
    )


@pytest.mark.parametrize("fault", list(FAULTS))
@pytest.mark.parametrize("write", list(WRITES))
async def test_each_fault_on_each_write_ends_with_exactly_one_document(
    connected: Connected, session: AsyncSession, write: str, fault: str
) -> None:
    plan = WRITES[write]
    subject, kind = await plan.arrange(connected, session)
    await add_fault(connected, method=plan.method, path=plan.path, count=1, **FAULTS[fault])
    outcome = await transfer(connected, session, subject, kind=kind)
    assert outcome.kind is OutcomeKind.DONE, outcome
    assert await fired_faults(connected) == 1
    assert await plan.count(connected, subject, outcome) == 1
