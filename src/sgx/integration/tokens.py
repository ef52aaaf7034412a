"""Access tokens for one issuer's connection: renewed single-flight across processes and machines.

``ConnectionTokens`` is the ``token_provider`` handed to ``FortnoxClient``. It returns the stored
access token while it is valid. When it is not, it locks the connection row in a short
transaction (``SELECT … FOR UPDATE`` on PostgreSQL; ``BEGIN IMMEDIATE`` on SQLite), reads it
again — another process may have renewed meanwhile, and then its token is used — and only
otherwise asks Fortnox: a service account with the client-credentials grant and the tenant id
(there is no refresh token to lose), a personal account with its refresh token. The new tokens
are committed before the new access token is handed out, so a crash can never lose the only
valid refresh token.

``invalid_grant`` (revoked consent, used or expired refresh token) and a 401 to a token just
granted mean the connection is lost: the state becomes ``lost`` and ``ConnectionLost`` is
raised. ``refresh_if_older_than`` keeps quiet personal connections alive inside Fortnox's 45 days
(to be scheduled by the worker).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import TypeVar

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from sgx.audit import service as audit
from sgx.fortnox import FortnoxError, InvalidGrant, TokenResult, Unauthorized
from sgx.integration import credentials
from sgx.integration.errors import ConnectionLost, FortnoxClientRejected, NotConnected
from sgx.integration.gateway import FortnoxGateway
from sgx.integration.models import AccountType, ConnectionState, FortnoxConnection
from sgx.integration.repository import connection_of
from sgx.kit.clock import utcnow

log = structlog.get_logger(__name__)

T = TypeVar("T")
SessionFactory = async_sessionmaker[AsyncSession]

# States in which the stored tokens may be used (the checks after connecting need them too).
TOKEN_STATES = frozenset(
    {
        ConnectionState.CONNECTED,
        ConnectionState.UNVERIFIED,
        ConnectionState.LICENCE_MISSING,
        ConnectionState.PENDING_CONFIRMATION,
    }
)
# Keep a personal connection's refresh token younger than this; Fortnox's lifetime is 45 days.
PROACTIVE_REFRESH_AGE = dt.timedelta(days=30)

# Given the locked row, the access token to use without renewing (or None to renew).
Keep = Callable[[FortnoxConnection, dt.datetime], str | None]


def require_tokens(connection: FortnoxConnection | None) -> FortnoxConnection:
    if connection is not None and connection.state is ConnectionState.LOST:
        raise ConnectionLost()
    if connection is None or not credentials.has_credentials(connection):
        raise NotConnected()
    if connection.state not in TOKEN_STATES:
        raise NotConnected()
    return connection


async def mark_lost(session: AsyncSession, connection: FortnoxConnection, *, reason: str) -> None:
    """The consent is gone: stop using the tokens and say so on the issuer's page."""
    connection.state = ConnectionState.LOST
    connection.last_error_code = reason
    connection.last_error_message = ConnectionLost().message
    credentials.forget_access_token(connection)
    await audit.record(
        session,
        action="fortnox.connection_lost",
        actor="system",
        issuer_id=connection.issuer_id,
        subject=f"fortnox_connection:{connection.id}",
        details={"reason": reason, "account_type": str(connection.account_type or "")},
    )


class ConnectionTokens:
    """The token provider of one issuer's connection (``await tokens()`` → access token)."""

    def __init__(
        self, session_factory: SessionFactory, gateway: FortnoxGateway, *, issuer_id: int
    ) -> None:
        self._factory = session_factory
        self._gateway = gateway
        self.issuer_id = issuer_id
        self._last: str | None = None
        # Tokens this object received from Fortnox itself → how often each was handed out.
        self._granted: dict[str, int] = {}

    async def __call__(self) -> str:
        token = await self._stored_token()
        if token is None:
            token, _ = await self._renew_locked(self._keep_valid(rejected=None))
        if token in self._granted:
            self._granted[token] += 1
        self._last = token
        return token

    async def renew_after_rejection(self) -> None:
        """Fortnox answered 401 to the token last handed out: renew, or give up if it was new.

        New means granted here and refused on its first use. One that was used before has
        expired or been dropped by Fortnox since, sooner than SGX expected: renew it.
        """
        rejected = self._last
        if rejected is not None and rejected in self._granted and self._granted[rejected] <= 1:
            await self._lose(reason="fresh_token_rejected")
            raise ConnectionLost()
        self._last, _ = await self._renew_locked(self._keep_valid(rejected=rejected))

    async def refresh_if_issued_before(self, cutoff: dt.datetime) -> bool:
        """Renew a personal connection whose refresh token is older than ``cutoff``."""

        def keep(connection: FortnoxConnection, now: dt.datetime) -> str | None:
            issued = connection.refresh_token_issued_at
            if connection.account_type is not AccountType.PERSONAL or (
                issued is not None and issued >= cutoff
            ):
                return ""  # nothing to do: another process renewed, or nothing to renew
            return None

        _, renewed = await self._renew_locked(keep)
        return renewed

    async def call(self, operation: Callable[[], Awaitable[T]]) -> T:
        """Run a Fortnox call; a 401 renews the token once and tries again."""
        try:
            return await operation()
        except Unauthorized:
            await self.renew_after_rejection()
        try:
            return await operation()
        except Unauthorized:
            await self.renew_after_rejection()  # the token was just granted: lost
            raise

    # ---- inside -------------------------------------------------------------------------

    async def _stored_token(self) -> str | None:
        async with self._factory() as session:
            connection = require_tokens(await connection_of(session, issuer_id=self.issuer_id))
            return credentials.access_token_if_valid(
                connection, box=self._gateway.box, now=utcnow()
            )

    def _keep_valid(self, *, rejected: str | None) -> Keep:
        def keep(connection: FortnoxConnection, now: dt.datetime) -> str | None:
            token = credentials.access_token_if_valid(connection, box=self._gateway.box, now=now)
            return token if token is not None and token != rejected else None

        return keep

    async def _renew_locked(self, keep: Keep) -> tuple[str, bool]:
        """Under the row lock: the token ``keep`` accepts, else a new grant, committed first."""
        lost_reason: str | None = None
        async with self._factory() as session, session.begin():
            connection = require_tokens(
                await connection_of(session, issuer_id=self.issuer_id, for_update=True)
            )
            now = utcnow()
            kept = keep(connection, now)
            if kept is not None:
                return kept, False
            try:
                result = await self._grant(connection)
            except InvalidGrant:
                lost_reason = "invalid_grant"
                await mark_lost(session, connection, reason=lost_reason)
            else:
                credentials.store_grant(connection, result, box=self._gateway.box, now=now)
        if lost_reason is not None:
            raise ConnectionLost()
        # Committed: only now may the new access token be used.
        self._granted[result.access_token] = 0
        log.info("fortnox_token_renewed", issuer_id=self.issuer_id)
        return result.access_token, True

    async def _grant(self, connection: FortnoxConnection) -> TokenResult:
        oauth = self._gateway.oauth()
        try:
            if connection.account_type is AccountType.SERVICE:
                if connection.tenant_id is None:
                    raise NotConnected()
                return await oauth.client_credentials(connection.tenant_id)
            refresh_token = credentials.refresh_token_of(connection, box=self._gateway.box)
            if refresh_token is None:
                raise InvalidGrant("no refresh token stored", error="invalid_grant")
            return await oauth.refresh(refresh_token)
        except Unauthorized as exc:
            raise FortnoxClientRejected() from exc

    async def _lose(self, *, reason: str) -> None:
        async with self._factory() as session, session.begin():
            connection = await connection_of(session, issuer_id=self.issuer_id, for_update=True)
            if connection is not None and connection.state is not ConnectionState.LOST:
                await mark_lost(session, connection, reason=reason)


async def refresh_if_older_than(
    session_factory: SessionFactory,
    gateway: FortnoxGateway,
    *,
    age: dt.timedelta = PROACTIVE_REFRESH_AGE,
) -> list[int]:
    """Renew every personal connection whose refresh token is older than ``age``.

    Returns the issuers renewed. A lost connection is recorded as lost and skipped; a Fortnox
    outage skips that issuer until the next run.
    """
    cutoff = utcnow() - age
    async with session_factory() as session:
        issuer_ids = list(
            await session.scalars(
                select(FortnoxConnection.issuer_id).where(
                    FortnoxConnection.account_type == AccountType.PERSONAL,
                    FortnoxConnection.state.in_(TOKEN_STATES),
                    FortnoxConnection.refresh_token_encrypted.is_not(None),
                    FortnoxConnection.refresh_token_issued_at < cutoff,
                )
            )
        )
    renewed = []
    for issuer_id in issuer_ids:
        tokens = ConnectionTokens(session_factory, gateway, issuer_id=issuer_id)
        try:
            if await tokens.refresh_if_issued_before(cutoff):
                renewed.append(issuer_id)
        except ConnectionLost:
            continue
        except FortnoxError as exc:
            log.warning("fortnox_proactive_refresh_failed", issuer_id=issuer_id, error=str(exc))
    return renewed
