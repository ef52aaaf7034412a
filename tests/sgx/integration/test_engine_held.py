"""Held queues: no usable connection pauses an issuer's transfers, never drops them; a
reconnect (or "Försök igen") releases them and they flow."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from sgx.fortnox import MissingLicence
from sgx.integration.errors import NotConnected
from sgx.integration.gateway import FortnoxGateway
from sgx.integration.jobs import JobOutcome, OutcomeKind
from sgx.integration.models import ConnectionState
from sgx.integration.transfers import release_held
from sgx.integration.verification import verify_connection
from sgx.invoicing.models import TransferStatus
from sgx.outbox.models import JobStatus
from sgx.settings import Settings
from tests.builders.integration import consent, make_connection, make_fortnox_company
from tests.builders.invoicing import Clinic, make_clinic
from tests.sgx.outbox.support import (
    ScriptedHandler,
    attempts_of,
    connected_clinic,
    invoice_job,
    invoice_of,
    job_of,
    make_engine,
)


@pytest.fixture
async def unconnected(session: AsyncSession) -> Clinic:
    """A clinic with the integration switched on but no Fortnox connection yet."""
    return await make_clinic(session, fortnox_integration_enabled=True)


async def _connect(
    session: AsyncSession,
    sandbox: httpx.AsyncClient,
    settings: Settings,
    gateway: FortnoxGateway,
    clinic: Clinic,
) -> None:
    company = await make_fortnox_company(
        sandbox, organisation_number=clinic.issuer.organisation_number
    )
    tokens = await consent(sandbox, settings, tenant_id=company["tenant_id"])
    await make_connection(
        session,
        issuer_id=clinic.issuer.id,
        box=gateway.box,
        tenant_id=company["tenant_id"],
        tokens=tokens,
    )
    await session.commit()


async def test_without_a_connection_the_invoices_are_paused_not_dropped(
    engine: AsyncEngine,
    session: AsyncSession,
    gateway: FortnoxGateway,
    unconnected: Clinic,
) -> None:
    first, first_job = await invoice_job(session, unconnected)
    second, second_job = await invoice_job(session, unconnected)
    handler = ScriptedHandler()

    await make_engine(engine, gateway, handler).run_until_idle()

    assert handler.runs == []
    for invoice, job in ((first, first_job), (second, second_job)):
        stored = await job_of(session, job.id)
        assert (stored.status, stored.error_code) == (JobStatus.HELD, NotConnected().code)
        paused = await invoice_of(session, invoice.id)
        assert paused.transfer_status == TransferStatus.PAUSED.value
        assert [a.outcome for a in await attempts_of(session, job.id)] == ["held"]


async def test_releasing_held_jobs_after_connecting_delivers_them(
    engine: AsyncEngine,
    session: AsyncSession,
    sandbox: httpx.AsyncClient,
    settings: Settings,
    gateway: FortnoxGateway,
    unconnected: Clinic,
) -> None:
    invoice, job = await invoice_job(session, unconnected)
    handler = ScriptedHandler()
    sync = make_engine(engine, gateway, handler)
    await sync.run_until_idle()
    await _connect(session, sandbox, settings, gateway, unconnected)

    released = await release_held(session, issuer_id=unconnected.issuer.id)
    await session.commit()
    waiting = (await invoice_of(session, invoice.id)).transfer_status
    await sync.run_until_idle()

    assert released == 1
    assert waiting == TransferStatus.PENDING.value
    assert (await job_of(session, job.id)).status is JobStatus.DONE
    assert (await invoice_of(session, invoice.id)).transfer_status == "Överförd"


async def test_the_sweeper_releases_held_jobs_once_the_issuer_has_reconnected(
    engine: AsyncEngine,
    session: AsyncSession,
    sandbox: httpx.AsyncClient,
    settings: Settings,
    gateway: FortnoxGateway,
    unconnected: Clinic,
) -> None:
    _, job = await invoice_job(session, unconnected)
    sync = make_engine(engine, gateway, ScriptedHandler())
    await sync.run_until_idle()
    still_held = (await sync.sweep()).released
    await _connect(session, sandbox, settings, gateway, unconnected)

    report = await sync.sweep()
    await sync.run_until_idle()

    assert still_held == {}
    assert report.released == {unconnected.issuer.id: 1}
    assert (await job_of(session, job.id)).status is JobStatus.DONE


async def test_the_sweeper_leaves_a_job_held_by_its_handler_while_nothing_changed(
    engine: AsyncEngine,
    session: AsyncSession,
    sandbox: httpx.AsyncClient,
    settings: Settings,
    gateway: FortnoxGateway,
) -> None:
    connected = await connected_clinic(session, sandbox, settings, box=gateway.box)
    invoice, job = await invoice_job(session, connected.clinic)
    held = JobOutcome(OutcomeKind.HELD, "fortnox_connection_lost", "Anslut igen.")
    sync = make_engine(engine, gateway, ScriptedHandler(script={invoice.id: [held]}))
    await sync.run_until_idle()

    report = await sync.sweep()

    assert report.released == {}
    assert (await job_of(session, job.id)).status is JobStatus.HELD


async def test_checking_the_connection_again_releases_transfers_held_for_a_licence(
    engine: AsyncEngine,
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    sandbox: httpx.AsyncClient,
    settings: Settings,
    gateway: FortnoxGateway,
) -> None:
    connected = await connected_clinic(session, sandbox, settings, box=gateway.box)
    invoice, job = await invoice_job(session, connected.clinic)
    licence = MissingLicence("Licens saknas.", status=400, code=2001101)
    sync = make_engine(engine, gateway, ScriptedHandler(script={invoice.id: [licence]}))
    await sync.run_until_idle()
    held = (await job_of(session, job.id)).status

    state = await verify_connection(
        session_factory, gateway, issuer_id=connected.issuer_id, actor="test"
    )
    released = (await job_of(session, job.id)).status
    await sync.run_until_idle()

    assert held is JobStatus.HELD
    assert state is ConnectionState.CONNECTED
    assert released is JobStatus.PENDING
    assert (await job_of(session, job.id)).status is JobStatus.DONE
