"""The checks after connecting: licences per module, the organisation number, the accounts."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from sgx.catalog.models import Account
from sgx.integration.errors import NotVerified
from sgx.integration.gateway import FortnoxGateway
from sgx.integration.models import ConnectionState, FortnoxConnection
from sgx.integration.service import open_client
from tests.builders.catalog import make_accounts, make_article
from tests.builders.integration import make_fortnox_company
from tests.sgx.integration.conftest import Clinic
from tests.sgx.integration.flow import connect_and_show, post_form

MODULES = {
    "companyinformation": "Företagsinformation",
    "customer": "Kund",
    "article": "Artikel",
    "invoice": "Faktura",
    "bookkeeping": "Bokföring",
    "payment": "Betalningar",
}


async def state_of(session: AsyncSession, issuer_id: int) -> ConnectionState | None:
    state = await session.scalar(
        select(FortnoxConnection.state).where(FortnoxConnection.issuer_id == issuer_id)
    )
    await session.rollback()  # on SQLite an open transaction would hold the write lock
    return state


async def remove_licences(sandbox: httpx.AsyncClient, tenant_id: int, *names: str) -> None:
    answer = await sandbox.patch(
        f"/_sandbox/companies/{tenant_id}", json={"licences_remove": list(names)}
    )
    assert answer.status_code == 200, answer.text


@pytest.mark.parametrize("scope", list(MODULES))
async def test_missing_licence_is_named_after_connecting(
    client: httpx.AsyncClient,
    session: AsyncSession,
    sandbox: httpx.AsyncClient,
    clinic: Clinic,
    fortnox_company: dict[str, Any],
    scope: str,
) -> None:
    await remove_licences(sandbox, fortnox_company["tenant_id"], scope)

    page = (await connect_and_show(client, clinic.id, clinic.admin)).text

    assert "Anslutningen sparades, men licenser saknas i Fortnox." in page
    assert ">Licens saknas<" in page
    assert f"Fortnox-företaget saknar licens för: {MODULES[scope]}." in page
    assert f"<li>{MODULES[scope]}</li>" in page
    assert "integrationslicens" in page
    assert await state_of(session, clinic.id) is ConnectionState.LICENCE_MISSING


async def test_missing_integration_licence_is_named(
    client: httpx.AsyncClient,
    session: AsyncSession,
    sandbox: httpx.AsyncClient,
    clinic: Clinic,
    fortnox_company: dict[str, Any],
) -> None:
    await remove_licences(sandbox, fortnox_company["tenant_id"], "api")

    page = (await connect_and_show(client, clinic.id, clinic.admin)).text

    assert "Fortnox-företaget saknar integrationslicens." in page
    assert await state_of(session, clinic.id) is ConnectionState.LICENCE_MISSING


async def test_licence_bought_later_makes_the_connection_connected_again(
    client: httpx.AsyncClient,
    session: AsyncSession,
    sandbox: httpx.AsyncClient,
    clinic: Clinic,
    fortnox_company: dict[str, Any],
) -> None:
    tenant_id = fortnox_company["tenant_id"]
    await remove_licences(sandbox, tenant_id, "invoice", "payment")
    await connect_and_show(client, clinic.id, clinic.admin)
    await sandbox.patch(
        f"/_sandbox/companies/{tenant_id}", json={"licences_add": ["invoice", "payment"]}
    )

    answer = await post_form(client, clinic.id, "verify", clinic.admin)
    page = (await client.get(answer.headers["location"], headers=clinic.admin)).text

    assert "Anslutningen har kontrollerats." in page and ">Ansluten<" in page
    assert await state_of(session, clinic.id) is ConnectionState.CONNECTED


async def test_other_organisation_number_is_refused_until_confirmed(
    client: httpx.AsyncClient,
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    gateway: FortnoxGateway,
    sandbox: httpx.AsyncClient,
    clinic: Clinic,
) -> None:
    await make_fortnox_company(sandbox, name="Annan Klinik AB", organisation_number="556532-8274")

    page = (await connect_and_show(client, clinic.id, clinic.admin)).text

    assert "Organisationsnumret skiljer sig" in page
    assert "Annan Klinik AB har organisationsnummer 556532-8274" in page
    assert "Bekräfta och anslut" in page and "Avbryt anslutningen" in page
    assert await state_of(session, clinic.id) is ConnectionState.PENDING_CONFIRMATION
    with pytest.raises(NotVerified):
        await open_client(session_factory, gateway, issuer_id=clinic.id)


async def test_confirmation_needs_the_box_ticked(
    client: httpx.AsyncClient,
    session: AsyncSession,
    sandbox: httpx.AsyncClient,
    clinic: Clinic,
) -> None:
    await make_fortnox_company(sandbox, name="Annan Klinik AB", organisation_number="556532-8274")
    await connect_and_show(client, clinic.id, clinic.admin)

    answer = await post_form(client, clinic.id, "confirm", clinic.admin)
    page = (await client.get(answer.headers["location"], headers=clinic.admin)).text

    assert "Kryssa i rutan för att bekräfta." in page
    assert await state_of(session, clinic.id) is ConnectionState.PENDING_CONFIRMATION


async def test_confirmed_other_organisation_number_connects(
    client: httpx.AsyncClient,
    session: AsyncSession,
    sandbox: httpx.AsyncClient,
    clinic: Clinic,
) -> None:
    await make_fortnox_company(sandbox, name="Annan Klinik AB", organisation_number="556532-8274")
    await connect_and_show(client, clinic.id, clinic.admin)

    answer = await post_form(client, clinic.id, "confirm", clinic.admin, confirm="true")
    page = (await client.get(answer.headers["location"], headers=clinic.admin)).text

    assert "Anslutningen är bekräftad trots att organisationsnumren skiljer sig." in page
    assert ">Ansluten<" in page
    assert await state_of(session, clinic.id) is ConnectionState.CONNECTED


async def test_cancelled_other_organisation_number_revokes_and_deletes(
    client: httpx.AsyncClient,
    session: AsyncSession,
    sandbox: httpx.AsyncClient,
    clinic: Clinic,
) -> None:
    await make_fortnox_company(sandbox, name="Annan Klinik AB", organisation_number="556532-8274")
    await connect_and_show(client, clinic.id, clinic.admin, account_type="personal")

    answer = await post_form(client, clinic.id, "cancel", clinic.admin)
    page = (await client.get(answer.headers["location"], headers=clinic.admin)).text

    assert "Anslutningen avbröts. Förnyelsetoken har återkallats" in page
    assert "Anslutning till Fortnox saknas" in page
    connection = await session.scalar(select(FortnoxConnection))
    assert connection is not None
    assert connection.refresh_token_encrypted is None and connection.access_token_encrypted is None
    assert connection.state is ConnectionState.NOT_CONNECTED


async def test_account_check_lists_missing_and_inactive_accounts(
    client: httpx.AsyncClient,
    session: AsyncSession,
    sandbox: httpx.AsyncClient,
    clinic: Clinic,
    fortnox_company: dict[str, Any],
) -> None:
    await make_accounts(session, issuer_id=clinic.id)
    session.add(Account(issuer_id=clinic.id, number=3999, name="Övriga intäkter", active=True))
    await make_article(session, issuer_id=clinic.id, vat_rate=25, sales_account_number=3041)
    await session.commit()
    deactivated = await sandbox.post(
        f"/_sandbox/tenants/{fortnox_company['tenant_id']}/actions",
        json={"action": "deactivate_account", "number": 3041},
    )
    assert deactivated.status_code == 200, deactivated.text

    page = (await connect_and_show(client, clinic.id, clinic.admin)).text

    assert "Kontokontroll" in page and ">Ansluten<" in page
    assert "Konto 3999 finns inte i Fortnox." in page
    assert "Konto 3041 är inaktivt i Fortnox." in page
    assert page.count("data-account=") == 2


async def test_account_check_passes_when_fortnox_has_every_account(
    client: httpx.AsyncClient,
    session: AsyncSession,
    clinic: Clinic,
    fortnox_company: dict[str, Any],
) -> None:
    await make_article(session, issuer_id=clinic.id, vat_rate=0)
    await session.commit()

    page = (await connect_and_show(client, clinic.id, clinic.admin)).text

    assert "Alla konton som SGX bokför på finns och är aktiva i Fortnox räkenskapsår" in page
    assert "data-account=" not in page
