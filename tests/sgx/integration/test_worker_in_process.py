"""``sgx serve`` in the embedded mode runs the sync engine in its own process: a new invoice
reaches Fortnox (the sandbox) without anyone pressing a button."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from sgx.app import create_app
from sgx.integration.gateway import FortnoxGateway
from sgx.invoicing.models import TransferStatus
from sgx.outbox.models import JobStatus
from sgx.settings import Settings
from tests.sgx.outbox.support import connected_clinic, eventually, invoice_job, invoice_of, job_of


async def test_the_app_transfers_a_new_invoice_with_its_in_process_worker(
    app: Any,
    session: AsyncSession,
    sandbox: httpx.AsyncClient,
    settings: Settings,
    gateway: FortnoxGateway,
) -> None:
    connected = await connected_clinic(session, sandbox, settings, box=gateway.box)

    async with app.router.lifespan_context(app):
        assert app.state.sync_engine is not None
        invoice, job = await invoice_job(session, connected.clinic)

        async def transferred() -> bool:
            return (await job_of(session, job.id)).status is JobStatus.DONE

        await eventually(transferred, "the in-process worker to transfer the invoice")

    stored = await invoice_of(session, invoice.id)
    assert stored.transfer_status == TransferStatus.TRANSFERRED.value
    assert stored.fortnox_document_number == str(invoice.number)


async def test_the_app_runs_no_worker_when_told_not_to(
    settings: Settings, engine: AsyncEngine, sandbox_app: Any
) -> None:
    quiet = create_app(
        settings.model_copy(update={"run_worker_in_process": False}),
        engine=engine,
        sandbox_app=sandbox_app,
    )

    async with quiet.router.lifespan_context(quiet):
        running = getattr(quiet.state, "sync_engine", None)

    assert running is None
