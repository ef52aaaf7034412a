"""One backend's running system: its database, the sandbox, the API server and workers."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path

from bench.api import Api
from bench.database import Database
from bench.processes import (
    Child,
    product_env,
    start_api,
    start_worker,
    stop_all,
    wait_for_log,
)
from bench.sandbox import Control

# A worker's first round follows right after this line in its log.
WORKER_READY = "worker_started"
SETTLE_SECONDS = 0.5


@dataclass
class Stack:
    workdir: Path
    db: Database
    control: Control
    api_child: Child | None = None
    api: Api | None = None
    embedded_worker: bool = False
    workers: list[Child] = field(default_factory=list)
    _serial: int = 0

    @property
    def backend(self) -> str:
        return self.db.backend

    def env(self, *, in_process_worker: bool = False) -> dict[str, str]:
        return product_env(
            database_url=self.db.url,
            sandbox_url=self.control.url,
            in_process_worker=in_process_worker,
        )

    def _label(self, kind: str) -> str:
        self._serial += 1
        return f"{self.backend}-{kind}-{self._serial}"

    async def start_api(self, *, embedded_worker: bool = False) -> Api:
        """(Re)start the API; ``embedded_worker`` runs the sync inside it (the SQLite mode)."""
        await self.stop_api()
        env = self.env(in_process_worker=embedded_worker)
        child, url = await asyncio.to_thread(start_api, self.workdir, env, label=self._label("api"))
        self.api_child, self.api, self.embedded_worker = child, Api(url), embedded_worker
        return self.api

    async def stop_api(self) -> None:
        if self.api is not None:
            await self.api.close()
        if self.api_child is not None:
            await asyncio.to_thread(self.api_child.stop)
        self.api_child = self.api = None

    def require_api(self) -> Api:
        assert self.api is not None, "start the API first"
        return self.api

    async def start_workers(self, count: int, *, concurrency: int) -> list[Child]:
        env = self.env()
        started = [
            start_worker(self.workdir, env, concurrency=concurrency, label=self._label("worker"))
            for _ in range(count)
        ]
        for child in started:
            await asyncio.to_thread(wait_for_log, child, WORKER_READY)
        await asyncio.sleep(SETTLE_SECONDS)
        self.workers.extend(started)
        return started

    async def stop_workers(self) -> None:
        workers, self.workers = self.workers, []
        await asyncio.to_thread(stop_all, workers)

    async def close(self) -> None:
        await self.stop_workers()
        await self.stop_api()
