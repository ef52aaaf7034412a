"""Single-flight renewal across real processes: two processes on PostgreSQL, each with several
tasks, against the sandbox running as its own server, renew one issuer's token exactly once."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from sgx.identity.models import IssuerRole
from sgx.kit.crypto import SecretBox
from sgx.settings import Settings
from tests.builders.identity import make_issuer, make_user
from tests.builders.integration import (
    consent,
    make_connection,
    make_fortnox_company,
    register_sgx_client,
)
from tests.processes import ServerProcess

ROOT = Path(__file__).resolve().parents[3]
PROCESSES = 2
TASKS_PER_PROCESS = 4


@pytest.fixture
def sandbox_server(tmp_path: Path) -> Iterator[str]:
    """``python -m fortnox_sandbox --control`` on a port of its own choosing; its base URL."""
    server = ServerProcess(
        [sys.executable, "-m", "fortnox_sandbox", "--control"],
        log=tmp_path / "sandbox.log",
        cwd=ROOT,
    )
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
async def control(sandbox_server: str, settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=sandbox_server) as client:
        await register_sgx_client(client, settings)
        yield client


async def run_process(
    database_url: str, fortnox_url: str, issuer_id: int
) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.sgx.integration.refresh_process",
        database_url,
        fortnox_url,
        str(issuer_id),
        str(TASKS_PER_PROCESS),
        cwd=ROOT,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


@pytest.mark.postgres_only
async def test_two_processes_refresh_one_issuers_token_exactly_once(
    session: AsyncSession,
    settings: Settings,
    database_url: str,
    sandbox_server: str,
    control: httpx.AsyncClient,
) -> None:
    issuer = await make_issuer(session, fortnox_integration_enabled=True)
    await make_user(session, roles={issuer.id: IssuerRole.ADMIN})
    company = await make_fortnox_company(control, organisation_number=issuer.organisation_number)
    tokens = await consent(control, settings, tenant_id=company["tenant_id"])
    await make_connection(
        session,
        issuer_id=issuer.id,
        box=SecretBox(settings.encryption_key_list),
        tenant_id=company["tenant_id"],
        tokens=tokens,
        access_expires_in=-dt.timedelta(minutes=1),
    )
    await session.commit()
    await control.delete("/_sandbox/requests")
    processes = [
        await run_process(database_url, sandbox_server, issuer.id) for _ in range(PROCESSES)
    ]

    outputs = await asyncio.gather(*(process.communicate(b"go\n") for process in processes))

    for process, (_, stderr) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, stderr.decode()
    handed_out = {token for stdout, _ in outputs for token in json.loads(stdout.splitlines()[-1])}
    grants = (await control.get("/_sandbox/requests", params={"path": "oauth-v1/token"})).json()
    assert [request["status"] for request in grants["requests"]] == [200]
    assert len(handed_out) == 1 and tokens["access_token"] not in handed_out
