"""The Fortnox connection as a service: open a client for an issuer, confirm, disconnect.

For the sync engine::

    opened = await open_client(session_factory, gateway, issuer_id=issuer_id)
    invoice = await opened.call(lambda: opened.client.invoices.get("1001"))

``open_client`` raises a ``NoUsableConnection`` subclass (``IntegrationDisabled``,
``NotConnected``, ``ConnectionLost``, ``LicenceMissing``, ``NotVerified``) when the issuer's
transfers must wait; catch the base class and hold them. ``OpenedConnection.call`` runs one
Fortnox call and, on a 401, renews the access token once and tries again; a second 401 (or an
``invalid_grant`` while renewing) marks the connection lost and raises ``ConnectionLost``.
Every other ``FortnoxError`` reaches the caller unchanged (retrying is the engine's business).
The client's token provider renews single-flight across processes (``sgx.integration.tokens``).

For the pages: ``confirm_mismatch``, ``cancel_pending`` and ``disconnect`` (which revokes the
refresh token where there is one and deletes the stored credentials). Services never commit.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from sgx.audit import service as audit
from sgx.errors import Conflict
from sgx.fortnox import FortnoxClient
from sgx.identity.models import IssuerRole
from sgx.identity.principal import Principal
from sgx.integration import credentials
from sgx.integration.connect import revoke_quietly
from sgx.integration.errors import (
    ConnectionLost,
    IntegrationDisabled,
    LicenceMissing,
    NotConnected,
    NotVerified,
)
from sgx.integration.gateway import FortnoxGateway
from sgx.integration.models import AccountType, ConnectionState, FortnoxConnection
from sgx.integration.repository import connection_of
from sgx.integration.tokens import ConnectionTokens, SessionFactory
from sgx.issuers import service as issuers
from sgx.issuers.models import Issuer

T = TypeVar("T")


@dataclass(frozen=True)
class OpenedConnection:
    issuer_id: int
    tenant_id: int
    client: FortnoxClient
    tokens: ConnectionTokens

    async def call(self, operation: Callable[[], Awaitable[T]]) -> T:
        return await self.tokens.call(operation)


async def open_client(
    session_factory: SessionFactory, gateway: FortnoxGateway, *, issuer_id: int
) -> OpenedConnection:
    """A Fortnox client for the issuer's connection, or a ``NoUsableConnection`` error."""
    async with session_factory() as session:
        issuer = await session.get(Issuer, issuer_id)
        connection = await connection_of(session, issuer_id=issuer_id)
    if issuer is None or not issuer.fortnox_integration_enabled:
        raise IntegrationDisabled()
    tenant_id = require_usable(connection)
    tokens = ConnectionTokens(session_factory, gateway, issuer_id=issuer_id)
    client = gateway.client(tenant_id=tenant_id, token_provider=tokens)
    return OpenedConnection(issuer_id=issuer_id, tenant_id=tenant_id, client=client, tokens=tokens)


def require_usable(connection: FortnoxConnection | None) -> int:
    """The tenant id of a connection that may carry transfers, else the reason it may not."""
    if connection is not None and connection.state is ConnectionState.LOST:
        raise ConnectionLost()
    if connection is None or not credentials.has_credentials(connection):
        raise NotConnected()
    state = connection.state
    if state is ConnectionState.LICENCE_MISSING:
        raise LicenceMissing(connection.last_error_message or "Licens saknas i Fortnox.")
    if state is ConnectionState.PENDING_CONFIRMATION:
        raise NotVerified("Organisationsnumret i Fortnox skiljer sig och är inte bekräftat.")
    if state is ConnectionState.UNVERIFIED or connection.tenant_id is None:
        raise NotVerified("Anslutningen till Fortnox är inte kontrollerad ännu.")
    if state is not ConnectionState.CONNECTED:
        raise NotConnected()
    return connection.tenant_id


async def confirm_mismatch(session: AsyncSession, *, principal: Principal, issuer_id: int) -> None:
    """An Administratör accepts that the Fortnox company has another organisation number."""
    issuer = await issuers.get_issuer(
        session, principal=principal, issuer_id=issuer_id, needed=IssuerRole.ADMIN
    )
    connection = await connection_of(session, issuer_id=issuer_id, for_update=True)
    if connection is None or connection.state is not ConnectionState.PENDING_CONFIRMATION:
        raise Conflict(
            "Det finns ingen anslutning som väntar på bekräftelse.", code="nothing_to_confirm"
        )
    connection.organisation_mismatch_confirmed = True
    connection.state = ConnectionState.CONNECTED
    await audit.record(
        session,
        action="fortnox.organisation_mismatch_confirmed",
        actor=principal.username,
        actor_user_id=principal.user_id,
        issuer_id=issuer_id,
        subject=f"fortnox_connection:{connection.id}",
        details={
            "issuer_organisation_number": issuer.organisation_number,
            "fortnox_organisation_number": connection.company_organisation_number,
            "tenant_id": connection.tenant_id,
        },
    )


@dataclass(frozen=True)
class Disconnected:
    account_type: AccountType | None
    revoked: bool | None  # None: there was no refresh token to revoke


async def cancel_pending(
    session: AsyncSession, gateway: FortnoxGateway, *, principal: Principal, issuer_id: int
) -> Disconnected:
    """Refuse a connection whose organisation number differs: revoke and delete it."""
    await issuers.get_issuer(
        session, principal=principal, issuer_id=issuer_id, needed=IssuerRole.ADMIN
    )
    connection = await connection_of(session, issuer_id=issuer_id, for_update=True)
    if connection is None or connection.state is not ConnectionState.PENDING_CONFIRMATION:
        raise Conflict(
            "Det finns ingen anslutning som väntar på bekräftelse.", code="nothing_to_confirm"
        )
    return await _remove(
        session, gateway, connection, principal=principal, action="fortnox.connect_cancelled"
    )


async def disconnect(
    session: AsyncSession, gateway: FortnoxGateway, *, principal: Principal, issuer_id: int
) -> Disconnected:
    """ "Koppla från": revoke the refresh token where there is one, delete the credentials."""
    await issuers.get_issuer(
        session, principal=principal, issuer_id=issuer_id, needed=IssuerRole.ADMIN
    )
    connection = await connection_of(session, issuer_id=issuer_id, for_update=True)
    if connection is None or (
        connection.state is ConnectionState.NOT_CONNECTED
        and not credentials.has_credentials(connection)
    ):
        raise Conflict("Fakturautställaren är inte ansluten till Fortnox.", code="not_connected")
    return await _remove(
        session, gateway, connection, principal=principal, action="fortnox.disconnected"
    )


async def _remove(
    session: AsyncSession,
    gateway: FortnoxGateway,
    connection: FortnoxConnection,
    *,
    principal: Principal,
    action: str,
) -> Disconnected:
    refresh_token = credentials.refresh_token_of(connection, box=gateway.box)
    revoked = await revoke_quietly(gateway, refresh_token) if refresh_token else None
    outcome = Disconnected(account_type=connection.account_type, revoked=revoked)
    tenant_id = connection.tenant_id
    reset_connection(connection)
    await audit.record(
        session,
        action=action,
        actor=principal.username,
        actor_user_id=principal.user_id,
        issuer_id=connection.issuer_id,
        subject=f"fortnox_connection:{connection.id}",
        details={
            "account_type": str(outcome.account_type or ""),
            "tenant_id": tenant_id,
            "refresh_token_revoked": revoked,
        },
    )
    return outcome


def reset_connection(connection: FortnoxConnection) -> None:
    """Forget everything learned from Fortnox; the row stays for its history."""
    credentials.clear_credentials(connection)
    connection.state = ConnectionState.NOT_CONNECTED
    connection.account_type = None
    connection.tenant_id = None
    connection.company_name = ""
    connection.company_organisation_number = ""
    connection.scopes = ""
    connection.connected_by_user_id = None
    connection.connected_by_name = ""
    connection.connected_at = None
    connection.organisation_mismatch_confirmed = False
    connection.verified_at = None
    connection.verification = {}
    connection.last_error_code = ""
    connection.last_error_message = ""
