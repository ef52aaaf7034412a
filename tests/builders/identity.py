"""Builders for issuers, users, roles and API tokens."""

from __future__ import annotations

import itertools

from sqlalchemy.ext.asyncio import AsyncSession

from sgx.identity.models import ApiToken, IssuerMembership, IssuerRole, User
from sgx.identity.passwords import hash_password
from sgx.identity.tokens import digest_api_token, new_api_token
from sgx.issuers.models import Issuer
from sgx.kit.clock import utcnow

_sequence = itertools.count(1)

# Valid organisation numbers (Luhn) for test issuers.
ORGANISATION_NUMBERS = ["5560360793", "5565328274", "2021005489", "5567037485"]


async def make_issuer(
    session: AsyncSession,
    *,
    name: str | None = None,
    organisation_number: str | None = None,
    **fields: object,
) -> Issuer:
    number = next(_sequence)
    issuer = Issuer(
        name=name or f"Klinik {number}",
        organisation_number=organisation_number
        or ORGANISATION_NUMBERS[number % len(ORGANISATION_NUMBERS)],
        **fields,
    )
    session.add(issuer)
    await session.flush()
    return issuer


async def make_user(
    session: AsyncSession,
    *,
    username: str | None = None,
    password: str | None = None,
    password_hash: str = "not-a-real-hash",
    full_name: str = "",
    is_support: bool = False,
    is_active: bool = True,
    roles: dict[int, IssuerRole] | None = None,
) -> User:
    """A user; pass ``password`` to be able to log in (hashing takes a moment, so it is opt-in)."""
    user = User(
        username=username or f"user{next(_sequence)}",
        password_hash=hash_password(password) if password is not None else password_hash,
        full_name=full_name,
        is_support=is_support,
        is_active=is_active,
    )
    session.add(user)
    await session.flush()
    for issuer_id, role in (roles or {}).items():
        session.add(IssuerMembership(user_id=user.id, issuer_id=issuer_id, role=role))
    await session.flush()
    return user


async def make_api_token(session: AsyncSession, *, user: User, revoked: bool = False) -> str:
    token = new_api_token()
    session.add(
        ApiToken(
            user_id=user.id,
            name="test",
            token_digest=digest_api_token(token),
            revoked_at=utcnow() if revoked else None,
        )
    )
    await session.flush()
    return token


# The callers of a role matrix: each issuer role, Support, and a user without any role.
SUPPORT = "Support"
NO_ROLE = "ingen roll"
CALLER_KINDS: list[str] = [*(role.value for role in IssuerRole), SUPPORT, NO_ROLE]


async def make_caller(session: AsyncSession, *, kind: str, issuer_id: int) -> User:
    """A user of the given kind: an issuer role held on ``issuer_id``, Support, or no role."""
    if kind == SUPPORT:
        return await make_user(session, is_support=True)
    if kind == NO_ROLE:
        return await make_user(session)
    return await make_user(session, roles={issuer_id: IssuerRole(kind)})


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
