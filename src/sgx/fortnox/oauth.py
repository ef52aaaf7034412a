"""Fortnox's OAuth2 endpoints: the authorization URL, code exchange, refresh, client credentials
(service accounts, with the ``TenantId`` header) and revocation.

The client authenticates with HTTP Basic (client id and secret). Error bodies are read as JSON
whatever their content type: Fortnox answers ``invalid_grant`` as ``text/html``. A lost answer to
a token request is ``Ambiguous``: the refresh token may already have been used up.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote, urlencode

import httpx
from pydantic import BaseModel, Field

from sgx.fortnox.errors import classify
from sgx.fortnox.wire import decode_json

FORTNOX_OAUTH_BASE_URL = "https://apps.fortnox.se/oauth-v1"


class TokenResult(BaseModel):
    """What the token endpoint granted. Service accounts get no refresh token."""

    access_token: str
    refresh_token: str | None = None
    expires_in: int
    token_type: str | None = None
    scopes: list[str] = Field(default_factory=list)
    tenant_id: int | None = None  # from the access token's ``tenantId`` claim


def access_token_claims(token: str) -> dict[str, Any]:
    """The JWT payload, decoded without verifying: Fortnox publishes no key to verify with."""
    try:
        payload = token.split(".")[1]
        padded = payload + "=" * (-len(payload) % 4)
        claims = json.loads(base64.urlsafe_b64decode(padded))
    except (IndexError, ValueError, binascii.Error):
        return {}
    return claims if isinstance(claims, dict) else {}


def tenant_id_from_access_token(token: str) -> int | None:
    value = access_token_claims(token).get("tenantId")
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def read_token_response(data: Mapping[str, Any]) -> TokenResult:
    access_token = str(data["access_token"])
    return TokenResult(
        access_token=access_token,
        refresh_token=data.get("refresh_token") or None,
        expires_in=int(data.get("expires_in", 3600)),
        token_type=data.get("token_type"),
        scopes=str(data.get("scope") or "").split(),
        tenant_id=tenant_id_from_access_token(access_token),
    )


def authorization_url(
    *,
    base_url: str,
    client_id: str,
    scopes: Iterable[str],
    state: str,
    redirect_uri: str | None = None,
    service_account: bool = False,
) -> str:
    """Where to send the browser. Scopes are space-separated (``%20``), as Fortnox requires."""
    params = {"client_id": client_id}
    if redirect_uri:
        params["redirect_uri"] = redirect_uri
    params |= {
        "scope": " ".join(scopes),
        "state": state,
        "access_type": "offline",
        "response_type": "code",
    }
    if service_account:
        params["account_type"] = "service"
    return f"{base_url.rstrip('/')}/auth?{urlencode(params, quote_via=quote)}"


class FortnoxOAuth:
    """The OAuth side of one Fortnox application (client id and secret)."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        client_id: str,
        client_secret: str,
        redirect_uri: str | None = None,
        base_url: str = FORTNOX_OAUTH_BASE_URL,
    ) -> None:
        self._http = http
        self.client_id = client_id
        self._client_secret = client_secret
        self.redirect_uri = redirect_uri
        self.base_url = base_url.rstrip("/")

    def authorization_url(
        self, *, scopes: Iterable[str], state: str, service_account: bool = False
    ) -> str:
        return authorization_url(
            base_url=self.base_url,
            client_id=self.client_id,
            scopes=scopes,
            state=state,
            redirect_uri=self.redirect_uri,
            service_account=service_account,
        )

    async def exchange_code(self, code: str) -> TokenResult:
        form = {"grant_type": "authorization_code", "code": code}
        if self.redirect_uri:
            form["redirect_uri"] = self.redirect_uri
        return read_token_response(await self._post("token", form))

    async def refresh(self, refresh_token: str) -> TokenResult:
        """A new access token *and* a new refresh token; the old refresh token is spent."""
        form = {"grant_type": "refresh_token", "refresh_token": refresh_token}
        return read_token_response(await self._post("token", form))

    async def client_credentials(self, tenant_id: int | str) -> TokenResult:
        """An access token for a service account's company (no refresh token)."""
        form = {"grant_type": "client_credentials"}
        data = await self._post("token", form, headers={"TenantId": str(tenant_id)})
        return read_token_response(data)

    async def revoke(self, refresh_token: str) -> bool:
        form = {"token_type_hint": "refresh_token", "token": refresh_token}
        data = await self._post("revoke", form)
        return bool(data.get("revoked", True))

    async def _post(
        self, endpoint: str, form: Mapping[str, str], *, headers: Mapping[str, str] | None = None
    ) -> dict[str, Any]:
        try:
            response = await self._http.post(
                f"{self.base_url}/{endpoint}",
                data=dict(form),
                auth=httpx.BasicAuth(self.client_id, self._client_secret),
                headers={"Accept": "application/json", **(headers or {})},
            )
        except httpx.TransportError as exc:
            raise classify(status=None, body=None, method="POST", exception=exc) from exc
        if not response.is_success:
            raise classify(status=response.status_code, body=response.content, method="POST")
        try:
            data = decode_json(response.content)
        except ValueError as exc:
            raise classify(status=None, body=None, method="POST", exception=exc) from exc
        return data if isinstance(data, dict) else {}
