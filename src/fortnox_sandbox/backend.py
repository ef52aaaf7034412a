"""The sandbox's whole state: companies, OAuth clients, consents, codes, tokens, faults and log.

One ``SandboxBackend`` per sandbox app; ``reset()`` forgets everything. The OAuth rules that
need state (single-use codes, rotating refresh tokens, service-account consents) live here so
the routes in ``oauth`` only translate HTTP. All lifetimes follow the sandbox clock. With a
state file the durable part is snapshotted to SQLite (see ``persistence``).
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from pathlib import Path
from typing import Any

import jwt

from fortnox_sandbox.clock import SandboxClock
from fortnox_sandbox.errors import OAuthError, Unauthorized
from fortnox_sandbox.faults import FaultBook
from fortnox_sandbox.oauth_records import (
    ACCESS_TOKEN_SECONDS,
    ALL_SCOPES,
    AUTHORIZATION_CODE_SECONDS,
    INVALID_GRANT_CONTENT_TYPE,
    REFRESH_TOKEN_SECONDS,
    AccessContext,
    AuthorizationCode,
    Consent,
    OAuthClient,
    PendingAuthorization,
    RefreshToken,
)
from fortnox_sandbox.persistence import SnapshotStore
from fortnox_sandbox.ratelimit import RateLimiter
from fortnox_sandbox.requestlog import RequestLog
from fortnox_sandbox.tenants import ALL_LICENCES, Company, SandboxUser

__all__ = [
    "ACCESS_TOKEN_SECONDS",
    "ALL_SCOPES",
    "REFRESH_TOKEN_SECONDS",
    "AccessContext",
    "Consent",
    "OAuthClient",
    "PendingAuthorization",
    "SandboxBackend",
]


def _invalid_refresh_token() -> OAuthError:
    return OAuthError(
        400,
        "invalid_grant",
        "Invalid refresh token",
        content_type=INVALID_GRANT_CONTENT_TYPE,
    )


class SandboxBackend:
    def __init__(self, *, signing_key: str | None = None, state_file: str | None = None) -> None:
        self.clock = SandboxClock()
        self.signing_key = signing_key or secrets.token_hex(32)
        self.store = SnapshotStore(Path(state_file)) if state_file else None
        self.reset()
        if self.store is not None:
            state = self.store.load()
            if state is not None:
                self.restore_state(state)

    def reset(self) -> None:
        self.clock.reset()
        self.companies: dict[int, Company] = {}
        self.clients: dict[str, OAuthClient] = {}
        self.consents: dict[str, Consent] = {}
        self.codes: dict[str, AuthorizationCode] = {}
        self.refresh_tokens: dict[str, RefreshToken] = {}
        self.revoked_chains: set[str] = set()
        self.pending: dict[str, PendingAuthorization] = {}
        self.next_tenant_id = 1_000_001
        self.next_user_id = 1
        self.extensions: dict[str, Any] = {}  # per-module state of the REST resources
        # Transient: neither persisted nor part of Fortnox's data.
        self.faults = FaultBook()
        self.request_log = RequestLog()
        self.rate_limiter = RateLimiter()

    # ---- persistence -----------------------------------------------------------------------

    _DURABLE = (
        "signing_key",
        "companies",
        "clients",
        "consents",
        "codes",
        "refresh_tokens",
        "revoked_chains",
        "next_tenant_id",
        "next_user_id",
        "extensions",
    )

    def snapshot_state(self) -> dict[str, Any]:
        state = {name: getattr(self, name) for name in self._DURABLE}
        state["clock_offset"] = self.clock.offset
        return state

    def restore_state(self, state: dict[str, Any]) -> None:
        for name in self._DURABLE:
            if name in state:
                setattr(self, name, state[name])
        self.clock.offset = state.get("clock_offset", dt.timedelta())

    def save(self) -> None:
        """Write the durable state to the state file, if there is one."""
        if self.store is not None:
            self.store.save(self.snapshot_state())

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
        invoice_numbering: str = "lowest_free",
    ) -> Company:
        if tenant_id is None:
            while self.next_tenant_id in self.companies:
                self.next_tenant_id += 1
            tenant_id = self.next_tenant_id
            self.next_tenant_id += 1
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
            invoice_numbering=invoice_numbering,
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
            user_id=self.new_user_id(), username=username, password=password, sysadmin=sysadmin
        )
        company.users[username] = user
        return user

    def new_user_id(self) -> int:
        user_id = self.next_user_id
        self.next_user_id += 1
        return user_id

    def company(self, tenant_id: int) -> Company:
        return self.companies[tenant_id]

    def companies_of_login(self, username: str, password: str) -> list[Company]:
        """The companies where ``username`` exists with ``password`` (one login, many firms)."""
        found = []
        for company in self.companies.values():
            user = company.users.get(username)
            if user is not None and secrets.compare_digest(
                user.password.encode(), password.encode()
            ):
                found.append(company)
        return found

    # ---- clients, consents, access tokens --------------------------------------------------

    def register_client(self, client: OAuthClient) -> OAuthClient:
        self.clients[client.client_id] = client
        return client

    def authenticate_client(self, client_id: str, client_secret: str) -> OAuthClient | None:
        client = self.clients.get(client_id)
        if client is None or not secrets.compare_digest(
            client.client_secret.encode(), client_secret.encode()
        ):
            return None
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

    def service_consent(self, *, tenant_id: int, client_id: str) -> Consent | None:
        for consent in self.consents.values():
            if (
                consent.tenant_id == tenant_id
                and consent.client_id == client_id
                and consent.account_type == "service"
                and not consent.revoked
            ):
                return consent
        return None

    def revoke_consents(self, *, tenant_id: int, client_id: str) -> list[Consent]:
        """The customer removes the integration in Fortnox: every token of it stops working."""
        revoked = []
        for consent in self.consents.values():
            if consent.tenant_id == tenant_id and consent.client_id == client_id:
                if not consent.revoked:
                    consent.revoked = True
                    revoked.append(consent)
        return revoked

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
            # Times are checked against the sandbox clock, not the wall clock: a token granted
            # after the clock moved forward is "issued in the future" for the wall clock.
            claims = jwt.decode(
                token,
                self.signing_key,
                algorithms=["HS256"],
                options={"verify_exp": False, "verify_iat": False, "verify_nbf": False},
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

    # ---- authorization codes and refresh tokens --------------------------------------------

    def issue_code(self, consent: Consent, *, redirect_uri: str | None) -> str:
        code = str(uuid.uuid4())
        self.codes[code] = AuthorizationCode(
            code=code,
            client_id=consent.client_id,
            consent_id=consent.consent_id,
            redirect_uri=redirect_uri,
            expires_at=self.clock.now() + dt.timedelta(seconds=AUTHORIZATION_CODE_SECONDS),
        )
        return code

    def redeem_code(self, code: str, *, client_id: str, redirect_uri: str | None) -> Consent:
        """Exchange a code once; its redirect URI must be repeated exactly if it was sent."""
        stored = self.codes.get(code)
        invalid = OAuthError(
            400,
            "invalid_grant",
            "Invalid authorization code",
            content_type=INVALID_GRANT_CONTENT_TYPE,
        )
        if stored is None or stored.client_id != client_id:
            raise invalid
        if stored.redirect_uri is not None and redirect_uri != stored.redirect_uri:
            raise OAuthError(
                400,
                "redirect_uri_mismatch",
                "The redirect URI provided is missing or does not match",
            )
        if stored.used or stored.expires_at <= self.clock.now():
            raise invalid
        stored.used = True
        consent = self.consents.get(stored.consent_id)
        if consent is None or consent.revoked:
            raise invalid
        return consent

    def issue_refresh_token(self, consent: Consent, *, chain_id: str | None = None) -> str:
        token = str(uuid.uuid4())
        self.refresh_tokens[token] = RefreshToken(
            token=token,
            client_id=consent.client_id,
            consent_id=consent.consent_id,
            chain_id=chain_id or uuid.uuid4().hex,
            expires_at=self.clock.now() + dt.timedelta(seconds=REFRESH_TOKEN_SECONDS),
        )
        return token

    def rotate_refresh_token(self, token: str, *, client_id: str) -> tuple[Consent, str]:
        """Use a refresh token (single use) and hand out its successor in the same chain."""
        stored = self.refresh_tokens.get(token)
        if (
            stored is None
            or stored.client_id != client_id
            or stored.used
            or stored.chain_id in self.revoked_chains
            or stored.expires_at <= self.clock.now()
        ):
            raise _invalid_refresh_token()
        consent = self.consents.get(stored.consent_id)
        if consent is None or consent.revoked:
            raise _invalid_refresh_token()
        stored.used = True
        return consent, self.issue_refresh_token(consent, chain_id=stored.chain_id)

    def revoke_refresh_token(self, token: str, *, client_id: str) -> bool:
        stored = self.refresh_tokens.get(token)
        if stored is None or stored.client_id != client_id:
            return False
        self.revoked_chains.add(stored.chain_id)
        return True
