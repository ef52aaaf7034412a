"""``sgx sync``: the transfer queue for operators — its state per issuer, and "Försök igen".

``sgx sync status`` prints, per issuer, how many transfers are waiting, held, failed and done,
and the errors by cause (stable code, count, an example of the Swedish message).
``sgx sync retry --invoice ID | --cause CODE | --all [--issuer ID]`` makes failed, held and
backing-off transfers due now and wakes the workers. ``sgx sync backfill`` and
``sgx sync reconcile`` live in ``sgx.integration.readback_cli``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sgx.integration import transfers
from sgx.integration.readback_cli import register as register_readback
from sgx.issuers.models import Issuer
from sgx.kit.db import create_engine, create_session_factory
from sgx.outbox import repository
from sgx.outbox.models import JobStatus
from sgx.outbox.repository import CauseCount, IssuerCounts
from sgx.settings import get_settings

T = TypeVar("T")

sync_app = typer.Typer(help="Överföringar till Fortnox.", no_args_is_help=True)
register_readback(sync_app)  # backfill, reconcile

STATUS_WORDS = {
    JobStatus.PENDING: "Väntar",
    JobStatus.HELD: "Pausad",
    JobStatus.FAILED: "Fel",
    JobStatus.DONE: "Klar",
}


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
    return asyncio.run(_unit_of_work(work))


async def _status(
    session: AsyncSession,
) -> tuple[list[IssuerCounts], list[CauseCount], dict[int, str]]:
    counts = await repository.counts_by_issuer(session)
    causes = await repository.errors_by_cause(session)
    names = {
        issuer_id: name for issuer_id, name in await session.execute(select(Issuer.id, Issuer.name))
    }
    return counts, causes, names


@sync_app.command("status")
def status() -> None:
    """Show the transfer queue per issuer and the errors by cause."""
    counts, causes, names = _run(_status)
    console = Console(width=120)
    if not counts:
        console.print("Inga överföringar i kön.")
        return
    queue = Table(title="Överföringar per fakturautställare")
    for heading in ("Id", "Fakturautställare", "Väntar", "Pausade", "Fel", "Klara"):
        queue.add_column(heading, justify="left" if heading == "Fakturautställare" else "right")
    for row in counts:
        queue.add_row(
            str(row.issuer_id),
            names.get(row.issuer_id, "?"),
            str(row.pending),
            str(row.held),
            str(row.failed),
            str(row.done),
        )
    console.print(queue)
    if not causes:
        console.print("Inga fel.")
        return
    errors = Table(title="Fel per orsak")
    for heading in ("Id", "Status", "Orsak", "Antal", "Meddelande"):
        errors.add_column(heading, justify="right" if heading in ("Id", "Antal") else "left")
    for cause in causes:
        errors.add_row(
            str(cause.issuer_id),
            STATUS_WORDS[cause.status],
            cause.error_code,
            str(cause.count),
            cause.example_message,
        )
    console.print(errors)


@sync_app.command("retry")
def retry(
    invoice: int | None = typer.Option(None, "--invoice", help="En faktura (id)."),
    cause: str | None = typer.Option(None, "--cause", help="Alla med denna felorsak."),
    everything: bool = typer.Option(False, "--all", help="Alla som väntar, är pausade eller fel."),
    issuer: int | None = typer.Option(
        None, "--issuer", help="Endast denna fakturautställare (id)."
    ),
) -> None:
    """Make failed, held and backing-off transfers due now ("Försök igen")."""
    chosen = sum([invoice is not None, cause is not None, everything])
    if chosen != 1:
        typer.echo("Fel: ange exakt ett av --invoice, --cause och --all.", err=True)
        raise typer.Exit(code=2)

    async def work(session: AsyncSession) -> int:
        return await transfers.retry(session, issuer_id=issuer, invoice_id=invoice, cause=cause)

    count = _run(work)
    typer.echo(f"{count} överföringar görs om nu." if count != 1 else "1 överföring görs om nu.")
