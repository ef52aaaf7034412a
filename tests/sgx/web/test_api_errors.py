"""The API's refusals as its OpenAPI describes them, and a body that cannot be read."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests.builders.invoicing import make_clinic

REFUSALS = ("400", "401", "403", "404", "409", "422")


async def test_openapi_documents_the_error_body_of_every_refusal(
    client: httpx.AsyncClient,
) -> None:
    spec = (await client.get("/api/v1/openapi.json")).json()
    documented = {
        (method.upper(), path, status): answer["content"]["application/json"]["schema"]
        for path, methods in spec["paths"].items()
        for method, operation in methods.items()
        for status, answer in operation["responses"].items()
        if status in REFUSALS
    }
    operations = sum(len(methods) for methods in spec["paths"].values())

    assert len(documented) == operations * len(REFUSALS)
    assert {schema["$ref"] for schema in documented.values()} == {"#/components/schemas/ErrorOut"}
    error = spec["components"]["schemas"]["ErrorDetailOut"]
    assert set(error["required"]) == {"code", "message", "fields"}


async def test_body_that_is_not_utf8_json_is_refused_with_a_clear_message(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    clinic = await make_clinic(session)

    response = await client.post(
        f"/api/v1/issuers/{clinic.issuer.id}/companies",
        content=b"\xff\xfe{",
        headers={**clinic.headers, "Content-Type": "application/json"},
    )

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "http_400" and "JSON" in error["message"]


async def test_id_too_large_for_the_database_is_refused_as_bad_input(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    clinic = await make_clinic(session)

    response = await client.get(f"/api/v1/patients/{2**70}", headers=clinic.headers)

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "value_out_of_range"


async def test_number_too_large_for_the_database_in_a_body_stores_nothing(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    clinic = await make_clinic(session)

    response = await client.post(
        f"/api/v1/issuers/{clinic.issuer.id}/invoices",
        json={"patient_id": 2**70, "rows": [{"article_code": "BESOK", "quantity": "1"}]},
        headers=clinic.headers,
    )

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "value_out_of_range"
    listed = await client.get(
        f"/api/v1/issuers/{clinic.issuer.id}/invoices", headers=clinic.headers
    )
    assert listed.json() == []
