"""The Alembic migrations build exactly the schema the models describe, on every backend."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

import sgx.models
from sgx.kit.db import create_engine
from sgx.kit.migrate import upgrade_database
from tests.conftest import BACKENDS, POSTGRES_URL, _with_database


def _differences(url: str) -> list[Any]:
    async def compare() -> list[Any]:
        engine = create_engine(url)
        async with engine.connect() as connection:

            def run(sync_connection: Any) -> list[Any]:
                context = MigrationContext.configure(sync_connection, opts={"compare_type": True})
                return list(compare_metadata(context, sgx.models.metadata))

            result = await connection.run_sync(run)
        await engine.dispose()
        return result

    return asyncio.run(compare())


@pytest.mark.parametrize("backend", BACKENDS)
def test_migrations_build_the_schema_the_models_describe(backend: str, tmp_path: Any) -> None:
    if backend == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'migrated.db'}"
        upgrade_database(url)
        assert _differences(url) == []
        return
    assert POSTGRES_URL is not None
    name = f"sgx_migrate_{uuid.uuid4().hex[:10]}"

    async def admin(statement: str) -> None:
        engine = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        async with engine.connect() as connection:
            await connection.execute(text(statement))
        await engine.dispose()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    try:
        url = _with_database(POSTGRES_URL, name)
        upgrade_database(url)
        assert _differences(url) == []
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
