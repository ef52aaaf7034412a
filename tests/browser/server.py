"""The real application served by uvicorn on a local port, as ``sgx serve`` runs it.

A fresh SQLite database with the schema built from the models and the demo data, the embedded
Fortnox sandbox (control plane on) mounted in the same app, and the in-process sync engine
running in the server's own event loop. The server runs in a thread so that the browser and the
test's own event loop are independent of it.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import uvicorn

import sgx.models
from sgx.app import create_app
from sgx.demo_data import seed_demo
from sgx.kit.db import create_engine, create_session_factory
from sgx.settings import SANDBOX_MOUNT_PATH, Settings

STARTUP_SECONDS = 30.0


def listening_socket() -> socket.socket:
    """A socket on a port the system picks, listening already: the server is handed this very
    socket, so no other process can take the port in between."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    return listener


async def prepare_database(url: str) -> None:
    """Schema from the models, then the demo (issuer, users, articles, patients, companies)."""
    engine = create_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(sgx.models.metadata.create_all)
    async with create_session_factory(engine)() as session:
        await seed_demo(session)
        await session.commit()
    await engine.dispose()


@dataclass
class LiveServer:
    settings: Settings
    server: uvicorn.Server
    thread: threading.Thread

    @property
    def url(self) -> str:
        return self.settings.base_url

    @property
    def sandbox_url(self) -> str:
        return self.url + SANDBOX_MOUNT_PATH

    def sandbox(self, method: str, path: str, **options: Any) -> Any:
        """A call to the sandbox's control plane (``/_sandbox/...``), as a test harness would."""
        response = httpx.request(method, f"{self.sandbox_url}/_sandbox{path}", **options)
        response.raise_for_status()
        return response.json()

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=40)


def start_server(folder: Path) -> LiveServer:
    listener = listening_socket()
    port: int = listener.getsockname()[1]
    settings = Settings(
        environment="test",
        host="127.0.0.1",
        port=port,
        database_url=f"sqlite+aiosqlite:///{folder / 'sgx.db'}",
        fortnox_sandbox=True,
        sandbox_state_file="",  # the sandbox keeps its state in memory
        run_worker_in_process=True,
        log_level="WARNING",
    )
    asyncio.run(prepare_database(settings.database_url))
    config = uvicorn.Config(
        create_app(settings),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="on",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [listener]}, name="sgx-live-server", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + STARTUP_SECONDS
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the SGX server did not start")
        time.sleep(0.05)
    return LiveServer(settings=settings, server=server, thread=thread)
