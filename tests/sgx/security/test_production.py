"""Production refuses what is only safe in development: demo logins, public keys and clients."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from pydantic import ValidationError
from sqlalchemy import func, select
from typer.testing import CliRunner

import sgx.models
from sgx.cli import app
from sgx.identity.models import User
from sgx.kit.db import create_engine, create_session_factory
from sgx.settings import DEVELOPMENT_SECRET_KEY, Settings, get_settings

runner = CliRunner()

PRODUCTION: dict[str, Any] = {
    "environment": "production",
    "database_url": "postgresql+asyncpg://db.example/sgx",
    "secret_key": "s" * 48,
    "encryption_keys": Fernet.generate_key().decode(),
    "fortnox_sandbox": False,
    "fortnox_client_id": "production-client",
    "fortnox_client_secret": "production-secret",
}


def test_a_complete_production_configuration_is_accepted() -> None:
    assert Settings(**PRODUCTION).environment == "production"


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"secret_key": ""}, "SGX_SECRET_KEY"),
        ({"secret_key": DEVELOPMENT_SECRET_KEY}, "SGX_SECRET_KEY"),
        ({"secret_key": "short-but-not-empty"}, "SGX_SECRET_KEY"),
        ({"fortnox_client_id": "sgx-sandbox-client"}, "SGX_FORTNOX_CLIENT_ID"),
        ({"fortnox_client_secret": "sgx-sandbox-secret"}, "SGX_FORTNOX_CLIENT_SECRET"),
        ({"fortnox_sandbox": True}, "sandbox"),
    ],
    ids=["no-key", "old-public-key", "short-key", "sandbox-client", "sandbox-secret", "sandbox"],
)
def test_production_refuses_development_defaults(change: dict[str, Any], named: str) -> None:
    with pytest.raises(ValidationError, match=named):
        Settings(**{**PRODUCTION, **change})


def test_development_needs_no_configured_secret() -> None:
    assert Settings(environment="development").secret_key == ""


@pytest.fixture
def production_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'sgx.db'}"

    async def create_schema() -> None:
        engine = create_engine(url)
        async with engine.begin() as connection:
            await connection.run_sync(sgx.models.metadata.create_all)
        await engine.dispose()

    asyncio.run(create_schema())
    for name, value in {**PRODUCTION, "database_url": url}.items():
        monkeypatch.setenv(f"SGX_{name.upper()}", str(value).lower() if value is False else value)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def count_users(url: str) -> int:
    async def count() -> int:
        engine = create_engine(url)
        try:
            async with create_session_factory(engine)() as session:
                return int(await session.scalar(select(func.count()).select_from(User)) or 0)
        finally:
            await engine.dispose()

    return asyncio.run(count())


def test_seed_demo_is_refused_in_production_and_creates_no_login(
    production_database: str,
) -> None:
    result = runner.invoke(app, ["seed-demo"])

    assert result.exit_code == 2
    assert "produktion" in result.output
    assert "support-demo" not in result.output
    assert count_users(production_database) == 0


def test_seed_demo_still_works_in_development(
    production_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SGX_ENVIRONMENT", "development")
    get_settings.cache_clear()

    result = runner.invoke(app, ["seed-demo"])

    assert result.exit_code == 0, result.output
    assert count_users(production_database) > 0


def test_seed_demo_is_refused_in_production_even_with_an_incomplete_configuration(
    production_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SGX_SECRET_KEY")
    get_settings.cache_clear()

    result = runner.invoke(app, ["seed-demo"])

    assert result.exit_code == 2
    assert "produktion" in result.output
    assert count_users(production_database) == 0
