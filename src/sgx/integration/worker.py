"""Running the sync engine: as its own process (``sgx worker``) or inside ``sgx serve``.

A worker process builds its own database engine, HTTP client and pacer (one whose request times
travel with the issuer's lease), loads the transfer handlers and runs ``SyncEngine`` until
SIGTERM or SIGINT: the first lets every issuer's current job finish and gives the leases back,
a second cancels at once (the leases then expire and other workers take over). Any number of
worker processes on any number of machines may run against one PostgreSQL database.

In the embedded mode ``sgx serve`` runs the same engine in its own event loop
(``in_process_worker``), sharing the app's database engine and HTTP client.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import importlib
import os
import signal
import socket
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import structlog
from sqlalchemy.ext.asyncio import AsyncEngine

from sgx.integration.engine import SyncEngine
from sgx.integration.gateway import FortnoxGateway, new_http_client
from sgx.integration.pacing_store import HandoverPacer
from sgx.integration.runner import WorkerConfig
from sgx.kit.db import create_engine
from sgx.settings import Settings

log = structlog.get_logger(__name__)

HANDLERS_MODULE = "sgx.integration.handlers"
# How long an issuer stays with a worker that stopped renewing (a killed process, a lost
# machine) before another worker takes it over.
DEFAULT_LEASE_SECONDS = 30.0
# How long ``sgx serve`` waits at shutdown for the in-process runs to finish their job.
IN_PROCESS_STOP_SECONDS = 30.0


def worker_name() -> str:
    """Unique per process and start: host, pid and a random tail."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def load_handlers() -> None:
    """Import the transfer handlers so that they register themselves in ``HANDLERS``."""
    importlib.import_module(HANDLERS_MODULE)


def build_engine(
    *,
    db: AsyncEngine,
    http: httpx.AsyncClient,
    settings: Settings,
    concurrency: int,
    lease_seconds: float = DEFAULT_LEASE_SECONDS,
    name: str | None = None,
) -> SyncEngine:
    gateway = FortnoxGateway.create(http=http, settings=settings, pacer=HandoverPacer())
    config = WorkerConfig(
        name=name or worker_name(),
        concurrency=concurrency,
        lease_ttl=dt.timedelta(seconds=lease_seconds),
        # Three renewals per lease period: one late renewal never loses the lease.
        renew_every=dt.timedelta(seconds=lease_seconds / 3),
    )
    load_handlers()
    return SyncEngine(db=db, gateway=gateway, config=config)


async def run_worker(
    settings: Settings, *, concurrency: int, lease_seconds: float = DEFAULT_LEASE_SECONDS
) -> None:
    """The ``sgx worker`` process: run until SIGTERM/SIGINT."""
    # No ping before each checkout: on asyncpg it costs three round trips (BEGIN, SELECT,
    # ROLLBACK) on every one of a transfer's short sessions, a sixth of a busy worker's CPU.
    # A connection found dead fails its unit of work, which the queue already retries (the
    # pool then drops its other connections), so the ping bought nothing here.
    db = create_engine(settings.database_url, pool_pre_ping=False)
    http = new_http_client()
    engine = build_engine(
        db=db, http=http, settings=settings, concurrency=concurrency, lease_seconds=lease_seconds
    )
    _install_signal_handlers(engine)
    log.info("worker_started", worker=engine.config.name, concurrency=concurrency)
    try:
        await engine.run()
    finally:
        await http.aclose()
        await db.dispose()
        log.info("worker_stopped", worker=engine.config.name)


def _install_signal_handlers(engine: SyncEngine) -> None:
    loop = asyncio.get_running_loop()
    received = 0

    def on_signal() -> None:
        nonlocal received
        received += 1
        log.info("worker_stopping", graceful=received == 1)
        engine.stop(graceful=received == 1)

    for signum in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):  # not on every platform
            loop.add_signal_handler(signum, on_signal)


@contextlib.asynccontextmanager
async def in_process_worker(app: Any, *, concurrency: int = 4) -> AsyncIterator[SyncEngine]:
    """Run the engine beside the web app for the lifetime of the block (``sgx serve``)."""
    engine = build_engine(
        db=app.state.engine,
        http=app.state.fortnox_http,
        settings=app.state.settings,
        concurrency=concurrency,
    )
    task = asyncio.create_task(engine.run(), name="sgx-sync-engine")
    app.state.sync_engine = engine
    try:
        yield engine
    finally:
        app.state.sync_engine = None
        engine.stop()
        try:
            await asyncio.wait_for(asyncio.shield(task), timeout=IN_PROCESS_STOP_SECONDS)
        except TimeoutError:
            engine.stop(graceful=False)
            with contextlib.suppress(asyncio.CancelledError):
                await task
