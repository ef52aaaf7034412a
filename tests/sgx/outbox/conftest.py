"""Fixtures for the queue tests: a session factory and issuers to queue work for."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from sgx.issuers.models import Issuer
from sgx.kit.db import create_session_factory
from tests.builders.identity import make_issuer


@pytest.fixture
def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_session_factory(engine)


@pytest.fixture
async def issuers(session: AsyncSession) -> list[Issuer]:
    made = [await make_issuer(session) for _ in range(3)]
    await session.commit()
    return made
