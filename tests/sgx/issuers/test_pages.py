"""The issuer pages as people use them: list, settings form, the Fortnox switch, the audit log."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from sgx.audit.models import AuditEvent
from sgx.identity.models import IssuerRole, User
from sgx.issuers.models import Issuer
from tests.builders.identity import bearer, make_api_token, make_issuer, make_user
from tests.sgx.identity.pages import csrf_from, log_in

PASSWORD = "rätt-lösenord-123"


async def signed_in(client: httpx.AsyncClient, session: AsyncSession, user: User) -> dict[str, str]:
    """Headers that sign ``user`` in (a bearer token; the cookie jar holds the CSRF secret)."""
    headers = bearer(await make_api_token(session, user=user))
    await session.commit()
    return headers


async def reload(session: AsyncSession, issuer: Issuer) -> Issuer:
    stored = await session.get(Issuer, issuer.id, populate_existing=True)
    assert stored is not None
    return stored


async def test_anonymous_visitor_is_sent_to_login_with_the_page_to_return_to(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/issuers")

    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fissuers"


async def test_signed_in_user_reaches_the_issuer_list_through_the_login_form(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer = await make_issuer(session, name="Hälsokliniken")
    await make_user(
        session, username="anna", password=PASSWORD, roles={issuer.id: IssuerRole.READER}
    )
    await session.commit()

    await log_in(client, "anna", PASSWORD, next_path="/issuers")
    response = await client.get("/issuers")

    assert response.status_code == 200
    page = response.text
    assert "Systemadministration" in page and "Fakturautställare" in page
    assert "anna" in page and "Logga ut" in page
    assert f'href="/issuers/{issuer.id}">Hälsokliniken</a>' in page
    assert "Läsare" in page


async def test_issuer_page_links_to_fortnox_and_the_issuers_registers(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer = await make_issuer(session)
    headers = await signed_in(
        client, session, await make_user(session, roles={issuer.id: IssuerRole.INVOICER})
    )

    page = (await client.get(f"/issuers/{issuer.id}", headers=headers)).text

    assert f'href="/issuers/{issuer.id}/fortnox">Fortnox</a>' in page
    for register in ("patients", "companies", "articles", "invoices"):
        assert f'href="/issuers/{issuer.id}/{register}"' in page
    assert "Externa tjänster" in page and "Fakturautställarinställningar" in page


async def test_non_support_sees_the_switch_state_but_cannot_change_it(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer = await make_issuer(session)
    headers = await signed_in(
        client, session, await make_user(session, roles={issuer.id: IssuerRole.ADMIN})
    )

    page = (await client.get(f"/issuers/{issuer.id}", headers=headers)).text

    assert 'role="switch" id="fortnox-integration" disabled' in page
    assert "Inte aktiverad" in page and "Kontakta support" in page
    assert "/fortnox-integration" not in page


async def test_support_gets_the_switch_as_a_form(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer = await make_issuer(session)
    headers = await signed_in(client, session, await make_user(session, is_support=True))

    page = (await client.get(f"/issuers/{issuer.id}", headers=headers)).text

    assert f'action="/issuers/{issuer.id}/fortnox-integration"' in page
    assert 'role="switch" id="fortnox-integration" name="enabled"' in page
    assert 'action="/issuers/' + str(issuer.id) + '/settings"' not in page


async def test_support_flips_the_switch_from_the_page_and_it_is_audited(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer = await make_issuer(session)
    headers = await signed_in(
        client, session, await make_user(session, username="support1", is_support=True)
    )
    token = csrf_from((await client.get(f"/issuers/{issuer.id}", headers=headers)).text)

    response = await client.post(
        f"/issuers/{issuer.id}/fortnox-integration",
        data={"enabled": "true", "csrf_token": token},
        headers=headers,
    )
    page = (await client.get(response.headers["location"], headers=headers)).text

    assert "Fortnox-integrationen är aktiverad." in page
    assert (await reload(session, issuer)).fortnox_integration_enabled is True
    event = await session.scalar(select(AuditEvent))
    assert event is not None and (event.action, event.actor) == (
        "fortnox.integration_enabled",
        "support1",
    )


async def test_reader_sees_the_settings_without_a_form(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer = await make_issuer(session, organisation_number="5560360793", bankgiro="50501055")
    headers = await signed_in(
        client, session, await make_user(session, roles={issuer.id: IssuerRole.READER})
    )

    page = (await client.get(f"/issuers/{issuer.id}", headers=headers)).text

    assert "556036-0793" in page and "5050-1055" in page
    assert f'action="/issuers/{issuer.id}/settings"' not in page


async def test_administrator_saves_the_settings_form(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer = await make_issuer(session, organisation_number="5560360793")
    headers = await signed_in(
        client, session, await make_user(session, roles={issuer.id: IssuerRole.ADMIN})
    )
    token = csrf_from((await client.get(f"/issuers/{issuer.id}", headers=headers)).text)

    response = await client.post(
        f"/issuers/{issuer.id}/settings",
        data={
            "csrf_token": token,
            "name": "Hälsan i Lund AB",
            "organisation_number": "556036-0793",
            "vat_number": "SE556036079301",
            "bankgiro": "5050-1055",
            "zip_code": "222 21",
            "city": "Lund",
            "payment_terms_days": "20",
            "invoice_number_start": "1001",
            "whole_krona_rounding": "true",
        },
        headers=headers,
    )

    assert response.status_code == 303
    page = (await client.get(response.headers["location"], headers=headers)).text
    assert "Inställningarna har sparats." in page
    stored = await reload(session, issuer)
    assert (stored.name, stored.bankgiro, stored.payment_terms_days, stored.city) == (
        "Hälsan i Lund AB",
        "50501055",
        20,
        "Lund",
    )
    assert stored.whole_krona_rounding and not stored.send_personnummer_to_fortnox


async def test_wrong_settings_show_swedish_field_errors_and_store_nothing(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer = await make_issuer(session, name="Orörd", organisation_number="5560360793")
    headers = await signed_in(
        client, session, await make_user(session, roles={issuer.id: IssuerRole.ADMIN})
    )
    token = csrf_from((await client.get(f"/issuers/{issuer.id}", headers=headers)).text)

    response = await client.post(
        f"/issuers/{issuer.id}/settings",
        data={
            "csrf_token": token,
            "name": "Ändrat namn",
            "organisation_number": "556036-0794",
            "payment_terms_days": "trettio",
            "invoice_number_start": "1001",
        },
        headers=headers,
    )

    assert response.status_code == 422
    assert "Kontrollsiffran stämmer inte." in response.text
    assert "Ange ett heltal." in response.text
    assert 'value="Ändrat namn"' in response.text  # what was typed is kept
    assert 'aria-invalid="true"' in response.text
    assert (await reload(session, issuer)).name == "Orörd"
    assert await session.scalar(select(func.count()).select_from(AuditEvent)) == 0


async def test_settings_form_without_csrf_token_is_refused(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer = await make_issuer(session, name="Orörd")
    headers = await signed_in(
        client, session, await make_user(session, roles={issuer.id: IssuerRole.ADMIN})
    )
    await client.get(f"/issuers/{issuer.id}", headers=headers)

    response = await client.post(
        f"/issuers/{issuer.id}/settings", data={"name": "Ändrat"}, headers=headers
    )

    assert response.status_code == 403
    assert "Formuläret har gått ut. Ladda om sidan och försök igen." in response.text
    assert (await reload(session, issuer)).name == "Orörd"


async def test_support_creates_an_issuer_with_its_first_administrator(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await make_user(session, username="anna")
    headers = await signed_in(client, session, await make_user(session, is_support=True))
    token = csrf_from((await client.get("/issuers/new", headers=headers)).text)

    response = await client.post(
        "/issuers",
        data={
            "csrf_token": token,
            "name": "Nya kliniken AB",
            "organisation_number": "5565328274",
            "payment_terms_days": "30",
            "invoice_number_start": "1",
            "administrator_username": "anna",
        },
        headers=headers,
    )

    assert response.status_code == 303
    issuer = await session.scalar(select(Issuer))
    assert issuer is not None and issuer.name == "Nya kliniken AB"
    assert response.headers["location"] == f"/issuers/{issuer.id}?meddelande=skapad"
    assert issuer.next_invoice_number == 1


async def test_audit_page_lists_events_in_swedish(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer = await make_issuer(session)
    headers = await signed_in(client, session, await make_user(session, is_support=True))
    await client.put(
        f"/api/v1/issuers/{issuer.id}/fortnox-integration",
        json={"enabled": True},
        headers=headers,
    )

    page = (await client.get(f"/issuers/{issuer.id}/audit", headers=headers)).text

    assert "Händelselogg" in page and "Fortnox-integrationen aktiverades" in page


async def test_unknown_issuer_page_is_a_swedish_404_without_details(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    headers = await signed_in(client, session, await make_user(session))

    response = await client.get("/issuers/9999", headers=headers)

    assert response.status_code == 404
    assert "Hittades inte" in response.text and "Fakturautställaren finns inte." in response.text
    assert "Traceback" not in response.text


async def test_login_redirect_keeps_the_query_string(client: httpx.AsyncClient) -> None:
    response = await client.get("/fortnox/callback?code=abc&state=xyz")
    assert response.status_code == 303
    assert (
        response.headers["location"]
        == "/login?next=%2Ffortnox%2Fcallback%3Fcode%3Dabc%26state%3Dxyz"
    )
