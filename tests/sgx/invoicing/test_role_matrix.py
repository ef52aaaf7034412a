"""Who may call which endpoint of patients, companies, articles, accounts and invoices.

Each caller kind (Administratör, Fakturerare, Läsare on the own issuer; Support; a user without
any role) × each endpoint × an object of the own or of a foreign issuer. Objects of an issuer
the caller cannot see are 404 like unknown ids; a role too weak is 403; Support reads all and
writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from sgx.identity.models import IssuerRole
from tests.builders.catalog import EXEMPT_TEXT
from tests.builders.identity import (
    CALLER_KINDS,
    NO_ROLE,
    SUPPORT,
    bearer,
    make_api_token,
    make_caller,
)
from tests.builders.invoicing import Clinic, make_clinic, make_invoice


@dataclass(frozen=True)
class Target:
    issuer: int
    patient: int
    company: int
    invoice: int


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    path: str
    success: int
    writes: bool
    body: Callable[[Target], dict[str, Any]] | None = None


ENDPOINTS = [
    Endpoint("create patient", "POST", "/issuers/{issuer}/patients", 201, True,
             lambda t: {"first_name": "Eva", "last_name": "Ny"}),
    Endpoint("list patients", "GET", "/issuers/{issuer}/patients", 200, False),
    Endpoint("get patient", "GET", "/patients/{patient}", 200, False),
    Endpoint("patch patient", "PATCH", "/patients/{patient}", 200, True,
             lambda t: {"city": "Lund"}),
    Endpoint("create company", "POST", "/issuers/{issuer}/companies", 201, True,
             lambda t: {"name": "Eva Konsult", "organisation_number": "19880320-0016"}),
    Endpoint("list companies", "GET", "/issuers/{issuer}/companies", 200, False),
    Endpoint("get company", "GET", "/companies/{company}", 200, False),
    Endpoint("patch company", "PATCH", "/companies/{company}", 200, True,
             lambda t: {"contact_person": "Per Ek"}),
    Endpoint("create article", "POST", "/issuers/{issuer}/articles", 201, True,
             lambda t: {"code": "NY", "description": "Hälsoundersökning", "unit_price": "500",
                        "vat_rate": 0, "sales_account_number": 3004,
                        "vat_exemption_text": EXEMPT_TEXT}),
    Endpoint("list articles", "GET", "/issuers/{issuer}/articles", 200, False),
    Endpoint("list accounts", "GET", "/issuers/{issuer}/accounts", 200, False),
    Endpoint("create invoice", "POST", "/issuers/{issuer}/invoices", 201, True,
             lambda t: {"patient_id": t.patient,
                        "rows": [{"article_code": "BESOK", "quantity": "1"}]}),
    Endpoint("list invoices", "GET", "/issuers/{issuer}/invoices", 200, False),
    Endpoint("get invoice", "GET", "/invoices/{invoice}", 200, False),
    Endpoint("credit invoice", "POST", "/invoices/{invoice}/credit", 201, True,
             lambda t: {"reason": "Fel"}),
]  # fmt: skip


def expected_status(kind: str, target: str, endpoint: Endpoint) -> int:
    if kind == NO_ROLE:
        return 404
    if kind == SUPPORT:
        return 403 if endpoint.writes else endpoint.success
    if target == "foreign":
        return 404
    if endpoint.writes and not IssuerRole(kind).includes(IssuerRole.INVOICER):
        return 403
    return endpoint.success


async def make_target(session: AsyncSession) -> Target:
    clinic: Clinic = await make_clinic(session)
    invoice = await make_invoice(
        session, issuer_id=clinic.issuer.id, patient_id=clinic.patient.id, rows=[("BESOK", "1")]
    )
    return Target(clinic.issuer.id, clinic.patient.id, clinic.company.id, invoice.id)


async def call(
    client: httpx.AsyncClient, endpoint: Endpoint, target: Target, headers: dict[str, str]
) -> httpx.Response:
    path = "/api/v1" + endpoint.path.format(**vars(target))
    body = endpoint.body(target) if endpoint.body else None
    return await client.request(endpoint.method, path, json=body, headers=headers)


@pytest.mark.parametrize("target_kind", ["own", "foreign"])
@pytest.mark.parametrize("kind", CALLER_KINDS)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[endpoint.name for endpoint in ENDPOINTS])
async def test_role_matrix(
    client: httpx.AsyncClient,
    session: AsyncSession,
    endpoint: Endpoint,
    kind: str,
    target_kind: str,
) -> None:
    own = await make_target(session)
    foreign = await make_target(session)
    caller = await make_caller(session, kind=kind, issuer_id=own.issuer)
    headers = bearer(await make_api_token(session, user=caller))
    await session.commit()

    response = await call(client, endpoint, own if target_kind == "own" else foreign, headers)

    assert response.status_code == expected_status(kind, target_kind, endpoint), response.text


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[endpoint.name for endpoint in ENDPOINTS])
async def test_every_endpoint_needs_a_caller(
    client: httpx.AsyncClient, session: AsyncSession, endpoint: Endpoint
) -> None:
    target = await make_target(session)
    await session.commit()

    response = await call(client, endpoint, target, headers={})

    assert response.status_code == 401


@pytest.mark.parametrize("kind", [IssuerRole.ADMIN.value, SUPPORT])
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[endpoint.name for endpoint in ENDPOINTS])
async def test_unknown_ids_are_404(
    client: httpx.AsyncClient, session: AsyncSession, endpoint: Endpoint, kind: str
) -> None:
    own = await make_target(session)
    caller = await make_caller(session, kind=kind, issuer_id=own.issuer)
    headers = bearer(await make_api_token(session, user=caller))
    await session.commit()
    unknown = Target(issuer=987654, patient=987654, company=987654, invoice=987654)

    response = await call(client, endpoint, unknown, headers)

    assert response.status_code == 404
    assert response.json()["error"]["code"].endswith("_not_found")
