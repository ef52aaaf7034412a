"""Fortnox's OAuth2 endpoints: ``/oauth-v1/token``, ``/oauth-v1/revoke`` (and the browser pages).

The token endpoint authenticates the client with HTTP Basic (bad → 401 ``invalid_client`` served
as text/plain) and knows three grants: ``authorization_code`` (10 minutes, single use),
``refresh_token`` (single use, rotated; a used or expired one → 400 ``invalid_grant`` served as
text/html) and ``client_credentials`` with a ``TenantId`` header (service-account consents only,
no refresh token). Revoking a refresh token ends its chain. Rules live in the backend.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from fortnox_sandbox import authorize
from fortnox_sandbox.auth import backend_of
from fortnox_sandbox.backend import ACCESS_TOKEN_SECONDS, Consent, OAuthClient, SandboxBackend
from fortnox_sandbox.errors import OAuthError

router = APIRouter()
router.include_router(authorize.router)

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _invalid_client() -> OAuthError:
    return OAuthError(
        401,
        "invalid_client",
        "The client credentials are invalid",
        content_type="text/plain;charset=UTF-8",
    )


def authenticate_client(request: Request) -> OAuthClient:
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        raise _invalid_client()
    try:
        decoded = base64.b64decode(credentials.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise _invalid_client() from exc
    client_id, _, secret = decoded.partition(":")
    client = backend_of(request).authenticate_client(client_id, secret)
    if client is None:
        raise _invalid_client()
    request.state.client_id = client.client_id
    return client


def token_body(
    backend: SandboxBackend, consent: Consent, *, refresh_token: str | None
) -> dict[str, Any]:
    body: dict[str, Any] = {"access_token": backend.issue_access_token(consent)}
    if refresh_token is not None:
        body["refresh_token"] = refresh_token
    body["scope"] = " ".join(consent.scopes)
    body["expires_in"] = ACCESS_TOKEN_SECONDS
    body["token_type"] = "bearer"
    return body


def _client_credentials(request: Request, backend: SandboxBackend, client: OAuthClient) -> Consent:
    # The SDKs send the tenant as a header; Fortnox's page calls it "a parameter".
    tenant = request.headers.get("tenantid", "").strip()
    if not tenant.isdigit():
        raise OAuthError(400, "invalid_request", "Missing or invalid TenantId")
    if not client.service_accounts:
        raise OAuthError(400, "unauthorized_client", "Client does not allow service account")
    consent = backend.service_consent(tenant_id=int(tenant), client_id=client.client_id)
    if consent is None:
        # UNCONFIRMED body: only a service-account consent allows this grant.
        raise OAuthError(400, "invalid_grant", "No service account consent for the tenant")
    return consent


@router.post("/token")
async def token(request: Request) -> JSONResponse:
    backend = backend_of(request)
    client = authenticate_client(request)
    form = {key: str(value) for key, value in (await request.form()).items()}
    grant_type = form.get("grant_type", "")
    refresh_token: str | None = None
    if grant_type == "authorization_code":
        consent = backend.redeem_code(
            form.get("code", ""),
            client_id=client.client_id,
            redirect_uri=form.get("redirect_uri"),
        )
        refresh_token = backend.issue_refresh_token(consent)
    elif grant_type == "refresh_token":
        consent, refresh_token = backend.rotate_refresh_token(
            form.get("refresh_token", ""), client_id=client.client_id
        )
    elif grant_type == "client_credentials":
        consent = _client_credentials(request, backend, client)
    elif not grant_type:
        raise OAuthError(400, "invalid_request", "Missing grant_type")
    else:
        raise OAuthError(400, "unsupported_grant_type", f"Unsupported grant_type {grant_type}")
    request.state.tenant_id = consent.tenant_id
    body = token_body(backend, consent, refresh_token=refresh_token)
    return JSONResponse(body, headers=NO_STORE)


@router.post("/revoke")
async def revoke(request: Request) -> JSONResponse:
    """Ends the refresh token's chain; access tokens run out by themselves (Fortnox's rule)."""
    backend = backend_of(request)
    client = authenticate_client(request)
    form = await request.form()
    token_value = str(form.get("token", ""))
    stored = backend.refresh_tokens.get(token_value)
    if stored is not None and stored.client_id == client.client_id:
        request.state.tenant_id = backend.consents[stored.consent_id].tenant_id
    # Like RFC 7009, an unknown token is answered the same way: nothing to revoke.
    backend.revoke_refresh_token(token_value, client_id=client.client_id)
    return JSONResponse({"revoked": True}, headers=NO_STORE)
