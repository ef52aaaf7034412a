"""The connection's tokens at rest: always encrypted with the ``SecretBox``, never in plaintext.

Pure helpers over a ``FortnoxConnection`` row (no I/O besides ``reencrypt_credentials``): store
what the token endpoint granted, read back a still-valid access token or the refresh token,
forget everything. ``token_version`` is bumped on every change so that a process holding an
older copy can tell another one has renewed meanwhile.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from sgx.fortnox import TokenResult
from sgx.integration.models import FortnoxConnection
from sgx.kit.crypto import SecretBox

# Renew a little before Fortnox's expiry: a token that dies in flight costs a retry.
RENEW_BEFORE_EXPIRY = dt.timedelta(minutes=5)


def store_grant(
    connection: FortnoxConnection, result: TokenResult, *, box: SecretBox, now: dt.datetime
) -> None:
    connection.access_token_encrypted = box.encrypt(result.access_token)
    connection.access_token_expires_at = now + dt.timedelta(seconds=result.expires_in)
    if result.refresh_token:
        # Refresh tokens rotate: the old one is spent the moment Fortnox answered.
        connection.refresh_token_encrypted = box.encrypt(result.refresh_token)
        connection.refresh_token_issued_at = now
    connection.token_version += 1


def access_token_if_valid(
    connection: FortnoxConnection,
    *,
    box: SecretBox,
    now: dt.datetime,
    margin: dt.timedelta = RENEW_BEFORE_EXPIRY,
) -> str | None:
    """The stored access token unless it is missing or about to expire."""
    expires_at = connection.access_token_expires_at
    if not connection.access_token_encrypted or expires_at is None or expires_at - margin <= now:
        return None
    return box.decrypt(connection.access_token_encrypted)


def refresh_token_of(connection: FortnoxConnection, *, box: SecretBox) -> str | None:
    if not connection.refresh_token_encrypted:
        return None
    return box.decrypt(connection.refresh_token_encrypted)


def forget_access_token(connection: FortnoxConnection) -> None:
    connection.access_token_encrypted = None
    connection.access_token_expires_at = None
    connection.token_version += 1


def clear_credentials(connection: FortnoxConnection) -> None:
    connection.access_token_encrypted = None
    connection.access_token_expires_at = None
    connection.refresh_token_encrypted = None
    connection.refresh_token_issued_at = None
    connection.token_version += 1


def has_credentials(connection: FortnoxConnection | None) -> bool:
    return connection is not None and bool(
        connection.access_token_encrypted or connection.refresh_token_encrypted
    )


async def reencrypt_credentials(session: AsyncSession, *, box: SecretBox) -> int:
    """Re-encrypt every stored token with the box's first key; returns the connections touched.

    After a new key is put first in ``SGX_ENCRYPTION_KEYS``, run this, then drop the old key.
    """
    rows = await session.scalars(
        select(FortnoxConnection)
        .where(
            or_(
                FortnoxConnection.access_token_encrypted.is_not(None),
                FortnoxConnection.refresh_token_encrypted.is_not(None),
            )
        )
        .with_for_update()
    )
    count = 0
    for connection in rows:
        if connection.access_token_encrypted:
            connection.access_token_encrypted = box.rotate(connection.access_token_encrypted)
        if connection.refresh_token_encrypted:
            connection.refresh_token_encrypted = box.rotate(connection.refresh_token_encrypted)
        count += 1
    await session.flush()
    return count
