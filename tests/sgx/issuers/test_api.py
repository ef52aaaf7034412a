"""Issuer API behaviour: creating, validating and changing settings, and the Fortnox switch."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from sgx.audit.models import AuditEvent
from sgx.identity.models import IssuerMembership, IssuerRole
from sgx.issuers.models import Issuer
from tests.builders.identity import bearer, make_api_token, make_issuer, make_user


async def support_token(session: AsyncSession) -> str:
    return await make_api_token(session, user=await make_user(session, is_support=True))


async def admin_token(session: AsyncSession, issuer: Issuer) -> str:
    admin = await make_user(session, roles={issuer.id: IssuerRole.ADMIN})
    return await make_api_token(session, user=admin)


async def count(session: AsyncSession, model: type) -> int:
    return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def reload(session: AsyncSession, issuer: Issuer) -> Issuer:
    stored = await session.get(Issuer, issuer.id, populate_existing=True)
    assert stored is not None
    return stored


def field_codes(response: httpx.Response) -> dict[str, str]:
    return {item["field"]: item["code"] for item in response.json()["error"]["fields"]}


async def test_support_creates_an_issuer_with_normalised_numbers(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    token = await support_token(session)
    await session.commit()

    response = await client.post(
        "/api/v1/issuers",
        json={
            "name": " Hälsan AB ",
            "organisation_number": "556036-0793",
            "vat_number": "se 5560360793 01",
            "bankgiro": "5050-1055",
            "zip_code": "11122",
            "invoice_number_start": 5001,
        },
        headers=bearer(token),
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["name"], body["organisation_number"], body["vat_number"]) == (
        "Hälsan AB",
        "5560360793",
        "SE556036079301",
    )
    assert (body["bankgiro"], body["zip_code"]) == ("50501055", "111 22")
    assert (body["invoice_number_start"], body["next_invoice_number"]) == (5001, 5001)
    assert body["fortnox_integration_enabled"] is False


async def test_creating_an_issuer_grants_the_named_administrator(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    token = await support_token(session)
    anna = await make_user(session, username="anna")
    await session.commit()

    response = await client.post(
        "/api/v1/issuers",
        json={
            "name": "Hälsan AB",
            "organisation_number": "5560360793",
            "administrator_username": "anna",
        },
        headers=bearer(token),
    )

    assert response.status_code == 201, response.text
    role = await session.scalar(
        select(IssuerMembership.role).where(
            IssuerMembership.user_id == anna.id,
            IssuerMembership.issuer_id == response.json()["id"],
        )
    )
    assert role is IssuerRole.ADMIN


async def test_creating_an_issuer_with_bad_fields_lists_every_error_and_stores_nothing(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    token = await support_token(session)
    await session.commit()

    response = await client.post(
        "/api/v1/issuers",
        json={
            "name": "",
            "organisation_number": "556036-0794",
            "bankgiro": "123",
            "payment_terms_days": 400,
            "administrator_username": "nobody",
        },
        headers=bearer(token),
    )

    assert response.status_code == 422
    assert field_codes(response) == {
        "name": "required",
        "organisation_number": "invalid_checksum",
        "bankgiro": "invalid_format",
        "payment_terms_days": "out_of_range",
        "administrator_username": "user_not_found",
    }
    assert await count(session, Issuer) == 0
    assert await count(session, AuditEvent) == 0


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"organisation_number": "5560360794"}, "organisation_number", "invalid_checksum"),
        ({"organisation_number": "12345"}, "organisation_number", "invalid_format"),
        ({"vat_number": "SE5560360793"}, "vat_number", "invalid_format"),
        ({"vat_number": "SE556532827401"}, "vat_number", "vat_number_mismatch"),
        ({"bankgiro": "5050-1056"}, "bankgiro", "invalid_checksum"),
        ({"payment_terms_days": -1}, "payment_terms_days", "out_of_range"),
        ({"payment_terms_days": 366}, "payment_terms_days", "out_of_range"),
        ({"payment_terms_days": "trettio"}, "payment_terms_days", "int_parsing"),
        ({"invoice_number_start": 0}, "invoice_number_start", "out_of_range"),
        ({"email": "faktura.example.se"}, "email", "invalid_format"),
        ({"zip_code": "1234"}, "zip_code", "invalid_format"),
        ({"name": "   "}, "name", "required"),
        ({"name": "x" * 201}, "name", "too_long"),
        ({"fortnox_integration_enabled": True}, "fortnox_integration_enabled", "extra_forbidden"),
    ],
)
async def test_bad_setting_is_a_422_field_error_and_nothing_is_stored(
    client: httpx.AsyncClient,
    session: AsyncSession,
    changes: dict[str, object],
    field: str,
    code: str,
) -> None:
    issuer = await make_issuer(
        session, name="Klinik", organisation_number="5560360793", payment_terms_days=30
    )
    token = await admin_token(session, issuer)
    await session.commit()

    response = await client.patch(
        f"/api/v1/issuers/{issuer.id}",
        json={"city": "Lund", **changes},
        headers=bearer(token),
    )

    assert response.status_code == 422
    assert field_codes(response) == {field: code}
    assert response.json()["error"]["fields"][0]["message"]
    stored = await reload(session, issuer)
    assert (stored.city, stored.organisation_number, stored.fortnox_integration_enabled) == (
        "",
        "5560360793",
        False,
    )


async def test_administrator_changes_settings_and_the_change_is_audited(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer = await make_issuer(session, organisation_number="5560360793")
    token = await admin_token(session, issuer)
    await session.commit()

    response = await client.patch(
        f"/api/v1/issuers/{issuer.id}",
        json={"vat_number": "SE556036079301", "payment_terms_days": 0, "city": "Malmö"},
        headers=bearer(token),
    )

    assert response.status_code == 200, response.text
    stored = await reload(session, issuer)
    assert (stored.vat_number, stored.payment_terms_days, stored.city) == (
        "SE556036079301",
        0,
        "Malmö",
    )
    event = await session.scalar(select(AuditEvent).where(AuditEvent.action == "issuer.updated"))
    assert event is not None and event.details == {
        "fields": ["city", "payment_terms_days", "vat_number"]
    }


async def test_changing_the_series_start_before_the_first_invoice_moves_the_next_number(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer = await make_issuer(session, invoice_number_start=1001, next_invoice_number=1001)
    token = await admin_token(session, issuer)
    await session.commit()

    response = await client.patch(
        f"/api/v1/issuers/{issuer.id}", json={"invoice_number_start": 7001}, headers=bearer(token)
    )

    assert response.status_code == 200, response.text
    assert response.json()["next_invoice_number"] == 7001


async def test_series_start_cannot_change_after_the_first_invoice(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer = await make_issuer(session, invoice_number_start=1001, next_invoice_number=1002)
    token = await admin_token(session, issuer)
    await session.commit()

    response = await client.patch(
        f"/api/v1/issuers/{issuer.id}", json={"invoice_number_start": 7001}, headers=bearer(token)
    )

    assert response.status_code == 422
    assert field_codes(response) == {"invoice_number_start": "invoice_series_started"}
    assert (await reload(session, issuer)).invoice_number_start == 1001


async def test_organisation_number_is_locked_while_the_integration_is_enabled(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer = await make_issuer(
        session, organisation_number="5560360793", fortnox_integration_enabled=True
    )
    token = await admin_token(session, issuer)
    await session.commit()

    response = await client.patch(
        f"/api/v1/issuers/{issuer.id}",
        json={"organisation_number": "5565328274"},
        headers=bearer(token),
    )

    assert response.status_code == 422
    assert field_codes(response) == {"organisation_number": "organisation_number_locked"}


async def test_support_enables_the_integration_and_it_is_audited(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer = await make_issuer(session)
    support = await make_user(session, username="support1", is_support=True)
    token = await make_api_token(session, user=support)
    await session.commit()

    response = await client.put(
        f"/api/v1/issuers/{issuer.id}/fortnox-integration",
        json={"enabled": True},
        headers=bearer(token),
    )

    assert response.status_code == 200
    assert response.json() == {"enabled": True}
    assert (await reload(session, issuer)).fortnox_integration_enabled is True
    event = await session.scalar(select(AuditEvent).where(AuditEvent.issuer_id == issuer.id))
    assert event is not None
    assert (event.action, event.actor, event.actor_user_id) == (
        "fortnox.integration_enabled",
        "support1",
        support.id,
    )


async def test_support_disables_the_integration_and_it_is_audited(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer = await make_issuer(session, fortnox_integration_enabled=True)
    token = await support_token(session)
    await session.commit()

    response = await client.put(
        f"/api/v1/issuers/{issuer.id}/fortnox-integration",
        json={"enabled": False},
        headers=bearer(token),
    )

    assert response.status_code == 200
    assert (await reload(session, issuer)).fortnox_integration_enabled is False
    actions = (await session.scalars(select(AuditEvent.action))).all()
    assert actions == ["fortnox.integration_disabled"]


async def test_setting_the_switch_to_its_current_state_records_no_event(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer = await make_issuer(session, fortnox_integration_enabled=True)
    token = await support_token(session)
    await session.commit()

    response = await client.put(
        f"/api/v1/issuers/{issuer.id}/fortnox-integration",
        json={"enabled": True},
        headers=bearer(token),
    )

    assert response.status_code == 200
    assert await count(session, AuditEvent) == 0


async def test_administrator_cannot_flip_the_switch_and_nothing_changes(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer = await make_issuer(session)
    token = await admin_token(session, issuer)
    await session.commit()

    response = await client.put(
        f"/api/v1/issuers/{issuer.id}/fortnox-integration",
        json={"enabled": True},
        headers=bearer(token),
    )

    assert response.status_code == 403
    assert response.json()["error"] == {
        "code": "support_only",
        "message": "Endast Support kan göra detta.",
        "fields": [],
    }
    assert (await reload(session, issuer)).fortnox_integration_enabled is False
    assert await count(session, AuditEvent) == 0


async def test_audit_log_lists_the_issuers_events_newest_first(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer = await make_issuer(session)
    token = await support_token(session)
    await session.commit()
    for enabled in (True, False):
        await client.put(
            f"/api/v1/issuers/{issuer.id}/fortnox-integration",
            json={"enabled": enabled},
            headers=bearer(token),
        )

    response = await client.get(f"/api/v1/issuers/{issuer.id}/audit-events", headers=bearer(token))

    assert response.status_code == 200
    assert [item["action"] for item in response.json()] == [
        "fortnox.integration_disabled",
        "fortnox.integration_enabled",
    ]
