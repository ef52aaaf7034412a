"""Leases in the running engine: one worker per issuer at a time, take-over of an expired lease,
a worker that lost its lease stops at once, and the tenant's pacing moves with the lease."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from sgx.fortnox.pacing import PacingKey
from sgx.integration.gateway import FortnoxGateway
from sgx.integration.pacing_store import HandoverPacer
from sgx.kit.clock import utcnow
from sgx.kit.db import create_engine
from sgx.outbox import leases
from sgx.outbox.models import IssuerLease, JobStatus
from sgx.settings import Settings
from tests.sgx.outbox.support import (
    EVENTUALLY,
    ConnectedClinic,
    ScriptedHandler,
    attempts_of,
    connected_clinic,
    job_of,
    make_engine,
    patient_jobs,
    running,
)


@pytest.fixture
async def connected(
    session: AsyncSession, sandbox: httpx.AsyncClient, settings: Settings, gateway: FortnoxGateway
) -> ConnectedClinic:
    return await connected_clinic(session, sandbox, settings, box=gateway.box)


@pytest.fixture
async def second_pool(database_url: str) -> AsyncIterator[AsyncEngine]:
    """Another worker's own connection pool to the same database."""
    pool = create_engine(database_url)
    yield pool
    await pool.dispose()


def _gateway_with(gateway: FortnoxGateway, pacer: HandoverPacer) -> FortnoxGateway:
    return FortnoxGateway.create(http=gateway.http, settings=gateway.settings, pacer=pacer)


async def _lease(session: AsyncSession, issuer_id: int) -> IssuerLease:
    lease = await leases.lease_of(session, issuer_id=issuer_id)
    await session.commit()
    assert lease is not None
    return lease


@pytest.mark.postgres_only
async def test_two_engines_never_serve_the_same_issuer_at_once(
    engine: AsyncEngine,
    second_pool: AsyncEngine,
    session: AsyncSession,
    sandbox: httpx.AsyncClient,
    settings: Settings,
    gateway: FortnoxGateway,
) -> None:
    clinics = [
        await connected_clinic(session, sandbox, settings, box=gateway.box) for _ in range(4)
    ]
    jobs = []
    for number, clinic in enumerate(clinics):
        subjects = range(number * 10, number * 10 + 5)
        jobs += await patient_jobs(session, issuer_id=clinic.issuer_id, subjects=subjects)
    handler = ScriptedHandler(gate=asyncio.Event())
    first = make_engine(engine, gateway, handler, name="first", concurrency=2)
    second = make_engine(second_pool, gateway, handler, name="second", concurrency=2)

    async with running(first), running(second):
        # Each engine holds two issuers, waiting inside a job; neither may take the others'.
        while len({run.issuer_id for run in handler.runs}) < 4:
            handler.started.clear()
            await asyncio.wait_for(handler.started.wait(), EVENTUALLY)
        serving = (first.serving, second.serving)
        handler.gate.set()  # type: ignore[union-attr]
        while len(handler.runs) < len(jobs):
            handler.finished.clear()
            await asyncio.wait_for(handler.finished.wait(), EVENTUALLY)

    assert len(serving[0]) == len(serving[1]) == 2
    assert not serving[0] & serving[1]
    assert max(handler.most_at_once.values()) == 1
    assert sorted(run.job_id for run in handler.runs) == sorted(job.id for job in jobs)
    for clinic in clinics:
        workers = {run.worker for run in handler.runs if run.issuer_id == clinic.issuer_id}
        assert len(workers) == 1


async def test_an_expired_lease_of_a_vanished_worker_is_taken_over(
    engine: AsyncEngine,
    session: AsyncSession,
    gateway: FortnoxGateway,
    connected: ConnectedClinic,
) -> None:
    [job] = await patient_jobs(session, issuer_id=connected.issuer_id, subjects=[1])
    await leases.claim_leases(
        session, worker="vanished", now=utcnow(), ttl=dt.timedelta(minutes=5), limit=1
    )
    await session.commit()
    handler = ScriptedHandler()
    sync = make_engine(engine, gateway, handler, name="survivor")

    await sync.run_until_idle()
    untouched = (await job_of(session, job.id)).status
    await session.execute(
        update(IssuerLease)
        .where(IssuerLease.issuer_id == connected.issuer_id)
        .values(expires_at=utcnow() - dt.timedelta(seconds=1))
    )
    await session.commit()
    await sync.run_until_idle()

    assert untouched is JobStatus.PENDING
    assert (await job_of(session, job.id)).status is JobStatus.DONE
    assert {a.worker for a in await attempts_of(session, job.id)} == {"survivor"}
    assert (await _lease(session, connected.issuer_id)).owner == ""


async def test_a_worker_that_lost_its_lease_stops_without_recording_an_outcome(
    engine: AsyncEngine,
    session: AsyncSession,
    gateway: FortnoxGateway,
    connected: ConnectedClinic,
) -> None:
    [job] = await patient_jobs(session, issuer_id=connected.issuer_id, subjects=[1])
    handler = ScriptedHandler(gate=asyncio.Event())  # the job never gets past the gate
    sync = make_engine(
        engine,
        gateway,
        handler,
        renew_every=dt.timedelta(milliseconds=50),
        sweep_every=dt.timedelta(hours=1),
    )

    async with running(sync):
        await asyncio.wait_for(handler.started.wait(), EVENTUALLY)
        await session.execute(
            update(IssuerLease)
            .where(IssuerLease.issuer_id == connected.issuer_id)
            .values(owner="another-worker")
        )
        await session.commit()
        while sync.serving:
            handler.finished.clear()
            await asyncio.wait_for(handler.finished.wait(), EVENTUALLY)
            await asyncio.sleep(0)

    stored = await job_of(session, job.id)
    assert (stored.status, stored.attempts) == (JobStatus.PENDING, 0)
    assert (await _lease(session, connected.issuer_id)).owner == "another-worker"


async def test_the_next_lease_holder_paces_with_the_requests_of_the_last(
    engine: AsyncEngine,
    session: AsyncSession,
    gateway: FortnoxGateway,
    connected: ConnectedClinic,
) -> None:
    # A long window keeps every request of this test inside it, however slow the machine.
    first_pacer, second_pacer = HandoverPacer(window_seconds=600), HandoverPacer(window_seconds=600)
    await patient_jobs(session, issuer_id=connected.issuer_id, subjects=range(5))
    handler = ScriptedHandler()
    await make_engine(
        engine, _gateway_with(gateway, first_pacer), handler, name="a"
    ).run_until_idle()
    handed_over = (await _lease(session, connected.issuer_id)).pacing

    await patient_jobs(session, issuer_id=connected.issuer_id, subjects=[5])
    await make_engine(
        engine, _gateway_with(gateway, second_pacer), handler, name="b"
    ).run_until_idle()

    key = PacingKey(client_id=gateway.client_id, tenant_id=connected.tenant_id)
    assert handed_over["tenant_id"] == connected.tenant_id
    assert len(handed_over["sent"]) == 5  # one company-information call per job
    assert second_pacer.snapshot(key)["sent"][:5] == handed_over["sent"]
    assert len(second_pacer.snapshot(key)["sent"]) == 6


async def test_a_429_pause_moves_with_the_lease(
    engine: AsyncEngine,
    session: AsyncSession,
    sandbox: httpx.AsyncClient,
    gateway: FortnoxGateway,
    connected: ConnectedClinic,
) -> None:
    first_pacer, second_pacer = HandoverPacer(), HandoverPacer()
    key = PacingKey(client_id=gateway.client_id, tenant_id=connected.tenant_id)
    fault = await sandbox.post(
        "/_sandbox/faults",
        json={"kind": "rate_limit", "tenant_id": connected.tenant_id, "count": 1},
    )
    assert fault.status_code == 200, fault.text
    [job] = await patient_jobs(session, issuer_id=connected.issuer_id, subjects=[1])
    first = make_engine(engine, _gateway_with(gateway, first_pacer), ScriptedHandler(), name="a")

    await first.run_until_idle()
    handed_over = (await _lease(session, connected.issuer_id)).pacing
    second_pacer.restore(key, handed_over)

    assert (await job_of(session, job.id)).status is JobStatus.PENDING  # retried later
    assert handed_over["paused_until"] == first_pacer.paused_until(key)
    assert handed_over["paused_until"] > handed_over["sent"][-1]
    assert second_pacer.paused_until(key) == first_pacer.paused_until(key)
