"""The ``sgx`` command line (Typer)."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import typer
from pydantic import ValidationError

from sgx.chaos.cli import chaos
from sgx.demo import demo
from sgx.identity.cli import users_app
from sgx.integration.cli import sync_app
from sgx.kit.logs import configure_logging
from sgx.settings import get_settings

app = typer.Typer(help="SGX Fakturering med Fortnox-integration.", no_args_is_help=True)
db_app = typer.Typer(help="Databasen.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(sync_app, name="sync")
app.command("demo")(demo)
app.command("chaos")(chaos)


def _is_production() -> bool:
    """Production as configured, even when the rest of the configuration is incomplete."""
    try:
        return get_settings().environment == "production"
    except ValidationError:
        return os.environ.get("SGX_ENVIRONMENT", "").strip().lower() == "production"


@app.callback()
def _configure_process() -> None:
    """Every command (serve, worker, the others) logs through one redacting configuration."""
    try:
        level = get_settings().log_level
    except ValidationError:
        level = "INFO"  # the command itself reports the bad configuration
    configure_logging(json_lines=_is_production(), level=level)


def _ensure_sqlite_directory(database_url: str) -> None:
    if database_url.startswith("sqlite") and ":///" in database_url:
        path = database_url.split(":///", 1)[1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Migrate the database to the newest schema."""
    from sgx.kit.migrate import upgrade_database

    settings = get_settings()
    _ensure_sqlite_directory(settings.database_url)
    upgrade_database(settings.database_url, revision)
    typer.echo("Databasen är uppdaterad.")


@app.command()
def serve(
    host: str = typer.Option(None, help="Adress (standard SGX_HOST)."),
    port: int = typer.Option(None, help="Port (standard SGX_PORT)."),
) -> None:
    """Serve the web application (and, in embedded mode, the Fortnox sandbox)."""
    import uvicorn

    if host:
        os.environ["SGX_HOST"] = host
    if port:
        os.environ["SGX_PORT"] = str(port)
    get_settings.cache_clear()
    settings = get_settings()
    from sgx.app import create_app

    typer.echo(f"SGX Fakturering: {settings.base_url}/")
    if settings.fortnox_sandbox:
        typer.echo(f"Fortnox (sandlåda): {settings.fortnox_api_url}/_sandbox/ui")
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level.lower(),
        log_config=None,  # uvicorn's loggers go through the configuration made at start-up
    )


@app.command()
def worker(
    concurrency: int = typer.Option(
        4, min=1, help="Antal fakturautställare som betjänas samtidigt."
    ),
    lease_seconds: float = typer.Option(
        30.0, min=1.0, help="Sekunder innan en stoppad arbetares utställare tas över."
    ),
) -> None:
    """Run the sync engine as its own process (stops gracefully on SIGTERM/SIGINT)."""
    from sgx.integration.worker import run_worker

    settings = get_settings()
    asyncio.run(run_worker(settings, concurrency=concurrency, lease_seconds=lease_seconds))


@app.command()
def sandbox(
    host: str = typer.Option("127.0.0.1", help="Adress."),
    port: int = typer.Option(8090, help="Port."),
    control: bool = typer.Option(False, "--control", help="Slå på kontrollytan /_sandbox/."),
    state_file: str = typer.Option("", help="SQLite-fil för sandlådans tillstånd."),
    client_id: str = typer.Option("", help="Registrera en OAuth-klient med detta id."),
    client_secret: str = typer.Option("", help="Klientens hemlighet."),
    redirect_uri: list[str] = typer.Option([], help="Klientens redirect-URI."),
) -> None:
    """Run the Fortnox sandbox as its own server."""
    from fortnox_sandbox.__main__ import serve as serve_sandbox

    serve_sandbox(
        host=host,
        port=port,
        control=control,
        state_file=state_file or None,
        client_id=client_id or None,
        client_secret=client_secret or None,
        redirect_uris=redirect_uri,
    )


@app.command("seed-demo")
def seed_demo(
    if_empty: bool = typer.Option(False, "--if-empty", help="Gör inget om det redan finns data."),
) -> None:
    """Create the demo issuer, users, articles, patients and companies."""
    from sgx.demo_data import DEMO_LOGINS

    if _is_production():
        # The demo logins are published (README, this command's output): never in production.
        typer.echo(
            "Demodata kan inte skapas i produktion (SGX_ENVIRONMENT=production): "
            "demoinloggningarna är offentliga.",
            err=True,
        )
        raise typer.Exit(code=2)

    created = asyncio.run(_seed_demo(if_empty=if_empty))
    typer.echo("Demodata skapad." if created else "Databasen har redan data; inget skapades.")
    typer.echo("Demo-inloggningar (användarnamn / lösenord / roll):")
    for login in DEMO_LOGINS:
        typer.echo(f"  {login.username} / {login.password} / {login.role}")


async def _seed_demo(*, if_empty: bool) -> bool:
    from sgx.demo_data import database_is_empty
    from sgx.demo_data import seed_demo as write_demo
    from sgx.kit.db import create_engine, create_session_factory

    engine = create_engine(get_settings().database_url)
    try:
        async with create_session_factory(engine)() as session:
            if if_empty and not await database_is_empty(session):
                return False
            await write_demo(session)
            await session.commit()
            return True
    finally:
        await engine.dispose()


if __name__ == "__main__":
    app()
