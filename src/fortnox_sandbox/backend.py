"""The sandbox's whole state: companies, registered OAuth clients, consents and tokens.

One ``SandboxBackend`` per sandbox app; ``reset()`` forgets everything. The OAuth module adds
authorization codes and refresh tokens on top of the consent/token primitives here.
"""

from __future__ import annotations

import datetime as dt
import itertools
import secrets
import uuid
from dataclasses import dataclass, field
from typing import Any

import jwt

from fortnox_sandbox.clock import SandboxClock
from fortnox_sandbox.errors import Unauthorized
from fortnox_sandbox.tenants import ALL_LICENCES, Company, SandboxUser

ACCESS_TOKEN_SECONDS = 3600
ALL_SCOPES = (
    "companyinformation",
    "customer",
    "article",
    "invoice",
    "bookkeeping",
    "payment",
    "settings",
)


@dataclass
class OAuthClient:
    client_id: str
    client_secret: str
    redirect_uris: list[str]
    scopes: list[str] = field(default_factory=lambda: list(ALL_SCOPES))
    service_accounts: bool = True


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


class SandboxBackend:
    def __init__(self, *, signing_key: str | None = None) -> None:
        self.clock = SandboxClock()
        self.signing_key = signing_key or secrets.token_hex(32)
        self.reset()

    def reset(self) -> None:
        self.clock.reset()
        self.companies: dict[int, Company] = {}
        self.clients: dict[str, OAuthClient] = {}
        self.consents: dict[str, Consent] = {}
        self._tenant_ids = itertools.count(1_000_001)
        self._user_ids = itertools.count(1)
        self.extensions: dict[str, Any] = {}  # per-module state (codes, refresh tokens, faults…)

    # ---- companies -------------------------------------------------------------------------

    def create_company(
        self,
        *,
        name: str,
        organisation_number: str,
        tenant_id: int | None = None,
        address: str = "",
        zip_code: str = "",
        city: str = "",
        licences: list[str] | None = None,
        users: list[dict[str, Any]] | None = None,
        seed: bool = True,
    ) -> Company:
        if tenant_id is None:
            tenant_id = next(self._tenant_ids)
            while tenant_id in self.companies:
                tenant_id = next(self._tenant_ids)
        if tenant_id in self.companies:
            raise ValueError(f"tenant {tenant_id} exists")
        company = Company(
            tenant_id=tenant_id,
            name=name,
            organisation_number=organisation_number,
            address=address,
            zip_code=zip_code,
            city=city,
            licences=set(licences if licences is not None else ALL_LICENCES),
        )
        for user in users or []:
            self.add_user(company, **user)
        if seed:
            from fortnox_sandbox.seed import seed_company

            seed_company(company, today=self.clock.today())
        self.companies[tenant_id] = company
        return company

    def add_user(
        self, company: Company, *, username: str, password: str, sysadmin: bool = False
    ) -> SandboxUser:
        user = SandboxUser(
            user_id=next(self._user_ids), username=username, password=password, sysadmin=sysadmin
        )
        company.users[username] = user
        return user

    def company(self, tenant_id: int) -> Company:
        return self.companies[tenant_id]

    # ---- clients, consents, access tokens --------------------------------------------------

    def register_client(self, client: OAuthClient) -> OAuthClient:
        self.clients[client.client_id] = client
        return client

    def create_consent(
        self,
        *,
        tenant_id: int,
        client_id: str,
        scopes: list[str],
        account_type: str,
        user_id: int,
    ) -> Consent:
        if account_type == "service":
            # At most one service account per (client, company): a new one replaces the old.
            for existing in self.consents.values():
                if (
                    existing.tenant_id == tenant_id
                    and existing.client_id == client_id
                    and existing.account_type == "service"
                    and not existing.revoked
                ):
                    existing.revoked = True
        consent = Consent(
            consent_id=str(uuid.uuid4()),
            tenant_id=tenant_id,
            client_id=client_id,
            scopes=list(scopes),
            account_type=account_type,
            user_id=user_id,
            created_at=self.clock.now(),
        )
        self.consents[consent.consent_id] = consent
        return consent

    def issue_access_token(self, consent: Consent) -> str:
        now = self.clock.now()
        claims = {
            "iss": "fortnox-sandbox",
            "jti": uuid.uuid4().hex,
            "tenantId": consent.tenant_id,
            "userId": consent.user_id,
            "clientId": consent.client_id,
            "scope": " ".join(consent.scopes),
            "consent": consent.consent_id,
            "iat": int(now.timestamp()),
            "exp": int(now.timestamp()) + ACCESS_TOKEN_SECONDS,
        }
        return jwt.encode(claims, self.signing_key, algorithm="HS256")

    def resolve_access_token(self, token: str) -> AccessContext:
        try:
            # Expiry is checked against the sandbox clock, not the wall clock.
            claims = jwt.decode(
                token, self.signing_key, algorithms=["HS256"], options={"verify_exp": False}
            )
        except jwt.PyJWTError as exc:
            raise Unauthorized() from exc
        if claims.get("exp", 0) <= self.clock.now().timestamp():
            raise Unauthorized()
        consent = self.consents.get(claims.get("consent", ""))
        company = self.companies.get(claims.get("tenantId", -1))
        if consent is None or consent.revoked or company is None:
            raise Unauthorized()
        return AccessContext(
            company=company,
            client_id=consent.client_id,
            scopes=str(claims.get("scope", "")).split(),
            user_id=int(claims.get("userId", 0)),
            consent=consent,
        )
