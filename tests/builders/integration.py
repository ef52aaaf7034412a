"""Builders for Fortnox connections: a Fortnox company and consent in the sandbox (through its
control plane) and the matching connection row in SGX, tokens encrypted as the product stores
them. For tests that are not about the browser flow itself."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from sgx.integration.models import AccountType, ConnectionState, FortnoxConnection
from sgx.kit.clock import utcnow
from sgx.kit.crypto import SecretBox
from sgx.settings import Settings

FORTNOX_PASSWORD = "fortnox-losen-1"
REQUIRED_SCOPES = ["companyinformation", "customer", "article", "invoice", "bookkeeping", "payment"]


async def register_sgx_client(sandbox: httpx.AsyncClient, settings: Settings) -> None:
    """Register SGX's OAuth client in the sandbox, as in Fortnox's Developer Portal."""
    response = await sandbox.post(
        "/_sandbox/clients",
        json={
            "client_id": settings.fortnox_client_id,
            "client_secret": settings.fortnox_client_secret,
            "redirect_uris": [settings.fortnox_callback_url],
        },
    )
    assert response.status_code == 200, response.text


async def make_fortnox_company(
    sandbox: httpx.AsyncClient,
    *,
    organisation_number: str,
    name: str = "Företagshälsan i Ås AB",
    licences: list[str] | None = None,
    invoice_numbering: str | None = None,
) -> dict[str, Any]:
    """A Fortnox company with a system administrator "anna" and an ordinary user "bertil";
    ``invoice_numbering``: one of the sandbox's numbering modes (its default when None)."""
    body: dict[str, Any] = {
        "name": name,
        "organisation_number": organisation_number,
        "users": [
            {"username": "anna", "password": FORTNOX_PASSWORD, "sysadmin": True},
            {"username": "bertil", "password": FORTNOX_PASSWORD, "sysadmin": False},
        ],
    }
    if licences is not None:
        body["licences"] = licences
    if invoice_numbering is not None:
        body["invoice_numbering"] = invoice_numbering
    response = await sandbox.post("/_sandbox/companies", json=body)
    assert response.status_code == 200, response.text
    company: dict[str, Any] = response.json()
    return company


async def consent(
    sandbox: httpx.AsyncClient,
    settings: Settings,
    *,
    tenant_id: int,
    account_type: AccountType = AccountType.PERSONAL,
) -> dict[str, Any]:
    """A consent made without the browser: ``access_token``, ``refresh_token`` (personal)."""
    response = await sandbox.post(
        "/_sandbox/tokens",
        json={
            "tenant_id": tenant_id,
            "client_id": settings.fortnox_client_id,
            "scopes": REQUIRED_SCOPES,
            "account_type": account_type.value,
        },
    )
    assert response.status_code == 200, response.text
    tokens: dict[str, Any] = response.json()
    return tokens


async def make_connection(
    session: AsyncSession,
    *,
    issuer_id: int,
    box: SecretBox,
    tenant_id: int,
    tokens: dict[str, Any],
    account_type: AccountType = AccountType.PERSONAL,
    state: ConnectionState = ConnectionState.CONNECTED,
    access_expires_in: dt.timedelta = dt.timedelta(hours=1),
    refresh_issued_at: dt.datetime | None = None,
    **fields: Any,
) -> FortnoxConnection:
    """The issuer's connection holding ``tokens`` (from ``consent``), encrypted with ``box``."""
    now = utcnow()
    refresh_token = tokens.get("refresh_token")
    connection = FortnoxConnection(
        issuer_id=issuer_id,
        state=state,
        account_type=account_type,
        tenant_id=tenant_id,
        scopes=" ".join(REQUIRED_SCOPES),
        access_token_encrypted=box.encrypt(tokens["access_token"]),
        access_token_expires_at=now + access_expires_in,
        refresh_token_encrypted=box.encrypt(refresh_token) if refresh_token else None,
        refresh_token_issued_at=(refresh_issued_at or now) if refresh_token else None,
        token_version=1,
        connected_at=now,
        **fields,
    )
    session.add(connection)
    await session.flush()
    return connection
