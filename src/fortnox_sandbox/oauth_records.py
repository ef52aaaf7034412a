"""The sandbox's OAuth records: registered clients, consents, codes, refresh tokens, lifetimes.

Plain data; the rules that create and spend them live in ``backend.SandboxBackend``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from fortnox_sandbox.tenants import Company

ACCESS_TOKEN_SECONDS = 3600
REFRESH_TOKEN_SECONDS = 45 * 24 * 3600
AUTHORIZATION_CODE_SECONDS = 600
ALL_SCOPES = (
    "companyinformation",
    "customer",
    "article",
    "invoice",
    "bookkeeping",
    "payment",
    "settings",
)
# Fortnox serves this JSON body as text/html (OBSERVED).
INVALID_GRANT_CONTENT_TYPE = "text/html; charset=UTF-8"


@dataclass
class OAuthClient:
    client_id: str
    client_secret: str
    redirect_uris: list[str]
    scopes: list[str] = field(default_factory=lambda: list(ALL_SCOPES))
    service_accounts: bool = True

    def public_view(self) -> dict[str, Any]:
        return {
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "redirect_uris": list(self.redirect_uris),
            "scopes": list(self.scopes),
            "service_accounts": self.service_accounts,
        }


@dataclass
class Consent:
    """A company's approval of a client for some scopes; a service account is one of these."""

    consent_id: str
    tenant_id: int
    client_id: str
    scopes: list[str]
    account_type: str  # "personal" | "service"
    user_id: int
    created_at: dt.datetime
    revoked: bool = False


@dataclass
class AccessContext:
    """What a valid bearer token grants: the company, the client and the token's scopes."""

    company: Company
    client_id: str
    scopes: list[str]
    user_id: int
    consent: Consent


@dataclass
class AuthorizationCode:
    code: str
    client_id: str
    consent_id: str
    # The redirect URI sent on the authorize request, if any: the exchange must repeat it.
    redirect_uri: str | None
    expires_at: dt.datetime
    used: bool = False


@dataclass
class RefreshToken:
    token: str
    client_id: str
    consent_id: str
    chain_id: str  # every rotation of one grant shares the chain; revoke kills the chain
    expires_at: dt.datetime
    used: bool = False


@dataclass
class PendingAuthorization:
    """An authorize request between the redirect to the login page and the consent answer."""

    request_id: str
    client_id: str
    redirect_uri: str
    redirect_uri_given: bool
    scopes: list[str]
    state: str
    account_type: str
    tenant_candidates: list[int] = field(default_factory=list)
    username: str | None = None
    tenant_id: int | None = None
