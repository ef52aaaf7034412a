"""``sgx users``: create, grant and create-token against a real (temporary SQLite) database."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from typer.testing import CliRunner

import sgx.models
from sgx.audit.models import AuditEvent
from sgx.cli import app
from sgx.identity.models import ApiToken, IssuerMembership, IssuerRole, User
from sgx.identity.passwords import verify_password
from sgx.identity.tokens import digest_api_token
from sgx.issuers.models import Issuer
from sgx.kit.db import create_engine, create_session_factory
from sgx.settings import get_settings

runner = CliRunner()


@pytest.fixture
def cli_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"

    async def create_schema() -> None:
        engine = create_engine(url)
        async with engine.begin() as connection:
            await connection.run_sync(sgx.models.metadata.create_all)
        await engine.dispose()

    asyncio.run(create_schema())
    monkeypatch.setenv("SGX_DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def in_database(url: str, work: Callable[[AsyncSession], Awaitable[Any]]) -> Any:
    async def run() -> Any:
        engine = create_engine(url)
        try:
            async with create_session_factory(engine)() as session:
                result = await work(session)
                await session.commit()
                return result
        finally:
            await engine.dispose()

    return asyncio.run(run())


def add_issuer(url: str) -> int:
    async def work(session: AsyncSession) -> int:
        issuer = Issuer(name="Klinik", organisation_number="5560360793")
        session.add(issuer)
        await session.flush()
        return issuer.id

    result: int = in_database(url, work)
    return result


def find_user(url: str, username: str) -> User | None:
    async def work(session: AsyncSession) -> User | None:
        return await session.scalar(select(User).where(User.username == username))

    user: User | None = in_database(url, work)
    return user


def create_user(username: str, *extra: str) -> Any:
    return runner.invoke(app, ["users", "create", username, "--password", "hemligt-losen", *extra])


def test_create_user_stores_an_argon2_hash_of_the_password(cli_database: str) -> None:
    result = create_user("anna", "--full-name", "Anna Admin")

    assert result.exit_code == 0, result.output
    user = find_user(cli_database, "anna")
    assert user is not None and user.full_name == "Anna Admin" and not user.is_support
    assert user.password_hash.startswith("$argon2id$")
    assert verify_password(user.password_hash, "hemligt-losen")


def test_create_user_reads_the_password_from_stdin(cli_database: str) -> None:
    result = runner.invoke(
        app, ["users", "create", "bo", "--password-stdin"], input="frán-stdin-123\n"
    )

    assert result.exit_code == 0, result.output
    user = find_user(cli_database, "bo")
    assert user is not None and verify_password(user.password_hash, "frán-stdin-123")


def test_create_user_with_support_flag_makes_a_support_user(cli_database: str) -> None:
    result = create_user("sara", "--support")

    assert result.exit_code == 0, result.output
    user = find_user(cli_database, "sara")
    assert user is not None and user.is_support


def test_create_user_refuses_a_taken_username_in_swedish(cli_database: str) -> None:
    create_user("anna")

    result = create_user("anna")

    assert result.exit_code == 1
    assert "Användarnamnet är upptaget." in result.output


def test_create_user_refuses_a_short_password(cli_database: str) -> None:
    result = runner.invoke(app, ["users", "create", "kort", "--password", "kort"])

    assert result.exit_code == 1
    assert "minst 10 tecken" in result.output
    assert find_user(cli_database, "kort") is None


def test_grant_gives_the_user_a_role_on_the_issuer(cli_database: str) -> None:
    issuer_id = add_issuer(cli_database)
    create_user("anna")

    result = runner.invoke(
        app, ["users", "grant", "anna", "--issuer", str(issuer_id), "--role", "Fakturerare"]
    )

    assert result.exit_code == 0, result.output

    async def roles(session: AsyncSession) -> list[tuple[int, IssuerRole]]:
        rows = await session.execute(select(IssuerMembership.issuer_id, IssuerMembership.role))
        return [tuple(row) for row in rows.all()]  # type: ignore[misc]

    assert in_database(cli_database, roles) == [(issuer_id, IssuerRole.INVOICER)]


def test_grant_again_replaces_the_role_and_is_audited(cli_database: str) -> None:
    issuer_id = add_issuer(cli_database)
    create_user("anna")
    for role in ("Läsare", "Administratör"):
        runner.invoke(app, ["users", "grant", "anna", "--issuer", str(issuer_id), "--role", role])

    async def state(session: AsyncSession) -> tuple[list[IssuerRole], list[str]]:
        roles = (await session.scalars(select(IssuerMembership.role))).all()
        actions = (
            await session.scalars(
                select(AuditEvent.action).where(AuditEvent.issuer_id == issuer_id)
            )
        ).all()
        return list(roles), list(actions)

    roles, actions = in_database(cli_database, state)
    assert roles == [IssuerRole.ADMIN]
    assert actions == ["identity.role_granted", "identity.role_granted"]


def test_grant_refuses_an_unknown_role(cli_database: str) -> None:
    issuer_id = add_issuer(cli_database)
    create_user("anna")

    result = runner.invoke(
        app, ["users", "grant", "anna", "--issuer", str(issuer_id), "--role", "Chef"]
    )

    assert result.exit_code == 2


def test_grant_on_an_unknown_issuer_fails_in_swedish(cli_database: str) -> None:
    create_user("anna")

    result = runner.invoke(app, ["users", "grant", "anna", "--issuer", "999", "--role", "Läsare"])

    assert result.exit_code == 1
    assert "Fakturautställaren finns inte." in result.output


def test_grant_to_an_unknown_user_fails_in_swedish(cli_database: str) -> None:
    issuer_id = add_issuer(cli_database)

    result = runner.invoke(
        app, ["users", "grant", "nobody", "--issuer", str(issuer_id), "--role", "Läsare"]
    )

    assert result.exit_code == 1
    assert "Användaren nobody finns inte." in result.output


def test_create_token_prints_the_token_once_and_stores_only_its_digest(cli_database: str) -> None:
    create_user("robot")

    result = runner.invoke(app, ["users", "create-token", "robot", "--name", "kassasystem"])

    assert result.exit_code == 0, result.output
    token = result.stdout.strip().splitlines()[-1]
    assert token.startswith("sgx_")

    async def stored(session: AsyncSession) -> list[tuple[str, str]]:
        rows = await session.execute(select(ApiToken.name, ApiToken.token_digest))
        return [tuple(row) for row in rows.all()]  # type: ignore[misc]

    assert in_database(cli_database, stored) == [("kassasystem", digest_api_token(token))]
