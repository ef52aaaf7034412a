"""The browser half of the sandbox's OAuth2: checks before login, login, company choice, consent."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Mount

from fortnox_sandbox.backend import SandboxBackend
from tests.fortnox_sandbox.oauth_helpers import (
    PASSWORD,
    REDIRECT_URI,
    authorize_code,
    make_company,
    parse_form,
    query_of,
    register_client,
    start_authorize,
    submit,
)


@pytest.fixture(autouse=True)
async def client_registered(sandbox_client: httpx.AsyncClient) -> None:
    await register_client(sandbox_client, scopes=["companyinformation", "customer", "invoice"])


async def test_authorize_renders_swedish_login_form(sandbox_client: httpx.AsyncClient) -> None:
    page = await start_authorize(sandbox_client)
    assert page.status_code == 200
    assert "Logga in" in page.text and "Lösenord" in page.text
    form = parse_form(page.text)
    assert form.action.endswith("/oauth-v1/auth/login")
    assert {"request_id", "username", "password"} <= set(form.fields)


async def test_approval_redirects_with_code_and_state(sandbox_client: httpx.AsyncClient) -> None:
    await make_company(sandbox_client)
    login = await start_authorize(sandbox_client, state="abc/123")
    consent = await submit(sandbox_client, login, username="anna", password=PASSWORD)
    approved = await submit(sandbox_client, consent, button="Godkänn")
    assert approved.status_code == 302
    location = approved.headers["location"]
    assert location.startswith(REDIRECT_URI + "?")
    params = query_of(location)
    assert params["state"] == "abc/123" and len(params["code"]) == 36


async def test_consent_page_lists_requested_scopes_with_both_buttons(
    sandbox_client: httpx.AsyncClient,
) -> None:
    await make_company(sandbox_client, name="Klinik Norr AB")
    login = await start_authorize(sandbox_client, scope="customer invoice")
    consent = await submit(sandbox_client, login, username="anna", password=PASSWORD)
    assert "Klinik Norr AB" in consent.text
    assert 'data-scope="customer"' in consent.text and 'data-scope="invoice"' in consent.text
    assert 'data-scope="companyinformation"' not in consent.text
    assert set(parse_form(consent.text).buttons) == {"Godkänn", "Avbryt"}


async def test_wrong_password_shows_login_again_with_message(
    sandbox_client: httpx.AsyncClient,
) -> None:
    await make_company(sandbox_client)
    login = await start_authorize(sandbox_client)
    again = await submit(sandbox_client, login, username="anna", password="fel")
    assert "Fel användarnamn eller lösenord." in again.text
    assert "password" in parse_form(again.text).fields


async def test_denial_redirects_with_access_denied_and_state(
    sandbox_client: httpx.AsyncClient,
) -> None:
    await make_company(sandbox_client)
    login = await start_authorize(sandbox_client, state="s-1")
    consent = await submit(sandbox_client, login, username="anna", password=PASSWORD)
    denied = await submit(sandbox_client, consent, button="Avbryt")
    assert denied.status_code == 302
    params = query_of(denied.headers["location"])
    assert params["error"] == "access_denied" and params["state"] == "s-1"
    assert "code" not in params


async def test_unregistered_scope_is_rejected_before_login(
    sandbox_client: httpx.AsyncClient,
) -> None:
    response = await start_authorize(sandbox_client, scope="customer salary", state="s-2")
    assert response.status_code == 302
    params = query_of(response.headers["location"])
    assert params["error"] == "invalid_scope" and params["state"] == "s-2"


async def test_unregistered_redirect_uri_answers_redirect_uri_mismatch(
    sandbox_client: httpx.AsyncClient,
) -> None:
    response = await start_authorize(sandbox_client, redirect_uri="https://evil.test/cb")
    assert response.status_code == 400
    assert response.json() == {
        "error": "redirect_uri_mismatch",
        "error_description": "The redirect URI provided is missing or does not match",
        "error_uri": "http://tools.ietf.org/html/rfc6749#section-3.1.2",
    }


async def test_omitted_redirect_uri_uses_the_registered_one(
    sandbox_client: httpx.AsyncClient,
) -> None:
    await make_company(sandbox_client)
    login = await start_authorize(sandbox_client, redirect_uri=None)
    consent = await submit(sandbox_client, login, username="anna", password=PASSWORD)
    approved = await submit(sandbox_client, consent, button="Godkänn")
    assert approved.headers["location"].startswith(REDIRECT_URI + "?code=")


async def test_unknown_client_is_refused(sandbox_client: httpx.AsyncClient) -> None:
    response = await sandbox_client.get(
        "/oauth-v1/auth",
        params={"client_id": "nobody", "scope": "customer", "state": "s", "response_type": "code"},
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_client"


async def test_user_in_several_companies_chooses_one(
    sandbox_client: httpx.AsyncClient, sandbox_backend: SandboxBackend
) -> None:
    user = {"username": "bosse", "password": PASSWORD, "sysadmin": False}
    await make_company(sandbox_client, name="Första AB", users=[user])
    second = await make_company(
        sandbox_client, name="Andra AB", organisation_number="556000-1111", users=[user]
    )
    login = await start_authorize(sandbox_client)
    choice = await submit(sandbox_client, login, username="bosse", password=PASSWORD)
    assert "Välj företag" in choice.text
    form = parse_form(choice.text)
    assert len(form.radios["tenant_id"]) == 2
    consent = await submit(sandbox_client, choice, tenant_id=str(second["tenant_id"]))
    assert "Andra AB" in consent.text
    approved = await submit(sandbox_client, consent, button="Godkänn")
    code = query_of(approved.headers["location"])["code"]
    consent_id = sandbox_backend.codes[code].consent_id
    assert sandbox_backend.consents[consent_id].tenant_id == second["tenant_id"]


async def test_service_account_needs_a_system_administrator(
    sandbox_client: httpx.AsyncClient,
) -> None:
    await make_company(
        sandbox_client, users=[{"username": "cilla", "password": PASSWORD, "sysadmin": False}]
    )
    login = await start_authorize(sandbox_client, account_type="service")
    refused = await submit(sandbox_client, login, username="cilla", password=PASSWORD)
    assert refused.status_code == 403
    assert "systemadministratör" in refused.text
    assert "Godkänn" not in refused.text


async def test_service_account_approved_by_sysadmin_creates_one_service_consent(
    sandbox_client: httpx.AsyncClient, sandbox_backend: SandboxBackend
) -> None:
    company = await make_company(sandbox_client)
    await authorize_code(sandbox_client, account_type="service")
    await authorize_code(sandbox_client, account_type="service")
    active = [
        consent
        for consent in sandbox_backend.consents.values()
        if consent.account_type == "service" and not consent.revoked
    ]
    assert len(active) == 1 and active[0].tenant_id == company["tenant_id"]


async def test_client_without_service_accounts_refuses_account_type_service(
    sandbox_client: httpx.AsyncClient,
) -> None:
    await register_client(sandbox_client, service_accounts=False)
    response = await start_authorize(sandbox_client, account_type="service", state="s-3")
    params = query_of(response.headers["location"])
    assert params["error_description"] == "Client does not allow service account"
    assert params["state"] == "s-3"


async def test_consent_form_cannot_be_submitted_twice(sandbox_client: httpx.AsyncClient) -> None:
    await make_company(sandbox_client)
    login = await start_authorize(sandbox_client)
    consent = await submit(sandbox_client, login, username="anna", password=PASSWORD)
    first = await submit(sandbox_client, consent, button="Godkänn")
    second = await submit(sandbox_client, consent, button="Godkänn")
    assert first.status_code == 302
    assert second.status_code == 400 and "Börja om" in second.text


async def test_login_form_posts_back_under_the_mount_prefix(sandbox_app) -> None:  # type: ignore[no-untyped-def]
    outer = Starlette(routes=[Mount("/fortnox-sandbox", app=sandbox_app)])
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=outer), base_url="http://sgx.test"
    ) as client:
        page = await client.get(
            "/fortnox-sandbox/oauth-v1/auth",
            params={
                "client_id": "sgx-test-client",
                "redirect_uri": REDIRECT_URI,
                "scope": "customer",
                "state": "s",
                "response_type": "code",
            },
        )
    assert parse_form(page.text).action == "/fortnox-sandbox/oauth-v1/auth/login"
