"""Order: an issuer's jobs run in id order, a job waits for the one it depends on, and a failed
job holds back only its own dependants — never the issuer's other work or other issuers."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from sgx.fortnox import InvalidRequest, Unavailable
from sgx.integration.gateway import FortnoxGateway
from sgx.kit.clock import utcnow
from sgx.outbox.models import JobStatus, TransferJob
from sgx.settings import Settings
from tests.sgx.outbox.support import (
    ConnectedClinic,
    ScriptedHandler,
    connected_clinic,
    job_of,
    make_engine,
    patient_jobs,
)


@pytest.fixture
async def connected(
    session: AsyncSession, sandbox: httpx.AsyncClient, settings: Settings, gateway: FortnoxGateway
) -> ConnectedClinic:
    return await connected_clinic(session, sandbox, settings, box=gateway.box)


async def test_an_issuers_jobs_run_in_the_order_they_were_written(
    engine: AsyncEngine,
    session: AsyncSession,
    gateway: FortnoxGateway,
    connected: ConnectedClinic,
) -> None:
    await patient_jobs(session, issuer_id=connected.issuer_id, subjects=[30, 10, 20])
    handler = ScriptedHandler()

    await make_engine(engine, gateway, handler).run_until_idle()

    assert handler.subjects_run() == [30, 10, 20]


async def test_a_credit_waits_until_its_invoice_is_transferred(
    engine: AsyncEngine,
    session: AsyncSession,
    gateway: FortnoxGateway,
    connected: ConnectedClinic,
) -> None:
    [invoice] = await patient_jobs(session, issuer_id=connected.issuer_id, subjects=[1])
    [credit] = await patient_jobs(
        session, issuer_id=connected.issuer_id, subjects=[2], after=invoice.id
    )
    handler = ScriptedHandler(script={1: [Unavailable("Fortnox svarar inte.", status=503)]})
    sync = make_engine(engine, gateway, handler)

    await sync.run_until_idle()
    waiting = await job_of(session, credit.id)
    waited = (waiting.status, waiting.attempts)
    await session.execute(
        update(TransferJob).where(TransferJob.id == invoice.id).values(available_at=utcnow())
    )
    await session.commit()
    await sync.run_until_idle()

    assert waited == (JobStatus.PENDING, 0)
    assert handler.subjects_run() == [1, 1, 2]
    assert (await job_of(session, credit.id)).status is JobStatus.DONE


async def test_a_failed_invoice_holds_back_its_credit_and_nothing_else(
    engine: AsyncEngine,
    session: AsyncSession,
    gateway: FortnoxGateway,
    connected: ConnectedClinic,
) -> None:
    [invoice] = await patient_jobs(session, issuer_id=connected.issuer_id, subjects=[1])
    [credit] = await patient_jobs(
        session, issuer_id=connected.issuer_id, subjects=[2], after=invoice.id
    )
    [unrelated] = await patient_jobs(session, issuer_id=connected.issuer_id, subjects=[3])
    handler = ScriptedHandler(script={1: [InvalidRequest("Ogiltigt.", status=400, code=2000588)]})

    await make_engine(engine, gateway, handler).run_until_idle()

    assert (await job_of(session, invoice.id)).status is JobStatus.FAILED
    assert (await job_of(session, credit.id)).status is JobStatus.PENDING
    assert (await job_of(session, unrelated.id)).status is JobStatus.DONE
    assert handler.subjects_run() == [1, 3]


async def test_one_issuers_failures_never_block_another_issuer(
    engine: AsyncEngine,
    session: AsyncSession,
    sandbox: httpx.AsyncClient,
    settings: Settings,
    gateway: FortnoxGateway,
    connected: ConnectedClinic,
) -> None:
    other = await connected_clinic(session, sandbox, settings, box=gateway.box)
    [broken] = await patient_jobs(session, issuer_id=connected.issuer_id, subjects=[1])
    [fine] = await patient_jobs(session, issuer_id=other.issuer_id, subjects=[2])
    handler = ScriptedHandler(script={1: [InvalidRequest("Ogiltigt.", status=400, code=2000588)]})

    await make_engine(engine, gateway, handler).run_until_idle()

    assert (await job_of(session, broken.id)).status is JobStatus.FAILED
    assert (await job_of(session, fine.id)).status is JobStatus.DONE
