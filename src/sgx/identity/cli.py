"""``sgx users``: create users, grant issuer roles and create API tokens from the shell."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from sgx.errors import AppError
from sgx.identity import service
from sgx.identity.models import IssuerRole
from sgx.kit.db import create_engine, create_session_factory
from sgx.settings import get_settings

T = TypeVar("T")

users_app = typer.Typer(help="Användare, roller och API-nycklar.", no_args_is_help=True)

CLI_ACTOR = "cli"


async def _unit_of_work(work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    engine = create_engine(get_settings().database_url)
    try:
        async with create_session_factory(engine)() as session:
            result = await work(session)
            await session.commit()
            return result
    finally:
        await engine.dispose()


def _run(work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run one unit of work; a domain error becomes its Swedish message and exit code 1."""
    try:
        return asyncio.run(_unit_of_work(work))
    except AppError as error:
        messages = [item.message for item in error.field_errors] or [error.message]
        for message in messages:
            typer.echo(f"Fel: {message}", err=True)
        raise typer.Exit(code=1) from None


def _read_password(password: str | None, password_stdin: bool) -> str:
    if password is not None and password_stdin:
        typer.echo("Fel: ange antingen --password eller --password-stdin.", err=True)
        raise typer.Exit(code=2)
    if password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if password is not None:
        return password
    entered: str = typer.prompt("Lösenord", hide_input=True, confirmation_prompt=True)
    return entered


@users_app.command("create")
def create(
    username: str = typer.Argument(..., help="Användarnamn."),
    password: str | None = typer.Option(None, help="Lösenord (syns i skalets historik)."),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Läs lösenordet från stdin."
    ),
    support: bool = typer.Option(False, "--support", help="Ge användaren rollen Support."),
    full_name: str = typer.Option("", "--full-name", help="Fullständigt namn."),
) -> None:
    """Skapa en användare (frågar efter lösenordet om inget anges)."""
    secret = _read_password(password, password_stdin)

    async def work(session: AsyncSession) -> int:
        user = await service.create_user(
            session,
            username=username,
            password=secret,
            full_name=full_name,
            is_support=support,
            actor=CLI_ACTOR,
        )
        return user.id

    user_id = _run(work)
    suffix = " med rollen Support" if support else ""
    typer.echo(f"Användaren {username} (id {user_id}) har skapats{suffix}.")


@users_app.command("grant")
def grant(
    username: str = typer.Argument(..., help="Användarnamn."),
    issuer: int = typer.Option(..., "--issuer", help="Fakturautställarens id."),
    role: IssuerRole = typer.Option(..., "--role", help="Roll på fakturautställaren."),
) -> None:
    """Ge en användare en roll på en fakturautställare (ersätter tidigare roll där)."""

    async def work(session: AsyncSession) -> None:
        user = await service.require_user(session, username=username)
        await service.grant_role(session, user=user, issuer_id=issuer, role=role, actor=CLI_ACTOR)

    _run(work)
    typer.echo(f"{username} har nu rollen {role.value} på fakturautställare {issuer}.")


@users_app.command("create-token")
def create_token(
    username: str = typer.Argument(..., help="Användarnamn."),
    name: str = typer.Option("", "--name", help="Vad nyckeln används till."),
) -> None:
    """Skapa en API-nyckel för JSON-API:t; den skrivs ut en gång och kan inte visas igen."""

    async def work(session: AsyncSession) -> str:
        user = await service.require_user(session, username=username)
        _, token = await service.create_api_token(session, user=user, name=name, actor=CLI_ACTOR)
        return token

    token = _run(work)
    typer.echo("API-nyckeln visas bara en gång. Spara den nu:", err=True)
    typer.echo(token)
