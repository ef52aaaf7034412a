"""The application starts, renders errors in Swedish and resolves callers from bearer tokens."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests.builders.identity import bearer, make_api_token, make_user


async def test_unknown_api_path_answers_json_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/does-not-exist")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "http_404"


async def test_unknown_bearer_token_is_401_with_stable_code(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/me", headers=bearer("sgx_nope"))
    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] == "invalid_token"
    assert error["message"] == "Ogiltig API-nyckel."


async def test_unknown_path_is_404_whatever_the_token(client: httpx.AsyncClient) -> None:
    # Routing comes before authentication (the key is checked by each route's dependencies),
    # so a path that does not exist is 404 for every caller, with or without a valid key.
    response = await client.get("/api/v1/does-not-exist", headers=bearer("sgx_nope"))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "http_404"


async def test_api_token_digest_is_stored_not_the_token(session: AsyncSession) -> None:
    user = await make_user(session)
    token = await make_api_token(session, user=user)
    await session.commit()
    from sqlalchemy import select

    from sgx.identity.models import ApiToken

    stored = (await session.scalars(select(ApiToken.token_digest))).all()
    assert token not in stored and len(stored) == 1
