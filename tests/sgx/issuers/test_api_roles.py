"""The role matrix of the issuer API: each caller kind × each endpoint × own/foreign issuer.

"Own" is the issuer the caller holds its role on; "foreign" is another issuer. Support holds no
issuer role, so both are the same to it. Unknown and invisible issuers are 404 alike.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from sgx.issuers.models import Issuer
from tests.builders.identity import (
    NO_ROLE,
    SUPPORT,
    bearer,
    make_api_token,
    make_caller,
    make_issuer,
)

ADMIN, INVOICER, READER = "Administratör", "Fakturerare", "Läsare"


@dataclass(frozen=True, eq=False)
class Endpoint:
    method: str
    path: str  # {id} is the issuer's id
    body: dict[str, object] | None = None


READ = Endpoint("GET", "/api/v1/issuers/{id}")
UPDATE = Endpoint("PATCH", "/api/v1/issuers/{id}", {"payment_terms_days": 20})
SWITCH = Endpoint("PUT", "/api/v1/issuers/{id}/fortnox-integration", {"enabled": True})
AUDIT = Endpoint("GET", "/api/v1/issuers/{id}/audit-events")

# Expected status per endpoint: caller kind → (own issuer, foreign issuer).
MATRIX: dict[Endpoint, dict[str, tuple[int, int]]] = {
    READ: {
        ADMIN: (200, 404),
        INVOICER: (200, 404),
        READER: (200, 404),
        SUPPORT: (200, 200),
        NO_ROLE: (404, 404),
    },
    UPDATE: {
        ADMIN: (200, 404),
        INVOICER: (403, 404),
        READER: (403, 404),
        SUPPORT: (403, 403),
        NO_ROLE: (404, 404),
    },
    SWITCH: {
        ADMIN: (403, 404),
        INVOICER: (403, 404),
        READER: (403, 404),
        SUPPORT: (200, 200),
        NO_ROLE: (404, 404),
    },
    AUDIT: {
        ADMIN: (200, 404),
        INVOICER: (403, 404),
        READER: (403, 404),
        SUPPORT: (200, 200),
        NO_ROLE: (404, 404),
    },
}

CASES = [
    pytest.param(
        endpoint,
        kind,
        where,
        statuses[index],
        id=f"{endpoint.method} {endpoint.path} {kind} {where}",
    )
    for endpoint, by_kind in MATRIX.items()
    for kind, statuses in by_kind.items()
    for index, where in enumerate(("own", "foreign"))
]


@pytest.mark.parametrize(("endpoint", "kind", "where", "expected"), CASES)
async def test_issuer_endpoint_answers_each_caller_as_the_matrix_says(
    client: httpx.AsyncClient,
    session: AsyncSession,
    endpoint: Endpoint,
    kind: str,
    where: str,
    expected: int,
) -> None:
    own = await make_issuer(session)
    foreign = await make_issuer(session)
    caller = await make_caller(session, kind=kind, issuer_id=own.id)
    token = await make_api_token(session, user=caller)
    await session.commit()
    target = own if where == "own" else foreign

    response = await client.request(
        endpoint.method,
        endpoint.path.format(id=target.id),
        json=endpoint.body,
        headers=bearer(token),
    )

    assert response.status_code == expected, response.text
    if expected >= 400:
        assert response.json()["error"]["code"]


@pytest.mark.parametrize(
    ("kind", "expected"),
    [(ADMIN, 403), (INVOICER, 403), (READER, 403), (SUPPORT, 201), (NO_ROLE, 403)],
)
async def test_only_support_creates_issuers(
    client: httpx.AsyncClient, session: AsyncSession, kind: str, expected: int
) -> None:
    own = await make_issuer(session)
    caller = await make_caller(session, kind=kind, issuer_id=own.id)
    token = await make_api_token(session, user=caller)
    await session.commit()

    response = await client.post(
        "/api/v1/issuers",
        json={"name": "Ny klinik AB", "organisation_number": "556036-0793"},
        headers=bearer(token),
    )

    assert response.status_code == expected, response.text


@pytest.mark.parametrize(
    ("kind", "visible"),
    [
        (ADMIN, ["own"]),
        (INVOICER, ["own"]),
        (READER, ["own"]),
        (SUPPORT, ["own", "foreign"]),
        (NO_ROLE, []),
    ],
)
async def test_issuer_list_shows_only_the_issuers_the_caller_may_see(
    client: httpx.AsyncClient, session: AsyncSession, kind: str, visible: list[str]
) -> None:
    issuers = {
        "own": await make_issuer(session, name="A-kliniken"),
        "foreign": await make_issuer(session, name="B-kliniken"),
    }
    caller = await make_caller(session, kind=kind, issuer_id=issuers["own"].id)
    token = await make_api_token(session, user=caller)
    await session.commit()

    response = await client.get("/api/v1/issuers", headers=bearer(token))

    assert response.status_code == 200
    assert [item["id"] for item in response.json()] == [issuers[key].id for key in visible]


async def test_forbidden_settings_change_stores_nothing(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer = await make_issuer(session, name="Orörd klinik")
    caller = await make_caller(session, kind=INVOICER, issuer_id=issuer.id)
    token = await make_api_token(session, user=caller)
    await session.commit()

    response = await client.patch(
        f"/api/v1/issuers/{issuer.id}", json={"name": "Ändrad"}, headers=bearer(token)
    )

    assert response.status_code == 403
    stored = await session.get(Issuer, issuer.id, populate_existing=True)
    assert stored is not None and stored.name == "Orörd klinik"
