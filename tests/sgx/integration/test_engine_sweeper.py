"""The sweeper: frees leases whose worker stopped renewing and reports work nobody serves."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from sgx.integration.gateway import FortnoxGateway
from sgx.kit.clock import utcnow
from sgx.outbox import leases
from sgx.outbox.models import IssuerLease, TransferJob
from sgx.settings import Settings
from tests.sgx.outbox.support import (
    ConnectedClinic,
    ScriptedHandler,
    connected_clinic,
    make_engine,
    patient_jobs,
)


@pytest.fixture
async def connected(
    session: AsyncSession, sandbox: httpx.AsyncClient, settings: Settings, gateway: FortnoxGateway
) -> ConnectedClinic:
    return await connected_clinic(session, sandbox, settings, box=gateway.box)


async def test_the_sweeper_frees_the_lease_of_a_worker_that_stopped_renewing(
    engine: AsyncEngine,
    session: AsyncSession,
    gateway: FortnoxGateway,
    connected: ConnectedClinic,
) -> None:
    await patient_jobs(session, issuer_id=connected.issuer_id, subjects=[1])
    await leases.ensure_leases(session, issuer_ids=[connected.issuer_id])
    await session.execute(
        update(IssuerLease)
        .where(IssuerLease.issuer_id == connected.issuer_id)
        .values(owner="gone", expires_at=utcnow() - dt.timedelta(seconds=5))
    )
    await session.commit()

    report = await make_engine(engine, gateway, ScriptedHandler()).sweep()

    assert report.expired_leases == [(connected.issuer_id, "gone")]
    lease = await leases.lease_of(session, issuer_id=connected.issuer_id)
    assert lease is not None and lease.owner == ""


async def test_the_sweeper_reports_work_due_long_ago_that_no_worker_holds(
    engine: AsyncEngine,
    session: AsyncSession,
    gateway: FortnoxGateway,
    connected: ConnectedClinic,
) -> None:
    [old, _recent] = await patient_jobs(session, issuer_id=connected.issuer_id, subjects=[1, 2])
    await session.execute(
        update(TransferJob)
        .where(TransferJob.id == old.id)
        .values(available_at=utcnow() - dt.timedelta(hours=1))
    )
    await session.commit()

    report = await make_engine(engine, gateway, ScriptedHandler()).sweep()

    assert report.stuck == 1


async def test_work_held_by_a_live_worker_is_not_reported(
    engine: AsyncEngine,
    session: AsyncSession,
    gateway: FortnoxGateway,
    connected: ConnectedClinic,
) -> None:
    [old] = await patient_jobs(session, issuer_id=connected.issuer_id, subjects=[1])
    await session.execute(
        update(TransferJob)
        .where(TransferJob.id == old.id)
        .values(available_at=utcnow() - dt.timedelta(hours=1))
    )
    await leases.ensure_leases(session, issuer_ids=[connected.issuer_id])
    await session.execute(
        update(IssuerLease)
        .where(IssuerLease.issuer_id == connected.issuer_id)
        .values(owner="busy", expires_at=utcnow() + dt.timedelta(minutes=1))
    )
    await session.commit()

    report = await make_engine(engine, gateway, ScriptedHandler()).sweep()

    assert report.stuck == 0
