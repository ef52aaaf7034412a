"""Builders for sandbox tests: companies and clients via the control plane, and a tiny HTML-form
driver that walks Fortnox's login and consent pages the way a browser would."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

CLIENT_ID = "sgx-test-client"
CLIENT_SECRET = "sgx-test-secret"
REDIRECT_URI = "https://sgx.test/fortnox/callback"
SCOPES = "companyinformation customer invoice"
PASSWORD = "hemligt-123"


async def register_client(client: httpx.AsyncClient, **overrides: Any) -> dict[str, Any]:
    body = {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "redirect_uris": [REDIRECT_URI],
        **overrides,
    }
    response = await client.post("/_sandbox/clients", json=body)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def make_company(
    client: httpx.AsyncClient,
    *,
    name: str = "Tandläkarna i Ås AB",
    organisation_number: str = "556677-8899",
    users: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    if users is None:
        users = [{"username": "anna", "password": PASSWORD, "sysadmin": True}]
    body = {"name": name, "organisation_number": organisation_number, "users": users, **extra}
    response = await client.post("/_sandbox/companies", json=body)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def consent_tokens(
    client: httpx.AsyncClient,
    tenant_id: int,
    *,
    scopes: list[str] | None = None,
    account_type: str = "personal",
    client_id: str = CLIENT_ID,
) -> dict[str, Any]:
    body = {
        "tenant_id": tenant_id,
        "client_id": client_id,
        "scopes": scopes or SCOPES.split(),
        "account_type": account_type,
    }
    response = await client.post("/_sandbox/tokens", json=body)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def basic(client_id: str = CLIENT_ID, secret: str = CLIENT_SECRET) -> dict[str, str]:
    raw = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {raw}"}


def bearer(access_token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {access_token}"}


def query_of(location: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


@dataclass
class Form:
    action: str
    fields: dict[str, str] = field(default_factory=dict)
    radios: dict[str, list[str]] = field(default_factory=dict)
    buttons: dict[str, tuple[str, str]] = field(default_factory=dict)  # label → (name, value)


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self._button: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {key: value or "" for key, value in attrs}
        if tag == "form":
            self.forms.append(Form(action=attributes.get("action", "")))
        elif tag == "input" and self.forms and attributes.get("name"):
            form, name = self.forms[-1], attributes["name"]
            if attributes.get("type") == "radio":
                form.radios.setdefault(name, []).append(attributes.get("value", ""))
                if "checked" in attributes:
                    form.fields[name] = attributes.get("value", "")
            else:
                form.fields[name] = attributes.get("value", "")
        elif tag == "button":
            self._button = attributes

    def handle_data(self, data: str) -> None:
        if self._button is not None and self.forms and data.strip():
            name, value = self._button.get("name", ""), self._button.get("value", "")
            self.forms[-1].buttons[data.strip()] = (name, value)
            self._button = None


def parse_form(html: str) -> Form:
    parser = _FormParser()
    parser.feed(html)
    assert len(parser.forms) == 1, "expected exactly one form on the page"
    return parser.forms[0]


async def submit(
    client: httpx.AsyncClient, page: httpx.Response, *, button: str | None = None, **fields: str
) -> httpx.Response:
    form = parse_form(page.text)
    data = {**form.fields, **fields}
    if button is not None:
        name, value = form.buttons[button]
        data[name] = value
    return await client.post(form.action, data=data)


async def start_authorize(
    client: httpx.AsyncClient,
    *,
    scope: str = SCOPES,
    state: str = "state-123",
    redirect_uri: str | None = REDIRECT_URI,
    **extra: str,
) -> httpx.Response:
    params = {
        "client_id": CLIENT_ID,
        "scope": scope,
        "state": state,
        "access_type": "offline",
        "response_type": "code",
        **extra,
    }
    if redirect_uri is not None:
        params["redirect_uri"] = redirect_uri
    return await client.get("/oauth-v1/auth", params=params)


async def authorize_code(
    client: httpx.AsyncClient, *, username: str = "anna", password: str = PASSWORD, **extra: str
) -> str:
    """Log in (one company) and approve; the code from the redirect back."""
    login = await start_authorize(client, **extra)
    consent = await submit(client, login, username=username, password=password)
    approved = await submit(client, consent, button="Godkänn")
    assert approved.status_code == 302, approved.text
    return query_of(approved.headers["location"])["code"]


async def exchange_code(
    client: httpx.AsyncClient, code: str, *, redirect_uri: str | None = REDIRECT_URI
) -> httpx.Response:
    data = {"grant_type": "authorization_code", "code": code}
    if redirect_uri is not None:
        data["redirect_uri"] = redirect_uri
    return await client.post("/oauth-v1/token", data=data, headers=basic())


async def refresh(client: httpx.AsyncClient, refresh_token: str) -> httpx.Response:
    data = {"grant_type": "refresh_token", "refresh_token": refresh_token}
    return await client.post("/oauth-v1/token", data=data, headers=basic())


async def advance_clock(client: httpx.AsyncClient, seconds: float) -> None:
    response = await client.post("/_sandbox/clock", json={"advance_seconds": seconds})
    assert response.status_code == 200, response.text


COMPANY_INFORMATION = "/3/companyinformation"
