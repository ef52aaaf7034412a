"""FastAPI dependencies: the database session of the request and the calling principal.

The session is rolled back when the request fails; a handler that writes commits once, at its
end (services never commit). Pages know the caller from the session cookie; the JSON API only
from a bearer token.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sgx.errors import Unauthenticated
from sgx.identity.models import ApiToken, IssuerMembership, User
from sgx.identity.principal import Principal
from sgx.identity.tokens import digest_api_token
from sgx.kit.clock import utcnow
from sgx.web.sessions import SESSION_USER_KEY


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    factory = request.app.state.session_factory
    async with factory() as session:
        try:
            yield session
        except BaseException:
            await session.rollback()
            raise


DbSession = Annotated[AsyncSession, Depends(get_session)]


async def load_principal(session: AsyncSession, user: User) -> Principal:
    rows = await session.execute(
        select(IssuerMembership.issuer_id, IssuerMembership.role).where(
            IssuerMembership.user_id == user.id
        )
    )
    return Principal(
        user_id=user.id,
        username=user.username,
        is_support=user.is_support,
        roles={issuer_id: role for issuer_id, role in rows.all()},
    )


async def _user_from_bearer(session: AsyncSession, header: str) -> User | None:
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    api_token = await session.scalar(
        select(ApiToken).where(
            ApiToken.token_digest == digest_api_token(token.strip()), ApiToken.revoked_at.is_(None)
        )
    )
    if api_token is None:
        return None
    api_token.last_used_at = utcnow()
    return await session.get(User, api_token.user_id)


def accepts_session_login(request: Request) -> bool:
    """False on the JSON API: a browser attaches the cookie to a cross-site form post by
    itself, a bearer token never, so the API takes bearer tokens only (no CSRF to forge)."""
    return bool(getattr(request.app.state, "session_logins", True))


async def optional_principal(request: Request, session: DbSession) -> Principal | None:
    user: User | None = None
    header = request.headers.get("authorization")
    if header:
        user = await _user_from_bearer(session, header)
        if user is None:
            raise Unauthenticated("Ogiltig API-nyckel.", code="invalid_token")
    elif accepts_session_login(request) and "session" in request.scope:
        user_id = request.session.get(SESSION_USER_KEY)
        if isinstance(user_id, int):  # the session guard has dropped any other content
            user = await session.get(User, user_id)
    if user is None or not user.is_active:
        return None
    return await load_principal(session, user)


async def get_principal(
    principal: Annotated[Principal | None, Depends(optional_principal)],
) -> Principal:
    if principal is None:
        raise Unauthenticated()
    return principal


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]
