"""``sgx chaos [--size quick|full]``: run the chaos suite; exit 1 on any violation.

Needs PostgreSQL (``--postgres-url``, an account that may create databases; the run makes its
own ``sgx_chaos_*`` database and drops it). Everything else it starts itself on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import os
import signal
import tempfile
from pathlib import Path

import typer

from sgx.chaos.config import SIZES

DEFAULT_POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"


def default_postgres_url() -> str:
    return (
        os.environ.get("SGX_CHAOS_POSTGRES_URL")
        or os.environ.get("SGX_TEST_POSTGRES_URL")
        or DEFAULT_POSTGRES_URL
    )


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def chaos(
    size: str = typer.Option("quick", help="quick (≈1–2 min) eller full (timmar i värsta fall)."),
    postgres_url: str = typer.Option("", help="PostgreSQL-anslutning som får skapa databaser."),
    seed: int | None = typer.Option(None, help="Slumpfrö (standard: storlekens)."),
    invoices: int | None = typer.Option(None, help="Antal fakturor (ersätter storlekens)."),
    issuers: int | None = typer.Option(None, help="Antal fakturautställare."),
    workers: int | None = typer.Option(None, help="Antal arbetarprocesser."),
    log_directory: str = typer.Option("", help="Katalog för loggar (standard: en ny tillfällig)."),
    keep_database: bool = typer.Option(False, help="Behåll databasen efteråt."),
    remainder_credits: bool = typer.Option(
        True,
        "--remainder-credits/--no-remainder-credits",
        help="Fler krediteringar efter en delkreditering, den sista av resten.",
    ),
) -> None:
    """Chaos run: faults, expiring tokens, a revoked consent, a lost licence and killed workers;
    then every SGX invoice and credit must be in Fortnox exactly once."""
    if size not in SIZES:
        raise typer.BadParameter(f"okänd storlek {size!r}; välj {', '.join(SIZES)}")
    config = SIZES[size].with_overrides(
        seed=seed,
        invoices=invoices,
        issuers=issuers,
        workers=workers,
        remainder_credits=remainder_credits,
    )
    from sgx.chaos.run import ChaosRun  # only here: ``sgx worker`` starts without it

    directory = Path(log_directory or tempfile.mkdtemp(prefix=f"sgx-chaos-{size}-"))
    run = ChaosRun(config, directory=directory, say=typer.echo)
    # SIGTERM ends the run like Ctrl-C: workers and sandbox stopped, database dropped.
    signal.signal(signal.SIGTERM, _interrupt)
    result = asyncio.run(
        run.run(postgres_url or default_postgres_url(), keep_database=keep_database)
    )
    for line in result.lines:
        typer.echo(line)
    if not result.ok:
        raise typer.Exit(code=1)
