"""A credit takes up to three writes (the credit action, the change of the credit invoice, its
booking). A run that stops between any two of them — its answer lost after Fortnox applied the
write, or the run stopped before the next call — is resumed from where Fortnox is: one credit
invoice, the credit action sent once, SGX's rows and dates, booked."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from sgx.integration.jobs import OutcomeKind
from sgx.invoicing.models import Invoice, TransferStatus
from sgx.kit.clock import today_in_sweden
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
    requests_to_fortnox,
    stored,
    transfer,
)

INVOICED = today_in_sweden() - dt.timedelta(days=4)
CREDITED = today_in_sweden() - dt.timedelta(days=2)
ACTION = r"^/3/invoices/\d+/credit$"
CHANGE = r"^/3/invoices/\d+$"
BOOKKEEP = r"^/3/invoices/\d+/bookkeep$"
LOST_ANSWER = {"kind": "commit_then_drop"}
STOPPED = {"kind": "status", "status": 503}

# Between which steps the run stops, and how: the answer of the step before is lost (Fortnox
# applied it), or the run stops before the step after (a 503 ends it, as a kill would).
STOPS: dict[str, tuple[str, str, dict[str, Any]]] = {
    "action_lost_before_change": ("PUT", ACTION, LOST_ANSWER),
    "stopped_after_action": ("PUT", CHANGE, STOPPED),
    "change_lost_before_bookkeep": ("PUT", CHANGE, LOST_ANSWER),
    "stopped_after_change": ("PUT", BOOKKEEP, STOPPED),
    "bookkeep_lost_before_record": ("PUT", BOOKKEEP, LOST_ANSWER),
}


@pytest.fixture
async def connected(
    session: AsyncSession, session_factory: SessionFactory, sandbox_client: httpx.AsyncClient
) -> Connected:
    return await connect_clinic(session, session_factory, sandbox_client)


@pytest.mark.parametrize("stop", list(STOPS))
@pytest.mark.parametrize("partial", [False, True], ids=["full", "partial"])
async def test_a_credit_stopped_between_two_steps_resumes_into_one_booked_credit_invoice(
    connected: Connected,
    session: AsyncSession,
    session_factory: SessionFactory,
    stop: str,
    partial: bool,
) -> None:
    original = await patient_invoice(
        session, connected, rows=[("BESOK", "2"), ("KONSULT", "1")], invoice_date=INVOICED
    )
    assert (await transfer(connected, session, original)).kind is OutcomeKind.DONE
    rows = [(original.rows[0].id, "1")] if partial else None
    made = await credit(session, original, rows, today=CREDITED)
    method, path, fault = STOPS[stop]
    await add_fault(connected, method=method, path=path, count=1, **fault)

    outcome = await transfer(
        connected, session, made, kind=JobKind.INVOICE if partial else JobKind.FULL_CREDIT
    )

    assert outcome.kind is OutcomeKind.DONE, outcome
    assert await fired_faults(connected) == 1
    assert len(await fortnox_list(connected, "invoices", "Invoices")) == 2
    actions = [r for r in await requests_to_fortnox(connected) if r["path"].endswith("/credit")]
    assert len(actions) == 1  # the credit action is never sent again
    linked = (await fortnox_invoice(connected, original.number))["CreditInvoiceReference"]
    assert outcome.fortnox_document_number == linked
    found = await fortnox_invoice(connected, linked)
    assert (found["Credit"], found["InvoiceReference"], found["Booked"]) == (
        "true",
        str(original.number),
        True,
    )
    assert (found["InvoiceDate"], Decimal(str(found["Total"]))) == (
        CREDITED.isoformat(),
        made.total,
    )
    after = await stored(session_factory, Invoice, made.id)
    assert (after.fortnox_document_number, after.transfer_status) == (
        linked,
        TransferStatus.TRANSFERRED.value,
    )
