"""The OAuth helpers against the sandbox's authorization pages and token endpoint."""

from __future__ import annotations

import httpx
import pytest

from sgx.fortnox.errors import Ambiguous, InvalidGrant, Unauthorized
from sgx.fortnox.oauth import TokenResult
from tests.fortnox_sandbox.oauth_helpers import query_of, submit
from tests.sgx.fortnox.sandbox import (
    CLIENT_ID,
    CLIENT_SECRET,
    PASSWORD,
    SCOPES,
    USERNAME,
    add_fault,
    consent,
    fortnox_client,
    fortnox_oauth,
)


async def approve_in_browser(
    control: httpx.AsyncClient, url: str, *, state: str = "state-1"
) -> dict[str, str]:
    """Walk Fortnox's login and consent pages; the query of the redirect back."""
    login = await control.get(url)
    assert login.status_code == 200, login.text
    consent_page = await submit(control, login, username=USERNAME, password=PASSWORD)
    approved = await submit(control, consent_page, button="Godkänn")
    assert approved.status_code == 302, approved.text
    return query_of(approved.headers["location"])


async def test_authorization_code_is_exchanged_for_tokens_of_the_company(
    sandbox_client: httpx.AsyncClient, tenant_id: int
) -> None:
    oauth = fortnox_oauth(sandbox_client)
    url = oauth.authorization_url(scopes=SCOPES, state="state-1")
    back = await approve_in_browser(sandbox_client, url)
    assert back["state"] == "state-1"
    tokens = await oauth.exchange_code(back["code"])
    assert tokens.tenant_id == tenant_id
    assert tokens.refresh_token and tokens.expires_in == 3600
    assert sorted(tokens.scopes) == sorted(SCOPES)


async def test_service_account_gets_access_tokens_by_client_credentials(
    sandbox_client: httpx.AsyncClient, tenant_id: int
) -> None:
    oauth = fortnox_oauth(sandbox_client)
    url = oauth.authorization_url(scopes=SCOPES, state="s", service_account=True)
    back = await approve_in_browser(sandbox_client, url)
    await oauth.exchange_code(back["code"])
    tokens = await oauth.client_credentials(tenant_id)
    assert tokens.refresh_token is None and tokens.tenant_id == tenant_id
    company = fortnox_client(sandbox_client, tokens.access_token, tenant_id)
    assert (await company.company_information()).database_number == tenant_id


async def test_client_credentials_without_a_service_account_is_an_invalid_grant(
    sandbox_client: httpx.AsyncClient, tenant_id: int
) -> None:
    await consent(sandbox_client, tenant_id, account_type="personal")
    with pytest.raises(InvalidGrant):
        await fortnox_oauth(sandbox_client).client_credentials(tenant_id)


async def personal_tokens(control: httpx.AsyncClient, tenant_id: int) -> TokenResult:
    tokens = await consent(control, tenant_id)
    return TokenResult(
        access_token=tokens["access_token"],
        refresh_token=tokens["refresh_token"],
        expires_in=tokens["expires_in"],
    )


async def test_refresh_returns_a_new_refresh_token(
    sandbox_client: httpx.AsyncClient, tenant_id: int
) -> None:
    first = await personal_tokens(sandbox_client, tenant_id)
    assert first.refresh_token is not None
    second = await fortnox_oauth(sandbox_client).refresh(first.refresh_token)
    assert second.refresh_token not in (None, first.refresh_token)
    assert second.tenant_id == tenant_id


async def test_a_spent_refresh_token_served_as_html_is_an_invalid_grant(
    sandbox_client: httpx.AsyncClient, tenant_id: int
) -> None:
    oauth = fortnox_oauth(sandbox_client)
    first = await personal_tokens(sandbox_client, tenant_id)
    assert first.refresh_token is not None
    await oauth.refresh(first.refresh_token)
    with pytest.raises(InvalidGrant) as raised:
        await oauth.refresh(first.refresh_token)
    assert raised.value.status == 400 and raised.value.error == "invalid_grant"
    assert raised.value.message == "Invalid refresh token"
    # How such an answer comes over the wire: a JSON body labelled text/html.
    raw = await sandbox_client.post(
        "/oauth-v1/token",
        data={"grant_type": "refresh_token", "refresh_token": first.refresh_token},
        auth=(CLIENT_ID, CLIENT_SECRET),
    )
    assert raw.headers["content-type"].startswith("text/html")


async def test_revoked_refresh_token_cannot_be_used_again(
    sandbox_client: httpx.AsyncClient, tenant_id: int
) -> None:
    oauth = fortnox_oauth(sandbox_client)
    tokens = await personal_tokens(sandbox_client, tenant_id)
    assert tokens.refresh_token is not None
    assert await oauth.revoke(tokens.refresh_token) is True
    with pytest.raises(InvalidGrant):
        await oauth.refresh(tokens.refresh_token)


async def test_a_wrong_client_secret_is_unauthorized(
    sandbox_client: httpx.AsyncClient, tenant_id: int
) -> None:
    tokens = await personal_tokens(sandbox_client, tenant_id)
    assert tokens.refresh_token is not None
    with pytest.raises(Unauthorized) as raised:
        await fortnox_oauth(sandbox_client, secret="fel").refresh(tokens.refresh_token)
    assert raised.value.error == "invalid_client"


async def test_a_refresh_whose_answer_was_lost_is_ambiguous(
    sandbox_client: httpx.AsyncClient, tenant_id: int
) -> None:
    tokens = await personal_tokens(sandbox_client, tenant_id)
    assert tokens.refresh_token is not None
    await add_fault(sandbox_client, kind="commit_then_drop", path="oauth-v1/token", count=1)
    with pytest.raises(Ambiguous):
        await fortnox_oauth(sandbox_client).refresh(tokens.refresh_token)
    # The sandbox did rotate: the old refresh token is spent although no answer came.
    with pytest.raises(InvalidGrant):
        await fortnox_oauth(sandbox_client).refresh(tokens.refresh_token)
