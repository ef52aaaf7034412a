"""Tokens at rest: encrypted, never readable in the database; the encryption key can rotate."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from sgx.integration.credentials import reencrypt_credentials
from sgx.integration.gateway import FortnoxGateway
from sgx.integration.models import FortnoxConnection
from sgx.integration.tokens import ConnectionTokens
from sgx.kit.crypto import SecretBox, new_key
from sgx.settings import Settings
from tests.builders.integration import consent, make_connection
from tests.sgx.integration.conftest import Clinic
from tests.sgx.integration.flow import connect_and_show


async def raw_row(session: AsyncSession) -> str:
    row = (await session.execute(text("SELECT * FROM fortnox_connections"))).one()
    await session.rollback()
    return " ".join(str(value) for value in row)


async def test_tokens_are_not_readable_in_the_database(
    client: httpx.AsyncClient,
    session: AsyncSession,
    gateway: FortnoxGateway,
    clinic: Clinic,
    fortnox_company: dict[str, Any],
) -> None:
    await connect_and_show(client, clinic.id, clinic.admin, account_type="personal")
    connection = await session.scalar(select(FortnoxConnection))
    assert connection is not None
    access = gateway.box.decrypt(connection.access_token_encrypted or "")
    refresh = gateway.box.decrypt(connection.refresh_token_encrypted or "")

    row = await raw_row(session)

    assert access not in row and refresh not in row
    assert access.split(".")[1] not in row  # not even the JWT's payload


async def test_tokens_stored_under_an_old_key_work_after_a_new_key_is_put_first(
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    gateway: FortnoxGateway,
    sandbox: httpx.AsyncClient,
    settings: Settings,
    clinic: Clinic,
    fortnox_company: dict[str, Any],
) -> None:
    tokens = await consent(sandbox, settings, tenant_id=fortnox_company["tenant_id"])
    await make_connection(
        session,
        issuer_id=clinic.id,
        box=gateway.box,
        tenant_id=fortnox_company["tenant_id"],
        tokens=tokens,
    )
    await session.commit()
    new = new_key()
    rotated_settings = settings.model_copy(
        update={"encryption_keys": f"{new},{settings.encryption_keys}"}
    )
    rotated = FortnoxGateway.create(http=gateway.http, settings=rotated_settings)

    access_token = await ConnectionTokens(session_factory, rotated, issuer_id=clinic.id)()

    assert access_token == tokens["access_token"]


async def test_reencryption_moves_every_token_to_the_first_key(
    session: AsyncSession,
    gateway: FortnoxGateway,
    sandbox: httpx.AsyncClient,
    settings: Settings,
    clinic: Clinic,
    fortnox_company: dict[str, Any],
) -> None:
    tokens = await consent(sandbox, settings, tenant_id=fortnox_company["tenant_id"])
    await make_connection(
        session,
        issuer_id=clinic.id,
        box=gateway.box,
        tenant_id=fortnox_company["tenant_id"],
        tokens=tokens,
    )
    new = new_key()

    count = await reencrypt_credentials(
        session, box=SecretBox([new, *settings.encryption_key_list])
    )

    connection = await session.scalar(select(FortnoxConnection))
    assert count == 1 and connection is not None
    only_new = SecretBox([new])
    assert only_new.decrypt(connection.access_token_encrypted or "") == tokens["access_token"]
    assert only_new.decrypt(connection.refresh_token_encrypted or "") == tokens["refresh_token"]
