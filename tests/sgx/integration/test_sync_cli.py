"""``sgx sync status`` and ``sgx sync retry`` against the test database."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from typer.testing import CliRunner

from sgx.cli import app
from sgx.integration.transfer_status import set_invoice_transfer_status
from sgx.invoicing.models import Invoice, TransferStatus
from sgx.kit.clock import utcnow
from sgx.outbox.models import JobKind, JobStatus, TransferJob
from sgx.settings import get_settings
from tests.builders.invoicing import Clinic, make_clinic
from tests.sgx.outbox.support import invoice_job, invoice_of, job_of

runner = CliRunner()
LATER = dt.timedelta(minutes=30)


@pytest.fixture
def cli_env(database_url: str) -> Iterator[dict[str, str]]:
    get_settings.cache_clear()
    yield {"SGX_DATABASE_URL": database_url}
    get_settings.cache_clear()


async def sgx(env: dict[str, str], *arguments: str) -> Any:
    """Run the command line in a thread of its own (it runs its own event loop)."""

    def invoke() -> Any:
        get_settings.cache_clear()
        return runner.invoke(app, list(arguments), env=env)

    return await asyncio.to_thread(invoke)


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.split("│")[1:-1]]


async def _failed(
    session: AsyncSession, clinic: Clinic, *, code: str, message: str, status: JobStatus
) -> tuple[Invoice, TransferJob]:
    invoice, job = await invoice_job(session, clinic)
    stored = await session.get(TransferJob, job.id)
    assert stored is not None
    stored.status = status
    stored.error_code = code
    stored.error_message = message
    stored.available_at = utcnow() + LATER
    await set_invoice_transfer_status(
        session,
        invoice_id=invoice.id,
        status=TransferStatus.FAILED if status is JobStatus.FAILED else TransferStatus.PAUSED,
        error_code=code,
        message=message,
    )
    await session.commit()
    return invoice, stored


@pytest.fixture
async def clinics(session: AsyncSession) -> tuple[Clinic, Clinic]:
    first = await make_clinic(session, name="Vårdcentralen Ås", fortnox_integration_enabled=True)
    second = await make_clinic(session, name="Hälsan Bro", fortnox_integration_enabled=True)
    return first, second


async def test_status_shows_the_queue_per_issuer_and_errors_by_cause(
    session: AsyncSession, cli_env: dict[str, str], clinics: tuple[Clinic, Clinic]
) -> None:
    first, second = clinics
    missing = "Företaget finns inte i Fortnox kundregister."
    await _failed(
        session, first, code="company_not_in_fortnox", message=missing, status=JobStatus.FAILED
    )
    await _failed(
        session, first, code="company_not_in_fortnox", message=missing, status=JobStatus.FAILED
    )
    await _failed(
        session,
        second,
        code="fortnox_not_connected",
        message="Anslutning saknas.",
        status=JobStatus.HELD,
    )
    await invoice_job(session, second)

    result = await sgx(cli_env, "sync", "status")

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    first_row = next(line for line in lines if "Vårdcentralen Ås" in line)
    second_row = next(line for line in lines if "Hälsan Bro" in line)
    assert _cells(first_row)[2:6] == ["0", "0", "2", "0"]
    assert _cells(second_row)[2:6] == ["1", "1", "0", "0"]
    cause_row = _cells(next(line for line in lines if "company_not_in_fortnox" in line))
    assert cause_row[1:4] == ["Fel", "company_not_in_fortnox", "2"]
    held_row = _cells(next(line for line in lines if "fortnox_not_connected" in line))
    assert held_row[1:4] == ["Pausad", "fortnox_not_connected", "1"]


async def test_status_of_an_empty_queue_says_so(cli_env: dict[str, str]) -> None:
    result = await sgx(cli_env, "sync", "status")

    assert result.exit_code == 0, result.output
    assert "Inga överföringar i kön." in result.output


async def test_retry_of_one_invoice_makes_only_its_transfer_due_now(
    session: AsyncSession, cli_env: dict[str, str], clinics: tuple[Clinic, Clinic]
) -> None:
    first, _ = clinics
    invoice, job = await _failed(session, first, code="x", message="Fel.", status=JobStatus.FAILED)
    _, other = await _failed(session, first, code="x", message="Fel.", status=JobStatus.FAILED)

    result = await sgx(cli_env, "sync", "retry", "--invoice", str(invoice.id))

    assert result.exit_code == 0, result.output
    assert "1 överföring görs om nu." in result.output
    retried = await job_of(session, job.id)
    assert (retried.status, retried.error_code) == (JobStatus.PENDING, "")
    assert retried.available_at <= utcnow()
    assert (await invoice_of(session, invoice.id)).transfer_status == "Väntar på överföring"
    assert (await job_of(session, other.id)).status is JobStatus.FAILED


async def test_retry_by_cause_picks_only_jobs_with_that_cause(
    session: AsyncSession, cli_env: dict[str, str], clinics: tuple[Clinic, Clinic]
) -> None:
    first, second = clinics
    _, missing = await _failed(
        session, first, code="company_not_in_fortnox", message="Saknas.", status=JobStatus.FAILED
    )
    _, other = await _failed(
        session, second, code="fortnox_2000359", message="Konto.", status=JobStatus.FAILED
    )

    result = await sgx(cli_env, "sync", "retry", "--cause", "company_not_in_fortnox")

    assert result.exit_code == 0, result.output
    assert (await job_of(session, missing.id)).status is JobStatus.PENDING
    assert (await job_of(session, other.id)).status is JobStatus.FAILED


async def test_retry_all_of_one_issuer_releases_held_and_failed_jobs_of_that_issuer_only(
    session: AsyncSession, cli_env: dict[str, str], clinics: tuple[Clinic, Clinic]
) -> None:
    first, second = clinics
    invoice, held = await _failed(session, first, code="c", message="P.", status=JobStatus.HELD)
    _, failed = await _failed(session, first, code="d", message="F.", status=JobStatus.FAILED)
    _, elsewhere = await _failed(session, second, code="d", message="F.", status=JobStatus.FAILED)

    result = await sgx(cli_env, "sync", "retry", "--all", "--issuer", str(first.issuer.id))

    assert result.exit_code == 0, result.output
    assert "2 överföringar görs om nu." in result.output
    assert (await job_of(session, held.id)).status is JobStatus.PENDING
    assert (await job_of(session, failed.id)).status is JobStatus.PENDING
    assert (await job_of(session, elsewhere.id)).status is JobStatus.FAILED
    assert (await invoice_of(session, invoice.id)).transfer_status == "Väntar på överföring"


async def test_retry_needs_exactly_one_choice(cli_env: dict[str, str]) -> None:
    nothing = await sgx(cli_env, "sync", "retry")
    both = await sgx(cli_env, "sync", "retry", "--all", "--cause", "x")

    assert nothing.exit_code == both.exit_code == 2
    assert "exakt ett av" in nothing.output


async def test_retry_never_touches_done_transfers(
    session: AsyncSession, cli_env: dict[str, str], clinics: tuple[Clinic, Clinic]
) -> None:
    first, _ = clinics
    _, job = await invoice_job(session, first)
    stored = await session.get(TransferJob, job.id)
    assert stored is not None
    stored.status = JobStatus.DONE
    await session.commit()

    result = await sgx(cli_env, "sync", "retry", "--all")

    assert result.exit_code == 0, result.output
    assert (await job_of(session, job.id)).status is JobStatus.DONE
    assert stored.kind is JobKind.INVOICE
