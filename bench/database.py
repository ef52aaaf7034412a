"""The benchmark's own databases: a fresh PostgreSQL database ``sgx_bench_*`` (dropped after)
or a SQLite file in the run's work folder, with the schema built from the models."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from sgx.kit.db import create_engine, create_session_factory
from sgx.kit.migrate import upgrade_database_from_async

POSTGRES_ADMIN_URL = os.environ.get(
    "SGX_BENCH_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)


@dataclass
class Database:
    backend: str  # "postgres" or "sqlite"
    url: str
    engine: AsyncEngine
    factory: async_sessionmaker[AsyncSession]

    async def version(self) -> str:
        query = "SELECT version()" if self.backend == "postgres" else "SELECT sqlite_version()"
        async with self.engine.connect() as connection:
            value = await connection.scalar(text(query))
        return f"SQLite {value}" if self.backend == "sqlite" else str(value).split(" on ")[0]


async def _admin(statement: str) -> None:
    engine = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


def _with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path="/" + name))


@asynccontextmanager
async def fresh_database(backend: str, workdir: Path) -> AsyncIterator[Database]:
    """A new, empty database with the current schema; PostgreSQL's is dropped afterwards."""
    name = f"sgx_bench_{uuid.uuid4().hex[:10]}"
    if backend == "postgres":
        await _admin(f'CREATE DATABASE "{name}"')
        url = _with_database(POSTGRES_ADMIN_URL, name)
    else:
        url = f"sqlite+aiosqlite:///{workdir / (name + '.db')}"
    engine = create_engine(url)
    try:
        await upgrade_database_from_async(url)  # the schema as production gets it: migrations
        yield Database(backend, url, engine, create_session_factory(engine))
    finally:
        await engine.dispose()
        if backend == "postgres":
            await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
