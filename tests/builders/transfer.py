"""Builders for transfer-handler tests: a clinic connected to a sandbox company, transfer jobs
with the engine's ``JobContext``, and running a job to its end as the engine would.

``run_job`` calls the handler again, with the job reloaded, after each transient failure (a
retryable ``FortnoxError`` or a ``RETRY`` outcome), as the engine does after its back-off.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import sgx.integration.handlers  # noqa: F401 — registers the handlers
from sgx.fortnox.client import FortnoxClient
from sgx.fortnox.errors import FortnoxError
from sgx.fortnox.pacing import SlidingWindowPacer
from sgx.integration.installation import reference_prefix
from sgx.integration.jobs import HANDLERS, JobOutcome, OutcomeKind
from sgx.integration.mapping import patient_customer_number
from sgx.integration.runner import EngineJobContext
from sgx.invoicing import credits
from sgx.invoicing.models import Invoice
from sgx.invoicing.schemas import CreditCreate, CreditRowIn
from sgx.kit.clock import today_in_sweden
from sgx.outbox.models import JobKind, TransferJob
from tests.builders.invoicing import Clinic, invoicer, make_clinic, make_invoice
from tests.sgx.fortnox.sandbox import consent, create_company, fortnox_client, register_client

SessionFactory = async_sessionmaker[AsyncSession]
T = TypeVar("T")


@dataclass
class Connected:
    """A clinic in SGX, its company in the sandbox, and the handlers' context."""

    clinic: Clinic
    tenant_id: int
    sandbox: httpx.AsyncClient  # the control plane
    ctx: EngineJobContext
    access_token: str

    @property
    def fortnox(self) -> FortnoxClient:
        return self.ctx.client


async def connect_clinic(
    session: AsyncSession,
    session_factory: SessionFactory,
    sandbox: httpx.AsyncClient,
    *,
    invoice_numbering: str = "lowest_free",
    **issuer_fields: Any,
) -> Connected:
    """``invoice_numbering``: how the Fortnox company numbers invoices (the sandbox's modes)."""
    clinic = await make_clinic(session, **issuer_fields)
    await register_client(sandbox)
    tenant_id = await create_company(sandbox, invoice_numbering=invoice_numbering)
    tokens = await consent(sandbox, tenant_id)
    # No pause after a 429: the sandbox sends no Retry-After and tests should not wait.
    client = fortnox_client(
        sandbox, tokens["access_token"], tenant_id, pacer=SlidingWindowPacer(backoff_seconds=0)
    )
    ctx = EngineJobContext(
        session_factory=session_factory,
        client=client,
        issuer_id=clinic.issuer.id,
        worker_name="test-worker",
    )
    return Connected(
        clinic=clinic,
        tenant_id=tenant_id,
        sandbox=sandbox,
        ctx=ctx,
        access_token=tokens["access_token"],
    )


async def make_job(
    session: AsyncSession, *, issuer_id: int, kind: JobKind, subject_id: int
) -> TransferJob:
    job = TransferJob(issuer_id=issuer_id, kind=kind, subject_id=subject_id)
    session.add(job)
    await session.commit()
    return job


async def reload_job(session_factory: SessionFactory, job_id: int) -> TransferJob:
    async with session_factory() as session:
        job = await session.get(TransferJob, job_id)
        assert job is not None
    return job


async def run_job(ctx: EngineJobContext, job_id: int, *, runs: int = 8) -> JobOutcome:
    """Run the job's handler until it settles, retrying transient failures like the engine."""
    seen: list[str] = []
    for _ in range(runs):
        job = await reload_job(ctx.session_factory, job_id)
        try:
            outcome = await HANDLERS[job.kind](ctx, job)
        except FortnoxError as error:
            seen.append(type(error).__name__)
            if error.retryable:
                continue
            raise
        seen.append(outcome.kind.value)
        if outcome.kind is not OutcomeKind.RETRY:
            return outcome
    raise AssertionError(f"the job never settled: {seen}")


async def transfer(
    connected: Connected, session: AsyncSession, invoice: Invoice, *, kind: JobKind | None = None
) -> JobOutcome:
    """Enqueue the invoice (or credit) and run its job to the end."""
    job = await make_job(
        session,
        issuer_id=invoice.issuer_id,
        kind=kind or JobKind.INVOICE,
        subject_id=invoice.id,
    )
    return await run_job(connected.ctx, job.id)


async def patient_invoice(
    session: AsyncSession,
    connected: Connected,
    rows: list[tuple[str, str]] | None = None,
    *,
    invoice_date: dt.date | None = None,
) -> Invoice:
    return await _invoice(
        session,
        connected,
        patient_id=connected.clinic.patient.id,
        rows=rows,
        invoice_date=invoice_date,
    )


async def company_invoice(
    session: AsyncSession, connected: Connected, rows: list[tuple[str, str]] | None = None
) -> Invoice:
    return await _invoice(session, connected, company_id=connected.clinic.company.id, rows=rows)


async def _invoice(
    session: AsyncSession,
    connected: Connected,
    *,
    rows: list[tuple[str, str]] | None,
    invoice_date: dt.date | None = None,
    **party: int,
) -> Invoice:
    invoice = await make_invoice(
        session,
        issuer_id=connected.clinic.issuer.id,
        rows=[(code, Decimal(q)) for code, q in (rows or [("BESOK", "1"), ("KONSULT", "2")])],
        invoice_date=invoice_date or today_in_sweden(),
        **party,
    )
    await session.commit()
    return invoice


async def credit(
    session: AsyncSession,
    invoice: Invoice,
    rows: list[tuple[int, str]] | None = None,
    *,
    today: dt.date | None = None,
) -> Invoice:
    """A full credit (``rows`` None) or a partial one of (original row id, quantity) pairs."""
    principal = await invoicer(session, issuer_id=invoice.issuer_id)
    made = await credits.credit_invoice(
        session,
        principal=principal,
        invoice_id=invoice.id,
        data=CreditCreate(
            rows=None
            if rows is None
            else [CreditRowIn(row_id=row_id, quantity=Decimal(q)) for row_id, q in rows],
        ),
        today=today or today_in_sweden(),
    )
    await session.commit()
    return made


async def add_company_in_fortnox(
    connected: Connected, *, name: str, organisation_number: str, **fields: Any
) -> dict[str, Any]:
    """A customer created directly in Fortnox, as the clinic's staff would."""
    response = await connected.sandbox.post(
        f"/_sandbox/tenants/{connected.tenant_id}/actions",
        json={
            "action": "create_customer",
            "fields": {"Name": name, "OrganisationNumber": organisation_number, **fields},
        },
    )
    assert response.status_code == 200, response.text
    created: dict[str, Any] = response.json()
    return created


async def requests_to_fortnox(connected: Connected) -> list[dict[str, Any]]:
    response = await connected.sandbox.get(
        "/_sandbox/requests", params={"tenant_id": connected.tenant_id}
    )
    assert response.status_code == 200, response.text
    requests: list[dict[str, Any]] = response.json()["requests"]
    return requests


async def forget_requests(connected: Connected) -> None:
    response = await connected.sandbox.delete("/_sandbox/requests")
    assert response.status_code == 200, response.text


async def add_fault(connected: Connected, **fault: Any) -> None:
    response = await connected.sandbox.post(
        "/_sandbox/faults", json={"tenant_id": connected.tenant_id, **fault}
    )
    assert response.status_code == 200, response.text


async def stored(session_factory: SessionFactory, model: type[T], key: int) -> T:
    """The row as the database has it now (read in a session of its own)."""
    async with session_factory() as session:
        found = await session.get(model, key)
        assert found is not None
    return found


async def fired_faults(connected: Connected) -> int:
    response = await connected.sandbox.get("/_sandbox/faults")
    assert response.status_code == 200, response.text
    return sum(int(fault["fired"]) for fault in response.json())


async def fortnox_invoice(connected: Connected, number: str | int | None) -> dict[str, Any]:
    """An invoice as Fortnox shows it (its raw JSON), read straight from the sandbox."""
    response = await connected.sandbox.get(
        f"/3/invoices/{number}", headers={"Authorization": f"Bearer {connected.access_token}"}
    )
    assert response.status_code == 200, response.text
    invoice: dict[str, Any] = response.json()["Invoice"]
    return invoice


async def inside_fortnox(connected: Connected, action: str, **fields: Any) -> dict[str, Any]:
    """Something a person does directly in Fortnox (the sandbox's "inside" actions)."""
    response = await connected.sandbox.post(
        f"/_sandbox/tenants/{connected.tenant_id}/actions", json={"action": action, **fields}
    )
    assert response.status_code == 200, response.text
    changed: dict[str, Any] = response.json()
    return changed


async def fortnox_list(connected: Connected, resource: str, key: str) -> list[dict[str, Any]]:
    """Every entity of a Fortnox list (one page of up to 500), read straight from the sandbox."""
    response = await connected.sandbox.get(
        f"/3/{resource}",
        params={"limit": 500},
        headers={"Authorization": f"Bearer {connected.access_token}"},
    )
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()[key]
    return items


async def installation_of(session_factory: SessionFactory) -> str:
    """The SGX installation's reference prefix (made on first use, as the handlers do)."""
    async with session_factory() as session:
        prefix = await reference_prefix(session)
        await session.commit()
    return prefix


async def patient_number(connected: Connected, patient_id: int | None = None) -> str:
    """The patient's customer number in Fortnox: ``SGX<installation>P<id>``."""
    installation = await installation_of(connected.ctx.session_factory)
    return patient_customer_number(
        patient_id or connected.clinic.patient.id, installation=installation
    )
