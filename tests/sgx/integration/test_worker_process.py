"""``sgx worker`` as a real process against PostgreSQL and the sandbox as its own server: a worker
killed with SIGKILL in the middle of a transfer loses nothing and duplicates nothing — another
worker takes the issuer over when the lease expires and finds what the first one sent."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from sgx.invoicing.models import Invoice
from sgx.kit.crypto import SecretBox
from sgx.outbox.models import JobStatus, TransferAttempt, TransferJob
from sgx.settings import Settings
from tests.builders.integration import (
    consent,
    make_connection,
    make_fortnox_company,
    register_sgx_client,
)
from tests.builders.invoicing import make_clinic
from tests.builders.transfer import installation_of
from tests.processes import ServerProcess
from tests.sgx.outbox.support import invoice_job

pytestmark = [pytest.mark.postgres_only, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[3]
INVOICES = 8
LEASE_SECONDS = 2
PATIENCE_SECONDS = 120.0  # an upper bound for the whole story, never a timing assertion
SANDBOX = [sys.executable, "-m", "fortnox_sandbox"]
WORKER = [sys.executable, "-m", "sgx.cli", "worker", "--concurrency", "2"]


@pytest.fixture
def sandbox_url(tmp_path: Path) -> Iterator[str]:
    """``python -m fortnox_sandbox --control`` on a port of its own choosing."""
    server = ServerProcess([*SANDBOX, "--control"], log=tmp_path / "sandbox.log", cwd=ROOT)
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
async def control(sandbox_url: str, settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=sandbox_url, timeout=30) as client:
        await register_sgx_client(client, settings)
        yield client


class Worker:
    """One ``sgx worker`` process with its log in a file."""

    def __init__(self, log: Path, env: dict[str, str]) -> None:
        self.log = log
        self._file = log.open("wb")
        self.process = subprocess.Popen(
            [*WORKER, "--lease-seconds", str(LEASE_SECONDS)],
            cwd=ROOT,
            env=env,
            stdout=self._file,
            stderr=subprocess.STDOUT,
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=60)
        self._file.close()
        return code

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def _worker_env(settings: Settings, database_url: str, sandbox_url: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("SGX_")}
    env.update(
        SGX_ENVIRONMENT="test",
        SGX_DATABASE_URL=database_url,
        SGX_FORTNOX_SANDBOX="true",
        SGX_FORTNOX_API_BASE_URL=sandbox_url,
        SGX_FORTNOX_OAUTH_BASE_URL=sandbox_url,
        SGX_FORTNOX_CLIENT_ID=settings.fortnox_client_id,
        SGX_FORTNOX_CLIENT_SECRET=settings.fortnox_client_secret,
        SGX_ENCRYPTION_KEYS=settings.encryption_keys,
        SGX_RUN_WORKER_IN_PROCESS="false",
    )
    return env


async def _job_in_flight(factory: async_sessionmaker[AsyncSession]) -> TransferJob | None:
    """A job whose write was sent and whose answer has not been recorded yet."""
    async with factory() as session:
        return await session.scalar(
            select(TransferJob).where(
                TransferJob.status == JobStatus.PENDING, TransferJob.write_sent_at.is_not(None)
            )
        )


async def _wait_for(condition: Any, what: str) -> Any:
    deadline = asyncio.get_running_loop().time() + PATIENCE_SECONDS
    while asyncio.get_running_loop().time() < deadline:
        value = await condition()
        if value:
            return value
        await asyncio.sleep(0.05)
    raise AssertionError(f"gave up waiting for {what}")


async def _done_count(factory: async_sessionmaker[AsyncSession]) -> int:
    async with factory() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(TransferJob)
            .where(TransferJob.status == JobStatus.DONE)
        )
    return int(count or 0)


async def _fortnox_list(
    control: httpx.AsyncClient, token: str, resource: str, key: str
) -> list[dict[str, Any]]:
    response = await control.get(
        f"/3/{resource}",
        params={"limit": 500},
        headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
    )
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()[key]
    return items


# Fortnox taking SGX's numbers (a repeated POST is refused), or numbering invoices itself (a
# repeated POST makes a second invoice: only the look-up before the write prevents it).
@pytest.mark.parametrize("numbering", ["lowest_free", "fortnox_assigns"])
async def test_a_worker_killed_mid_transfer_loses_nothing_and_duplicates_nothing(
    numbering: str,
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    control: httpx.AsyncClient,
    settings: Settings,
    database_url: str,
    sandbox_url: str,
    tmp_path: Path,
) -> None:
    clinic = await make_clinic(session, fortnox_integration_enabled=True)
    company = await make_fortnox_company(
        control, organisation_number=clinic.issuer.organisation_number, invoice_numbering=numbering
    )
    tokens = await consent(control, settings, tenant_id=company["tenant_id"])
    await make_connection(
        session,
        issuer_id=clinic.issuer.id,
        box=SecretBox(settings.encryption_key_list),
        tenant_id=company["tenant_id"],
        tokens=tokens,
    )
    await session.commit()
    invoices = [(await invoice_job(session, clinic))[0] for _ in range(INVOICES)]
    # Slow invoice creation down so that a kill lands while a write is on its way.
    slow = await control.post(
        "/_sandbox/faults",
        json={"kind": "latency", "method": "POST", "path": "^/3/invoices$", "latency_ms": 600},
    )
    assert slow.status_code == 200, slow.text
    env = _worker_env(settings, database_url, sandbox_url)

    first = Worker(tmp_path / "first.log", env)
    second: Worker | None = None
    try:
        await _wait_for(lambda: _done_count(session_factory), "a first transfer")
        in_flight = await _wait_for(lambda: _job_in_flight(session_factory), "a write in flight")
        first.kill()
        second = Worker(tmp_path / "second.log", env)
        await _wait_for(
            lambda: _all_done(session_factory, INVOICES), "every transfer after the kill"
        )
        assert second.stop() == 0, second.output()
    finally:
        if first.process.poll() is None:
            first.kill()
        if second is not None and second.process.poll() is None:
            second.kill()

    fortnox_invoices = await _fortnox_list(control, tokens["access_token"], "invoices", "Invoices")
    installation = await installation_of(session_factory)
    references = sorted(item["ExternalInvoiceReference1"] for item in fortnox_invoices)
    assert references == sorted(
        f"SGX{installation}-{invoice.issuer_id}-{invoice.id}" for invoice in invoices
    )
    if numbering == "lowest_free":
        numbers = sorted(int(item["DocumentNumber"]) for item in fortnox_invoices)
        assert numbers == sorted(invoice.number for invoice in invoices)
    customers = await _fortnox_list(control, tokens["access_token"], "customers", "Customers")
    assert len(customers) == 1  # the patient, created once
    async with session_factory() as check:
        stored = list(await check.scalars(select(Invoice).order_by(Invoice.id)))
        steps = (
            await check.execute(
                select(TransferAttempt.worker, TransferAttempt.operation)
                .where(TransferAttempt.job_id == in_flight.id)
                .order_by(TransferAttempt.id)
            )
        ).all()
        workers = {worker for worker, _ in steps}
    assert {invoice.transfer_status for invoice in stored} == {"Överförd"}
    assert all(invoice.fortnox_document_number for invoice in stored)
    # The job cut off by the kill was finished by the second worker.
    assert second is not None
    assert any(f":{second.pid}:" in worker for worker in workers)
    # …and looked for what the first may have written before writing the invoice itself.
    taken_over = [operation for worker, operation in steps if f":{second.pid}:" in worker]
    assert "find_invoice_by_reference" in taken_over, taken_over
    if "create_invoice" in taken_over:
        assert taken_over.index("find_invoice_by_reference") < taken_over.index("create_invoice")


async def _all_done(factory: async_sessionmaker[AsyncSession], expected: int) -> bool:
    return await _done_count(factory) >= expected
