"""Patients through the JSON API: identity numbers, protected identity, one per number."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from sgx.issuers.models import Issuer
from sgx.parties.models import Patient
from tests.builders.parties import issuer_with_invoicer


async def post_patient(
    client: httpx.AsyncClient, issuer: Issuer, headers: dict[str, str], **fields: Any
) -> httpx.Response:
    body = {"first_name": "Eva", "last_name": "Svensson", **fields}
    return await client.post(f"/api/v1/issuers/{issuer.id}/patients", json=body, headers=headers)


async def patient_count(session: AsyncSession) -> int:
    count = int(await session.scalar(select(func.count()).select_from(Patient)) or 0)
    await session.commit()
    return count


async def test_patient_with_ten_digit_personnummer_is_stored_with_twelve(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer, headers = await issuer_with_invoicer(session)

    response = await post_patient(
        client, issuer, headers, personal_identity_number="900704-2386", city="Lund"
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["identity_kind"], body["personal_identity_number"]) == (
        "personnummer",
        "199007042386",
    )
    assert (body["city"], body["fortnox_customer_number"]) == ("Lund", None)


async def test_samordningsnummer_is_recognised_from_the_day(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer, headers = await issuer_with_invoicer(session)

    response = await post_patient(client, issuer, headers, personal_identity_number="191500722390")

    assert response.json()["identity_kind"] == "samordningsnummer"


async def test_reservnummer_is_kept_as_given_without_checksum(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer, headers = await issuer_with_invoicer(session)

    response = await post_patient(
        client,
        issuer,
        headers,
        identity_kind="reservnummer",
        personal_identity_number="99 1234-5678",
    )

    body = response.json()
    assert (body["identity_kind"], body["personal_identity_number"]) == (
        "reservnummer",
        "991234-5678",
    )


async def test_patient_without_any_number_is_allowed(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer, headers = await issuer_with_invoicer(session)

    response = await post_patient(client, issuer, headers)

    assert response.status_code == 201
    assert (response.json()["identity_kind"], response.json()["personal_identity_number"]) == (
        "none",
        None,
    )


BAD_PATIENTS: list[tuple[str, dict[str, Any], str, str]] = [
    (
        "wrong check digit",
        {"personal_identity_number": "640823-3235"},
        "personal_identity_number",
        "invalid_checksum",
    ),
    (
        "impossible date",
        {"personal_identity_number": "900230-1233"},
        "personal_identity_number",
        "invalid_date",
    ),
    (
        "too short",
        {"personal_identity_number": "6408233"},
        "personal_identity_number",
        "invalid_format",
    ),
    (
        "kind mismatch",
        {"identity_kind": "personnummer", "personal_identity_number": "701063-2391"},
        "personal_identity_number",
        "kind_mismatch",
    ),
    (
        "reservnummer missing",
        {"identity_kind": "reservnummer"},
        "personal_identity_number",
        "missing",
    ),
    ("bad email", {"email": "eva@"}, "email", "invalid_email"),
    (
        "protected with address",
        {"protected_identity": True, "address": "Storgatan 1"},
        "address",
        "protected_identity",
    ),
    ("no last name", {"last_name": ""}, "last_name", "string_too_short"),
    ("unknown field", {"diagnosis": "J06.9"}, "diagnosis", "extra_forbidden"),
]


@pytest.mark.parametrize(
    ("case", "fields", "field", "code"), BAD_PATIENTS, ids=[case[0] for case in BAD_PATIENTS]
)
async def test_bad_patient_is_422_with_a_field_message_and_stores_nothing(
    client: httpx.AsyncClient,
    session: AsyncSession,
    case: str,
    fields: dict[str, Any],
    field: str,
    code: str,
) -> None:
    issuer, headers = await issuer_with_invoicer(session)

    response = await post_patient(client, issuer, headers, **fields)

    assert response.status_code == 422, response.text
    errors = {item["field"]: item for item in response.json()["error"]["fields"]}
    assert errors[field]["code"] == code and errors[field]["message"]
    assert await patient_count(session) == 0


async def test_same_personnummer_twice_at_one_issuer_is_refused(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer, headers = await issuer_with_invoicer(session)
    await post_patient(client, issuer, headers, personal_identity_number="19900704-2386")

    response = await post_patient(client, issuer, headers, personal_identity_number="900704-2386")

    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["code"] == "duplicate"
    assert await patient_count(session) == 1


async def test_same_personnummer_at_two_issuers_is_two_patients(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    first, first_headers = await issuer_with_invoicer(session)
    second, second_headers = await issuer_with_invoicer(session)

    statuses = [
        (
            await post_patient(
                client, first, first_headers, personal_identity_number="199007042386"
            )
        ).status_code,
        (
            await post_patient(
                client, second, second_headers, personal_identity_number="199007042386"
            )
        ).status_code,
    ]

    assert statuses == [201, 201]


async def test_patch_changes_only_the_fields_sent(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer, headers = await issuer_with_invoicer(session)
    created = (
        await post_patient(
            client, issuer, headers, personal_identity_number="199007042386", city="Lund"
        )
    ).json()

    response = await client.patch(
        f"/api/v1/patients/{created['id']}", json={"phone": "070-123 45 67"}, headers=headers
    )

    body = response.json()
    assert (body["phone"], body["city"], body["personal_identity_number"]) == (
        "070-123 45 67",
        "Lund",
        "199007042386",
    )


async def test_marking_protected_identity_erases_the_stored_address(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer, headers = await issuer_with_invoicer(session)
    created = (
        await post_patient(
            client, issuer, headers, address="Storgatan 1", zip_code="222 22", city="Lund"
        )
    ).json()

    response = await client.patch(
        f"/api/v1/patients/{created['id']}", json={"protected_identity": True}, headers=headers
    )

    body = response.json()
    assert body["protected_identity"] is True
    assert (body["address"], body["zip_code"], body["city"]) == ("", "", "")


async def test_patch_with_invalid_number_changes_nothing(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer, headers = await issuer_with_invoicer(session)
    created = (await post_patient(client, issuer, headers, city="Lund")).json()

    response = await client.patch(
        f"/api/v1/patients/{created['id']}",
        json={"city": "Malmö", "personal_identity_number": "640823-3235"},
        headers=headers,
    )

    assert response.status_code == 422
    stored = await client.get(f"/api/v1/patients/{created['id']}", headers=headers)
    assert (stored.json()["city"], stored.json()["identity_kind"]) == ("Lund", "none")


async def test_patch_to_identity_kind_none_drops_the_number(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer, headers = await issuer_with_invoicer(session)
    created = (
        await post_patient(client, issuer, headers, personal_identity_number="199007042386")
    ).json()

    response = await client.patch(
        f"/api/v1/patients/{created['id']}", json={"identity_kind": "none"}, headers=headers
    )

    assert (response.json()["identity_kind"], response.json()["personal_identity_number"]) == (
        "none",
        None,
    )


async def test_patch_refuses_null_for_a_required_name(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer, headers = await issuer_with_invoicer(session)
    created = (await post_patient(client, issuer, headers)).json()

    response = await client.patch(
        f"/api/v1/patients/{created['id']}", json={"first_name": None}, headers=headers
    )

    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["field"] == "first_name"


async def test_list_shows_only_the_issuers_patients_by_name(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer, headers = await issuer_with_invoicer(session)
    other, other_headers = await issuer_with_invoicer(session)
    await post_patient(client, issuer, headers, last_name="Öberg")
    await post_patient(client, issuer, headers, last_name="Andersson")
    await post_patient(client, other, other_headers, last_name="Berg")

    response = await client.get(f"/api/v1/issuers/{issuer.id}/patients", headers=headers)

    assert [patient["last_name"] for patient in response.json()] == ["Andersson", "Öberg"]
