"""The JSON API takes bearer tokens only: a browser's session cookie opens nothing there."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from sgx.identity.models import IssuerRole
from sgx.outbox.models import TransferJob
from tests.builders.identity import bearer, make_api_token, make_issuer, make_user
from tests.sgx.identity.pages import log_in

PASSWORD = "losenord-123"


async def test_cross_origin_cookie_post_to_the_api_is_refused_and_queues_nothing(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer = await make_issuer(session)
    await make_user(
        session, username="alva", password=PASSWORD, roles={issuer.id: IssuerRole.ADMIN}
    )
    await session.commit()
    await log_in(client, "alva", PASSWORD)
    assert (await client.get(f"/issuers/{issuer.id}")).status_code == 200  # signed in

    # What a hostile page's auto-submitted form sends: the cookie rides along by itself.
    response = await client.post(
        f"/api/v1/issuers/{issuer.id}/fortnox/reconcile?full=true",
        data={"x": "1"},
        headers={"Origin": "https://evil.example", "Referer": "https://evil.example/"},
    )

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"
    assert await session.scalar(select(func.count()).select_from(TransferJob)) == 0


async def test_same_origin_cookie_read_of_the_api_is_refused_too(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await make_user(session, username="bo", password=PASSWORD, is_support=True)
    await session.commit()
    await log_in(client, "bo", PASSWORD)

    response = await client.get("/api/v1/me", headers={"Origin": "http://testserver"})

    assert response.status_code == 401


async def test_bearer_token_works_with_or_without_a_cookie(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer = await make_issuer(session)
    user = await make_user(
        session, username="cia", password=PASSWORD, roles={issuer.id: IssuerRole.INVOICER}
    )
    token = await make_api_token(session, user=user)
    await session.commit()
    await log_in(client, "cia", PASSWORD)

    response = await client.post(
        f"/api/v1/issuers/{issuer.id}/fortnox/reconcile", headers=bearer(token)
    )

    assert response.status_code == 202, response.text
