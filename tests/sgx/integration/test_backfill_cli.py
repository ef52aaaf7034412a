"""``sgx sync backfill`` and ``sgx sync reconcile`` as an operator runs them."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from rich.console import Console
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from typer.testing import CliRunner

from sgx.cli import app
from sgx.integration.gateway import FortnoxGateway, new_http_client
from sgx.integration.readback_cli import backfill_command, reconcile_command
from sgx.kit.clock import today_in_sweden
from sgx.outbox.models import TransferJob
from sgx.settings import Settings, get_settings
from tests.builders.invoicing import Clinic, make_clinic
from tests.sgx.integration.backfill_support import History, connected_history, earlier_invoices
from tests.sgx.integration.conftest import sandbox_transport

runner = CliRunner()
SINCE = dt.date(today_in_sweden().year - 1, 1, 1)


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


@pytest.fixture
async def http(sandbox_app: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with new_http_client(sandbox_transport(sandbox_app)) as client:
        yield client


async def _job_count(session: AsyncSession) -> int:
    count = await session.scalar(select(func.count()).select_from(TransferJob))
    await session.commit()
    return int(count or 0)


@pytest.fixture
async def clinic(session: AsyncSession) -> Clinic:
    return await make_clinic(session, fortnox_integration_enabled=False)


@pytest.fixture
async def history(
    engine: AsyncEngine,
    session: AsyncSession,
    sandbox: httpx.AsyncClient,
    settings: Settings,
    gateway: FortnoxGateway,
    clinic: Clinic,
) -> History:
    return await connected_history(engine, session, sandbox, settings, gateway, clinic)


async def test_a_dry_run_prints_the_plan_and_queues_nothing(
    session: AsyncSession, clinic: Clinic, history: History, cli_env: dict[str, str]
) -> None:
    made = await earlier_invoices(session, clinic, 4)
    oldest = min(made, key=lambda invoice: (invoice.invoice_date, invoice.number))

    result = await sgx(
        cli_env,
        "sync",
        "backfill",
        "--issuer",
        str(clinic.issuer.id),
        "--since",
        SINCE.isoformat(),
        "--dry-run",
    )

    assert result.exit_code == 0, result.output
    assert "4 fakturor (varav 0 kreditfakturor) överförs, äldst först: från " in result.output
    assert f"{oldest.invoice_date.isoformat()} (nr {oldest.number})" in result.output
    assert await _job_count(session) == 0


async def test_a_backfill_is_refused_while_the_integration_is_off(
    session: AsyncSession, clinic: Clinic, cli_env: dict[str, str]
) -> None:
    await earlier_invoices(session, clinic, 1)

    result = await sgx(
        cli_env, "sync", "backfill", "--issuer", str(clinic.issuer.id), "--since", "2025-01-01"
    )

    assert result.exit_code == 2
    assert "Fortnox-integrationen är inte påslagen" in result.output
    assert await _job_count(session) == 0


async def test_the_command_transfers_and_says_how_it_went(
    session: AsyncSession,
    clinic: Clinic,
    history: History,
    settings: Settings,
    http: httpx.AsyncClient,
) -> None:
    await earlier_invoices(session, clinic, 5)
    console = Console(record=True, width=120)

    code = await backfill_command(
        settings,
        issuer_id=clinic.issuer.id,
        since=SINCE,
        dry_run=False,
        batch_size=2,
        console=console,
        http=http,
    )

    output = console.export_text()
    assert code == 0, output
    assert "Överförda: 5 av 5; fel som kräver åtgärd: 0; pausade: 0." in output
    assert await _job_count(session) == 5


async def test_reconcile_now_prints_what_the_pass_found(
    session: AsyncSession,
    clinic: Clinic,
    history: History,
    settings: Settings,
    http: httpx.AsyncClient,
) -> None:
    await earlier_invoices(session, clinic, 2)
    await backfill_command(
        settings,
        issuer_id=clinic.issuer.id,
        since=SINCE,
        dry_run=False,
        http=http,
        console=Console(record=True),
    )
    console = Console(record=True, width=200)

    code = await reconcile_command(
        settings, issuer_id=clinic.issuer.id, full=False, console=console, http=http
    )

    assert code == 0
    assert console.export_text().startswith("Fullständig avstämning: 2 fakturor i listan")
