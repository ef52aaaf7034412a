"""``sgx sync backfill`` and ``sgx sync reconcile``: history to Fortnox, and reading back now.

``sgx sync backfill --issuer ID --since DATE [--dry-run] [--batch-size N] [--limit N]
[--no-work]`` queues the issuer's earlier invoices oldest first (``sgx.integration.backfill``)
and follows them to done with a progress bar (count, rate, time left). By default this process
also works the issuer's queue under the issuer's lease, like a worker; with ``--no-work`` it only
queues and watches while the workers transfer. Ctrl-C stops after the transfer in progress;
running the command again continues.

``sgx sync reconcile --issuer ID [--full]`` runs a reconciliation pass now (and whatever else
the issuer has due) and prints what it found.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import signal
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import httpx
import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from sgx.errors import AppError
from sgx.integration import backfill as history
from sgx.integration.errors import NoUsableConnection
from sgx.integration.gateway import FortnoxGateway, new_http_client
from sgx.integration.pacing_store import HandoverPacer
from sgx.integration.reconcile import state_of
from sgx.integration.reconcile_schedule import request_reconciliation, serve_issuer_now
from sgx.integration.repository import connection_of
from sgx.integration.service import require_usable
from sgx.integration.worker import load_handlers, worker_name
from sgx.issuers.models import Issuer
from sgx.kit.clock import utcnow
from sgx.kit.db import create_engine, create_session_factory
from sgx.outbox.models import JobStatus, TransferJob
from sgx.settings import Settings, get_settings

SessionFactory = async_sessionmaker[AsyncSession]
EXIT_STOPPED = 130
WAIT_FOR_WORKER_SECONDS = 120.0


class RateColumn(ProgressColumn):
    """Invoices per second, as measured so far."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        shown = "–" if speed is None else f"{speed:.1f}".replace(".", ",")
        return Text(f"{shown} fakturor/s")


@dataclass
class Context:
    settings: Settings
    factory: SessionFactory
    gateway: FortnoxGateway


@contextlib.asynccontextmanager
async def opened(
    settings: Settings, http: httpx.AsyncClient | None = None
) -> AsyncIterator[Context]:
    db = create_engine(settings.database_url)
    client = http or new_http_client()
    try:
        gateway = FortnoxGateway.create(http=client, settings=settings, pacer=HandoverPacer())
        load_handlers()
        yield Context(settings, create_session_factory(db), gateway)
    finally:
        if http is None:
            await client.aclose()
        await db.dispose()


async def _ready_issuer(factory: SessionFactory, issuer_id: int, *, connected: bool) -> Issuer:
    async with factory() as session:
        issuer = await session.get(Issuer, issuer_id)
        if issuer is None:
            raise typer.BadParameter(f"Fakturautställaren {issuer_id} finns inte.")
        if not issuer.fortnox_integration_enabled:
            raise typer.BadParameter("Fortnox-integrationen är inte påslagen för utställaren.")
        if connected:
            try:
                require_usable(await connection_of(session, issuer_id=issuer_id))
            except NoUsableConnection as error:
                raise typer.BadParameter(error.message) from error
        await session.commit()
    return issuer


def _plan_text(found: list[history.Candidate], since: dt.date) -> str:
    if not found:
        return f"Inga fakturor från {since.isoformat()} saknar överföring till Fortnox."
    credits = sum(1 for candidate in found if candidate.credit_of_id is not None)
    first, last = found[0], found[-1]
    return (
        f"{len(found)} fakturor (varav {credits} kreditfakturor) överförs, äldst först: från "
        f"{first.invoice_date.isoformat()} (nr {first.number}) till "
        f"{last.invoice_date.isoformat()} (nr {last.number})."
    )


async def backfill_command(
    settings: Settings,
    *,
    issuer_id: int,
    since: dt.date,
    dry_run: bool,
    batch_size: int = history.DEFAULT_BATCH,
    limit: int | None = None,
    work: bool = True,
    console: Console | None = None,
    http: httpx.AsyncClient | None = None,
) -> int:
    """The command's body; returns its exit status."""
    console = console or Console()
    async with opened(settings, http) as ctx:
        issuer = await _ready_issuer(ctx.factory, issuer_id, connected=not dry_run)
        async with ctx.factory() as session:
            found = await history.candidates(session, issuer_id=issuer_id, since=since, limit=limit)
            await session.commit()
        console.print(f"{issuer.name}: {_plan_text(found, since)}")
        if dry_run or not found:
            return 0
        progress = await _run_with_bar(ctx, issuer_id, since, batch_size, limit, work, console)
    return _report(progress, console)


async def _run_with_bar(
    ctx: Context,
    issuer_id: int,
    since: dt.date,
    batch_size: int,
    limit: int | None,
    work: bool,
    console: Console,
) -> history.Progress:
    stop = asyncio.Event()
    name = worker_name()

    async def serve(stopping: asyncio.Event) -> bool:
        return await serve_issuer_now(
            ctx.factory, ctx.gateway, issuer_id=issuer_id, worker=name, stopping=stopping
        )

    columns = (
        TextColumn("[bold]Efterregistrering"),
        BarColumn(),
        MofNCompleteColumn(),
        RateColumn(),
        TextColumn("kvar:"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console) as bar, _stop_on_interrupt(stop, console):
        task = bar.add_task("fakturor", total=None)

        def show(progress: history.Progress) -> None:
            bar.update(task, total=progress.total, completed=progress.settled)

        run = history.Backfill(
            ctx.factory,
            issuer_id=issuer_id,
            since=since,
            batch_size=batch_size,
            limit=limit,
            serve=serve if work else None,
            on_progress=show,
            stop=stop,
        )
        return await run.run()


@contextlib.contextmanager
def _stop_on_interrupt(stop: asyncio.Event, console: Console) -> Iterator[None]:
    """The first Ctrl-C stops after the transfer in progress; the second stops at once."""
    loop = asyncio.get_running_loop()
    main = asyncio.current_task()

    def interrupted() -> None:
        if stop.is_set() and main is not None:
            main.cancel()
            return
        console.print("Avbryter efter pågående överföring … (Ctrl-C igen avbryter direkt)")
        stop.set()

    try:
        loop.add_signal_handler(signal.SIGINT, interrupted)
    except (NotImplementedError, RuntimeError):  # not on this platform, or not the main thread
        yield None
        return
    try:
        yield None
    finally:
        loop.remove_signal_handler(signal.SIGINT)


def _report(progress: history.Progress, console: Console) -> int:
    console.print(
        f"Överförda: {progress.done} av {progress.total}; fel som kräver åtgärd: "
        f"{progress.failed}; pausade: {progress.held}."
    )
    if progress.stopped:
        console.print(
            "Avbruten. Det som redan köats överförs ändå; kör kommandot igen för att fortsätta."
        )
        return EXIT_STOPPED
    if progress.held:
        console.print("Anslutningen till Fortnox kan inte användas; överföringarna är pausade.")
    if progress.failed:
        console.print("Se fakturorna under Att åtgärda (eller sgx sync status).")
    return 0 if not (progress.failed or progress.held) else 1


async def reconcile_command(
    settings: Settings,
    *,
    issuer_id: int,
    full: bool,
    console: Console | None = None,
    http: httpx.AsyncClient | None = None,
) -> int:
    console = console or Console()
    async with opened(settings, http) as ctx:
        await _ready_issuer(ctx.factory, issuer_id, connected=True)
        async with ctx.factory() as session:
            job = await request_reconciliation(session, issuer_id=issuer_id, full=full)
            await session.commit()
        served = await serve_issuer_now(
            ctx.factory, ctx.gateway, issuer_id=issuer_id, worker=worker_name()
        )
        if not served and not await _wait_for(ctx.factory, job.id):
            console.print("Avstämningen är köad; en arbetsprocess gör den när den hinner.")
            return 1
        async with ctx.factory() as session:
            state = await state_of(session, issuer_id=issuer_id)
            finished = await session.get(TransferJob, job.id)
            await session.commit()
    if finished is not None and finished.status is not JobStatus.DONE:
        console.print(f"Avstämningen gick inte att göra: {finished.error_message}")
        return 1
    console.print(state.last_summary)
    return 0


async def _wait_for(factory: SessionFactory, job_id: int) -> bool:
    deadline = utcnow() + dt.timedelta(seconds=WAIT_FOR_WORKER_SECONDS)
    while utcnow() < deadline:
        async with factory() as session:
            job = await session.get(TransferJob, job_id, populate_existing=True)
            await session.commit()
        if job is None or job.status is not JobStatus.PENDING:
            return True
        await asyncio.sleep(0.5)
    return False


def backfill(
    issuer: int = typer.Option(..., "--issuer", help="Fakturautställarens id."),
    since: dt.datetime = typer.Option(
        ..., "--since", formats=["%Y-%m-%d"], help="Första fakturadatum som tas med."
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Visa bara vad som skulle överföras."),
    batch_size: int = typer.Option(history.DEFAULT_BATCH, "--batch-size", min=1, max=500),
    limit: int | None = typer.Option(None, "--limit", min=1, help="Högst så många den här gången."),
    work: bool = typer.Option(True, "--work/--no-work", help="Överför härifrån (standard)."),
) -> None:
    """Transfer invoices from before the go-live date, oldest first (stoppable, resumable)."""
    try:
        code = asyncio.run(
            backfill_command(
                get_settings(),
                issuer_id=issuer,
                since=since.date(),
                dry_run=dry_run,
                batch_size=batch_size,
                limit=limit,
                work=work,
            )
        )
    except AppError as error:
        typer.echo(f"Fel: {error.message}", err=True)
        code = 1
    except (KeyboardInterrupt, asyncio.CancelledError):
        code = EXIT_STOPPED
    raise typer.Exit(code=code)


def reconcile(
    issuer: int = typer.Option(..., "--issuer", help="Fakturautställarens id."),
    full: bool = typer.Option(False, "--full", help="Läs hela fakturalistan, inte bara ändringar."),
) -> None:
    """Read back payments and changes made in Fortnox now."""
    code = asyncio.run(reconcile_command(get_settings(), issuer_id=issuer, full=full))
    raise typer.Exit(code=code)


def register(sync_app: typer.Typer) -> None:
    sync_app.command("backfill")(backfill)
    sync_app.command("reconcile")(reconcile)
