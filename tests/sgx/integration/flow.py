"""Driving "Anslut" as a browser would: SGX's Fortnox page, the redirect to the sandbox's login
and consent pages (mounted in the SGX app), and the redirect back to ``/fortnox/callback``."""

from __future__ import annotations

import httpx

from tests.builders.integration import FORTNOX_PASSWORD
from tests.fortnox_sandbox.oauth_helpers import submit
from tests.sgx.identity.pages import csrf_from


async def fortnox_page(
    client: httpx.AsyncClient, issuer_id: int, headers: dict[str, str]
) -> httpx.Response:
    page = await client.get(f"/issuers/{issuer_id}/fortnox", headers=headers)
    assert page.status_code == 200, page.text
    return page


async def post_form(
    client: httpx.AsyncClient,
    issuer_id: int,
    action: str,
    headers: dict[str, str],
    **fields: str,
) -> httpx.Response:
    """Post one of the Fortnox page's forms (``connect``, ``verify``, ``disconnect``…)."""
    page = await fortnox_page(client, issuer_id, headers)
    data = {"csrf_token": csrf_from(page.text), **fields}
    return await client.post(f"/issuers/{issuer_id}/fortnox/{action}", data=data, headers=headers)


async def start_connecting(
    client: httpx.AsyncClient,
    issuer_id: int,
    headers: dict[str, str],
    *,
    account_type: str = "service",
) -> httpx.Response:
    """Press "Anslut" and follow the redirect: Fortnox's login page."""
    response = await post_form(client, issuer_id, "connect", headers, account_type=account_type)
    assert response.status_code == 303, response.text
    login = await client.get(response.headers["location"])
    assert login.status_code == 200, login.text
    return login


async def through_fortnox(
    client: httpx.AsyncClient,
    login: httpx.Response,
    *,
    username: str = "anna",
    decision: str = "Godkänn",
) -> str:
    """Log in, answer the consent page; the URL Fortnox redirects back to."""
    consent = await submit(client, login, username=username, password=FORTNOX_PASSWORD)
    assert consent.status_code == 200, consent.text
    answer = await submit(client, consent, button=decision)
    assert answer.status_code == 302, answer.text
    return answer.headers["location"]


async def connect(
    client: httpx.AsyncClient,
    issuer_id: int,
    headers: dict[str, str],
    *,
    account_type: str = "service",
    username: str = "anna",
    decision: str = "Godkänn",
) -> httpx.Response:
    """The whole round trip; the callback's answer (a redirect to the Fortnox page)."""
    login = await start_connecting(client, issuer_id, headers, account_type=account_type)
    callback = await through_fortnox(client, login, username=username, decision=decision)
    return await client.get(callback, headers=headers)


async def connect_and_show(
    client: httpx.AsyncClient, issuer_id: int, headers: dict[str, str], **options: str
) -> httpx.Response:
    """Connect, then open the page the callback redirects to."""
    answer = await connect(client, issuer_id, headers, **options)
    assert answer.status_code == 303, answer.text
    page = await client.get(answer.headers["location"], headers=headers)
    assert page.status_code == 200, page.text
    return page
