"""Connecting an issuer to Fortnox: the authorization request and the callback.

``begin_authorization`` records a single-use ``state`` bound to the issuer, the user and the
user's browser session (a random nonce kept in the signed session cookie; only digests are
stored), valid for ten minutes, and returns Fortnox's authorization URL with every scope SGX
needs. ``claim_state`` spends the state on the way back — unknown, reused, expired or foreign
states are refused. ``finish_connection`` exchanges the code and stores the tokens encrypted;
the caller commits, then runs the verification (``sgx.integration.verification``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from sgx.audit import service as audit
from sgx.errors import AppError
from sgx.fortnox import FortnoxError, TokenResult
from sgx.identity.models import IssuerRole, User
from sgx.identity.principal import Principal
from sgx.integration import credentials
from sgx.integration.errors import IntegrationDisabled
from sgx.integration.gateway import FortnoxGateway
from sgx.integration.models import AccountType, ConnectionState, FortnoxConnection, OAuthState
from sgx.integration.repository import lock_or_create_connection
from sgx.integration.scopes import REQUIRED_SCOPES
from sgx.issuers import service as issuers
from sgx.kit.clock import utcnow

STATE_LIFETIME = dt.timedelta(minutes=10)
SESSION_NONCE_KEY = "fortnox_oauth_nonce"
START_OVER = "Börja om från fakturautställarens Fortnox-sida."


class CallbackRefused(AppError):
    """Fortnox's redirect back cannot be accepted; nothing is stored."""

    def __init__(self, message: str, code: str, *, issuer_id: int | None = None) -> None:
        super().__init__(message=f"{message} Inget har sparats. {START_OVER}", code=code)
        self.issuer_id = issuer_id


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def new_session_nonce() -> str:
    return secrets.token_urlsafe(32)


async def begin_authorization(
    session: AsyncSession,
    gateway: FortnoxGateway,
    *,
    principal: Principal,
    issuer_id: int,
    account_type: AccountType,
    session_nonce: str,
) -> str:
    """Record a new state and return the Fortnox URL to send the browser to."""
    issuer = await issuers.get_issuer(
        session, principal=principal, issuer_id=issuer_id, needed=IssuerRole.ADMIN
    )
    if not issuer.fortnox_integration_enabled:
        raise IntegrationDisabled()
    now = utcnow()
    # States nobody came back with are kept a day for the record, then dropped.
    await session.execute(delete(OAuthState).where(OAuthState.expires_at < now - dt.timedelta(1)))
    state = secrets.token_urlsafe(32)
    session.add(
        OAuthState(
            state_digest=digest(state),
            issuer_id=issuer_id,
            user_id=principal.user_id,
            session_binding=digest(session_nonce),
            account_type=account_type,
            created_at=now,
            expires_at=now + STATE_LIFETIME,
        )
    )
    await audit.record(
        session,
        action="fortnox.connect_started",
        actor=principal.username,
        actor_user_id=principal.user_id,
        issuer_id=issuer_id,
        details={"account_type": account_type.value},
    )
    return gateway.oauth().authorization_url(
        scopes=REQUIRED_SCOPES, state=state, service_account=account_type is AccountType.SERVICE
    )


async def claim_state(
    session: AsyncSession, *, state: str, session_nonce: str | None, principal: Principal
) -> OAuthState:
    """Spend the state Fortnox sent back, or raise ``CallbackRefused``.

    A known state is marked used even when it is refused, so it can never be tried again; the
    caller commits before rendering the refusal.
    """
    row = None
    if state:
        row = await session.scalar(
            select(OAuthState).where(OAuthState.state_digest == digest(state)).with_for_update()
        )
    if row is None:
        raise CallbackRefused(
            "Svaret från Fortnox hör inte till någon påbörjad anslutning.", "oauth_state_unknown"
        )
    if row.used_at is not None:
        raise CallbackRefused(
            "Svaret från Fortnox har redan använts.", "oauth_state_used", issuer_id=row.issuer_id
        )
    row.used_at = utcnow()
    await session.flush()
    if row.expires_at <= row.used_at:
        raise CallbackRefused(
            "Anslutningen tog för lång tid (mer än 10 minuter).",
            "oauth_state_expired",
            issuer_id=row.issuer_id,
        )
    same_session = session_nonce is not None and hmac.compare_digest(
        row.session_binding, digest(session_nonce)
    )
    if not same_session or row.user_id != principal.user_id:
        raise CallbackRefused(
            "Svaret från Fortnox hör inte till din inloggning.",
            "oauth_state_foreign",
            issuer_id=row.issuer_id,
        )
    return row


async def record_refusal(
    session: AsyncSession, *, principal: Principal, issuer_id: int, reason: str
) -> None:
    await audit.record(
        session,
        action="fortnox.connect_failed",
        actor=principal.username,
        actor_user_id=principal.user_id,
        issuer_id=issuer_id,
        details={"reason": reason},
    )


async def finish_connection(
    session: AsyncSession,
    gateway: FortnoxGateway,
    *,
    claimed: OAuthState,
    code: str,
    principal: Principal,
) -> str | None:
    """Exchange the code and store the tokens; returns a refusal reason, or None when stored.

    Reasons: ``code_exchange`` (Fortnox refused the code) and ``other_company`` (the issuer is
    already linked to another Fortnox company; the new consent is revoked where possible).
    """
    issuer = await issuers.get_issuer(
        session, principal=principal, issuer_id=claimed.issuer_id, needed=IssuerRole.ADMIN
    )
    if not issuer.fortnox_integration_enabled:
        raise IntegrationDisabled()
    oauth = gateway.oauth()
    try:
        result = await oauth.exchange_code(code)
    except FortnoxError:
        await record_refusal(
            session, principal=principal, issuer_id=issuer.id, reason="code_exchange"
        )
        return "code_exchange"
    connection = await lock_or_create_connection(session, issuer_id=issuer.id)
    if _other_company(connection, result):
        if result.refresh_token:
            await revoke_quietly(gateway, result.refresh_token)
        await record_refusal(
            session, principal=principal, issuer_id=issuer.id, reason="other_company"
        )
        return "other_company"
    replaced = credentials.refresh_token_of(connection, box=gateway.box)
    user = await session.get(User, principal.user_id)
    _store_new_connection(
        connection,
        result,
        gateway=gateway,
        account_type=claimed.account_type,
        connected_by=(principal.user_id, (user.full_name if user else "") or principal.username),
    )
    await audit.record(
        session,
        action="fortnox.connected",
        actor=principal.username,
        actor_user_id=principal.user_id,
        issuer_id=issuer.id,
        subject=f"fortnox_connection:{connection.id}",
        details={
            "account_type": claimed.account_type.value,
            "tenant_id": result.tenant_id,
            "scopes": result.scopes,
        },
    )
    if replaced:
        await revoke_quietly(gateway, replaced)  # the previous consent's chain ends here
    return None


def _other_company(connection: FortnoxConnection, result: TokenResult) -> bool:
    return (
        connection.state is not ConnectionState.NOT_CONNECTED
        and connection.tenant_id is not None
        and result.tenant_id is not None
        and result.tenant_id != connection.tenant_id
    )


def _store_new_connection(
    connection: FortnoxConnection,
    result: TokenResult,
    *,
    gateway: FortnoxGateway,
    account_type: AccountType,
    connected_by: tuple[int, str],
) -> None:
    now = utcnow()
    if account_type is AccountType.SERVICE:
        # New access tokens come from the client-credentials grant: no refresh token to keep.
        result = result.model_copy(update={"refresh_token": None})
    credentials.clear_credentials(connection)
    credentials.store_grant(connection, result, box=gateway.box, now=now)
    connection.account_type = account_type
    connection.tenant_id = result.tenant_id
    connection.scopes = " ".join(result.scopes)[:400]
    connection.state = ConnectionState.UNVERIFIED
    connection.connected_by_user_id, connection.connected_by_name = connected_by
    connection.connected_at = now
    connection.organisation_mismatch_confirmed = False  # a new consent is confirmed anew
    connection.verification = {}
    connection.verified_at = None
    connection.last_error_code = ""
    connection.last_error_message = ""


async def revoke_quietly(gateway: FortnoxGateway, refresh_token: str) -> bool:
    try:
        return await gateway.oauth().revoke(refresh_token)
    except FortnoxError:
        return False
