"""Builders for issuers, users, roles and API tokens."""

from __future__ import annotations

import itertools

from sqlalchemy.ext.asyncio import AsyncSession

from sgx.identity.models import ApiToken, IssuerMembership, IssuerRole, User
from sgx.identity.tokens import digest_api_token, new_api_token
from sgx.issuers.models import Issuer

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
    password_hash: str = "not-a-real-hash",
    is_support: bool = False,
    roles: dict[int, IssuerRole] | None = None,
) -> User:
    user = User(
        username=username or f"user{next(_sequence)}",
        password_hash=password_hash,
        is_support=is_support,
    )
    session.add(user)
    await session.flush()
    for issuer_id, role in (roles or {}).items():
        session.add(IssuerMembership(user_id=user.id, issuer_id=issuer_id, role=role))
    await session.flush()
    return user


async def make_api_token(session: AsyncSession, *, user: User) -> str:
    token = new_api_token()
    session.add(ApiToken(user_id=user.id, name="test", token_digest=digest_api_token(token)))
    await session.flush()
    return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
