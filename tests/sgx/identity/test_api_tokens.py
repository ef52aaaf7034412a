"""Bearer tokens for the JSON API: a valid one identifies the user, anything else is 401 JSON."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from sgx.identity import service
from sgx.identity.models import ApiToken, IssuerRole
from tests.builders.identity import bearer, make_api_token, make_issuer, make_user


async def test_valid_token_identifies_the_user_and_its_roles(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer = await make_issuer(session)
    user = await make_user(session, username="robot", roles={issuer.id: IssuerRole.INVOICER})
    token = await make_api_token(session, user=user)
    await session.commit()

    response = await client.get("/api/v1/me", headers=bearer(token))

    assert response.status_code == 200
    assert response.json() == {
        "id": user.id,
        "username": "robot",
        "is_support": False,
        "roles": [{"issuer_id": issuer.id, "role": "Fakturerare"}],
    }


async def test_token_created_by_the_service_works_and_only_its_digest_is_stored(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    user = await make_user(session)
    api_token, token = await service.create_api_token(session, user=user, name="kassa")
    await session.commit()

    response = await client.get("/api/v1/me", headers=bearer(token))

    assert response.status_code == 200
    stored = await session.get(ApiToken, api_token.id, populate_existing=True)
    assert stored is not None and token not in (stored.token_digest, stored.name)


async def test_revoked_token_is_refused(client: httpx.AsyncClient, session: AsyncSession) -> None:
    user = await make_user(session)
    api_token, token = await service.create_api_token(session, user=user)
    await service.revoke_api_token(session, token_id=api_token.id)
    await session.commit()

    response = await client.get("/api/v1/me", headers=bearer(token))

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_token"


@pytest.mark.parametrize(
    "header",
    ["Bearer sgx_unknown", "Bearer ", "Basic YW5uYTpsb3Nlbg==", "sgx_without_scheme"],
)
async def test_unknown_or_malformed_authorization_is_401_json(
    client: httpx.AsyncClient, header: str
) -> None:
    response = await client.get("/api/v1/issuers", headers={"Authorization": header})

    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["error"] == {
        "code": "invalid_token",
        "message": "Ogiltig API-nyckel.",
        "fields": [],
    }


async def test_no_credentials_is_401_json(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/issuers")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


async def test_token_of_an_inactive_user_is_refused(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    user = await make_user(session, is_active=False)
    token = await make_api_token(session, user=user)
    await session.commit()

    response = await client.get("/api/v1/me", headers=bearer(token))

    assert response.status_code == 401
