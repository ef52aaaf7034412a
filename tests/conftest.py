"""Shared fixtures: a real database (SQLite, and PostgreSQL when reachable), the app, the sandbox.

Every test that touches the database runs once per backend. The schema is built from the models
here (tests only); a separate test checks that the Alembic migrations produce the same schema.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

import sgx.models
from fortnox_sandbox.app import create_app as create_sandbox_app
from fortnox_sandbox.backend import SandboxBackend
from sgx.app import create_app
from sgx.kit.db import create_engine, create_session_factory
from sgx.settings import Settings

DEFAULT_POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
PROBE_SECONDS = 5.0


async def _answers(url: str) -> None:
    engine = create_engine(url)
    try:
        async with asyncio.timeout(PROBE_SECONDS), engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    finally:
        await engine.dispose()


def find_postgres() -> tuple[str | None, str]:
    """The admin URL of a PostgreSQL that answers, or None and why not (host and port only:
    the URL may carry a password)."""
    url = os.environ.get("SGX_TEST_POSTGRES_URL") or DEFAULT_POSTGRES_URL
    parts = urlsplit(url)
    where = f"{parts.hostname}:{parts.port or 5432}"
    try:
        asyncio.run(_answers(url))
    except Exception as error:  # whatever the cause, the variants cannot run: say which
        return None, f"PostgreSQL at {where} did not answer ({type(error).__name__})"
    return url, ""


def running_in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


POSTGRES_URL, POSTGRES_MISSING = find_postgres()
BACKENDS = ["sqlite", "postgres"] if POSTGRES_URL else ["sqlite"]
_POSTGRES_ONLY_DROPPED = pytest.StashKey[int]()


def pytest_configure(config: pytest.Config) -> None:
    """In CI a missing PostgreSQL is an error, never a quietly smaller run."""
    if POSTGRES_URL is None and running_in_ci():
        raise pytest.UsageError(
            f"{POSTGRES_MISSING}; CI runs every test on PostgreSQL too. Start it or point "
            "SGX_TEST_POSTGRES_URL at one that answers."
        )
    config.stash[_POSTGRES_ONLY_DROPPED] = 0


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Locally, one line says which database variants did not run and why."""
    if POSTGRES_URL is not None:
        return
    dropped = terminalreporter.config.stash.get(_POSTGRES_ONLY_DROPPED, 0)
    terminalreporter.write_line(
        f"database variants not run: postgres ({POSTGRES_MISSING}): the PostgreSQL variant of "
        f"every database test and {dropped} PostgreSQL-only tests; set SGX_TEST_POSTGRES_URL",
        yellow=True,
        bold=True,
    )


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Concurrency tests need PostgreSQL: drop their SQLite variants instead of skipping them."""
    keep, drop = [], []
    for item in items:
        callspec = getattr(item, "callspec", None)
        backend = callspec.params.get("database_url") if callspec else None
        if item.get_closest_marker("postgres_only") and backend != "postgres":
            drop.append(item)
        else:
            keep.append(item)
    config.stash[_POSTGRES_ONLY_DROPPED] = len(drop)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


async def _create_schema(url: str) -> None:
    engine = create_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(sgx.models.metadata.create_all)
    await engine.dispose()


async def _admin(url: str, statement: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    async with engine.connect() as connection:
        await connection.execute(text(statement))
    await engine.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'sgx.db'}"
        asyncio.run(_create_schema(url))
        yield url
        return
    assert POSTGRES_URL is not None
    name = f"sgx_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(POSTGRES_URL, f'CREATE DATABASE "{name}"'))
    url = _with_database(POSTGRES_URL, name)
    asyncio.run(_create_schema(url))
    yield url
    asyncio.run(_admin(POSTGRES_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _empty_all_tables(engine: AsyncEngine) -> None:
    tables = list(reversed(sgx.models.metadata.sorted_tables))
    async with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{table.name}"' for table in tables)
            await connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                await connection.execute(table.delete())


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    yield engine
    await _empty_all_tables(engine)
    await engine.dispose()


@pytest.fixture
async def session(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    """A session for arranging and asserting; commit what the app must see."""
    async with create_session_factory(engine)() as session:
        yield session


@pytest.fixture
def sandbox_backend() -> SandboxBackend:
    return SandboxBackend()


@pytest.fixture
def sandbox_app(sandbox_backend: SandboxBackend):  # type: ignore[no-untyped-def]
    return create_sandbox_app(sandbox_backend, control=True)


@pytest.fixture
async def sandbox_client(sandbox_app) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    transport = httpx.ASGITransport(app=sandbox_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://fortnox.test") as client:
        yield client


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        environment="test",
        database_url=database_url,
        fortnox_sandbox=True,
        public_url="http://testserver",
    )


@pytest.fixture
def app(settings: Settings, engine: AsyncEngine, sandbox_app):  # type: ignore[no-untyped-def]
    return create_app(settings, engine=engine, sandbox_app=sandbox_app)


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client
