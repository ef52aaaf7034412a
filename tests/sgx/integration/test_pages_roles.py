"""Who may do what on the Fortnox page: everyone who sees the issuer sees the status; only its
Administratör connects, checks, confirms or disconnects."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.builders.identity import (
    NO_ROLE,
    SUPPORT,
    bearer,
    make_api_token,
    make_caller,
    make_issuer,
)
from tests.sgx.identity.pages import csrf_from
from tests.sgx.integration.conftest import Clinic
from tests.sgx.integration.flow import fortnox_page

ACTIONS = ["connect", "verify", "confirm", "cancel", "disconnect"]
REFUSED = {"Fakturerare": 403, "Läsare": 403, SUPPORT: 403, NO_ROLE: 404}


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("kind", list(REFUSED))
async def test_only_the_administrator_may_change_the_connection(
    client: httpx.AsyncClient, session: AsyncSession, clinic: Clinic, kind: str, action: str
) -> None:
    caller = await make_caller(session, kind=kind, issuer_id=clinic.id)
    headers = bearer(await make_api_token(session, user=caller))
    await session.commit()
    page = await client.get("/login")  # any page: the session's CSRF secret
    data = {"csrf_token": csrf_from(page.text), "account_type": "service", "confirm": "true"}

    answer = await client.post(f"/issuers/{clinic.id}/fortnox/{action}", data=data, headers=headers)

    assert answer.status_code == REFUSED[kind]


@pytest.mark.parametrize("kind", ["Läsare", "Fakturerare", SUPPORT])
async def test_others_see_the_status_without_the_controls(
    client: httpx.AsyncClient, session: AsyncSession, clinic: Clinic, kind: str
) -> None:
    caller = await make_caller(session, kind=kind, issuer_id=clinic.id)
    headers = bearer(await make_api_token(session, user=caller))
    await session.commit()

    page = (await fortnox_page(client, clinic.id, headers)).text

    assert "Anslutning till Fortnox saknas" in page
    assert "Endast en Administratör för fakturautställaren kan ansluta" in page
    assert "/fortnox/connect" not in page and "Koppla från" not in page


async def test_page_of_an_issuer_without_the_integration_says_to_contact_support(
    client: httpx.AsyncClient, session: AsyncSession, clinic: Clinic
) -> None:
    issuer = await make_issuer(session, fortnox_integration_enabled=False)
    admin = await make_caller(session, kind="Administratör", issuer_id=issuer.id)
    headers = bearer(await make_api_token(session, user=admin))
    await session.commit()

    page = (await fortnox_page(client, issuer.id, headers)).text

    assert "Ej aktiverad" in page and "Kontakta support" in page
    assert "/fortnox/connect" not in page


async def test_connecting_an_issuer_without_the_integration_is_refused(
    client: httpx.AsyncClient, session: AsyncSession, clinic: Clinic
) -> None:
    issuer = await make_issuer(session, fortnox_integration_enabled=False)
    admin = await make_caller(session, kind="Administratör", issuer_id=issuer.id)
    headers = bearer(await make_api_token(session, user=admin))
    await session.commit()
    page = await client.get("/login")

    answer = await client.post(
        f"/issuers/{issuer.id}/fortnox/connect",
        data={"csrf_token": csrf_from(page.text), "account_type": "service"},
        headers=headers,
    )

    assert answer.status_code == 409
    assert "Kontakta support" in answer.text
