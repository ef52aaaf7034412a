"""The processes of a chaos run: the sandbox as its own server and the ``sgx worker`` pool.

Everything listens on and talks to 127.0.0.1 only. Each process writes its output to a file in
the run's directory. Workers are killed with SIGKILL (no goodbye: leases expire, writes may be
half-way) and started again as new processes; at the end they are stopped with SIGTERM.
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

from sgx.settings import Settings

HOST = "127.0.0.1"
SANDBOX_COMMAND = (sys.executable, "-m", "fortnox_sandbox", "--control", "--host", HOST)
STARTUP_SECONDS = 60.0
STOP_SECONDS = 60.0


# uvicorn prints this once its socket listens, with the port the system gave it.
LISTENING = re.compile(r"Uvicorn running on https?://[^\s/]+:(\d+)")


class SandboxServer:
    """``python -m fortnox_sandbox --control`` on 127.0.0.1, on a port it binds itself (port 0,
    read back from its start-up line: no other process can take the port in between)."""

    def __init__(self, directory: Path) -> None:
        self.port: int | None = None
        self.log_path = directory / "sandbox.log"
        self._log: IO[bytes] = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [*SANDBOX_COMMAND, "--port", "0"],
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    @property
    def url(self) -> str:
        if self.port is None:
            raise RuntimeError("the sandbox server is not listening yet")
        return f"http://{HOST}:{self.port}"

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    async def wait_ready(self) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            found = LISTENING.search(self.output())
            if found:
                self.port = int(found.group(1))
                return
            if self.process.poll() is not None:
                raise RuntimeError(f"the sandbox server stopped at start:\n{self.output()}")
            await asyncio.sleep(0.2)
        raise RuntimeError(f"the sandbox server did not start in time:\n{self.output()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


def worker_environment(settings: Settings) -> dict[str, str]:
    """The environment of ``sgx worker``: this run's database, sandbox and keys, nothing else."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("SGX_")}
    env.update(
        SGX_ENVIRONMENT="development",
        SGX_DATABASE_URL=settings.database_url,
        SGX_FORTNOX_SANDBOX="true",
        SGX_FORTNOX_API_BASE_URL=settings.fortnox_api_base_url,
        SGX_FORTNOX_OAUTH_BASE_URL=settings.fortnox_oauth_base_url,
        SGX_FORTNOX_CLIENT_ID=settings.fortnox_client_id,
        SGX_FORTNOX_CLIENT_SECRET=settings.fortnox_client_secret,
        SGX_ENCRYPTION_KEYS=settings.encryption_keys,
        SGX_RUN_WORKER_IN_PROCESS="false",
        SGX_LOG_LEVEL="WARNING",
    )
    return env


class WorkerPool:
    """N ``sgx worker`` processes; one may be killed and replaced at any moment."""

    def __init__(
        self,
        directory: Path,
        env: dict[str, str],
        *,
        size: int,
        concurrency: int,
        lease_seconds: float,
        rng: random.Random,
    ) -> None:
        self.directory = directory
        self.env = env
        self.size = size
        self.command = [
            sys.executable,
            "-m",
            "sgx.cli",
            "worker",
            "--concurrency",
            str(concurrency),
            "--lease-seconds",
            str(lease_seconds),
        ]
        self.rng = rng
        self.started = 0
        self.kills = 0
        self.crashed = 0  # exits nobody asked for
        self._workers: list[subprocess.Popen[bytes]] = []
        self._logs: list[IO[bytes]] = []

    def _start_one(self) -> subprocess.Popen[bytes]:
        self.started += 1
        log = (self.directory / f"worker-{self.started:04d}.log").open("wb")
        self._logs.append(log)
        return subprocess.Popen(self.command, env=self.env, stdout=log, stderr=subprocess.STDOUT)

    def start(self) -> None:
        while len(self._workers) < self.size:
            self._workers.append(self._start_one())

    def replace_exited(self) -> None:
        """Start a new worker for each one that exited on its own (and count it)."""
        for index, worker in enumerate(self._workers):
            if worker.poll() is not None:
                self.crashed += 1
                self._workers[index] = self._start_one()

    def kill_one(self) -> int:
        """SIGKILL a random worker and start a new one in its place; returns the pid killed."""
        index = self.rng.randrange(len(self._workers))
        victim = self._workers[index]
        if victim.poll() is None:
            victim.send_signal(signal.SIGKILL)
            victim.wait(timeout=STOP_SECONDS)
            self.kills += 1
        else:
            self.crashed += 1
        self._workers[index] = self._start_one()
        return victim.pid

    def stop(self) -> list[int]:
        """SIGTERM every worker and wait; returns the exit codes."""
        for worker in self._workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
        codes = []
        for worker in self._workers:
            try:
                codes.append(worker.wait(timeout=STOP_SECONDS))
            except subprocess.TimeoutExpired:
                worker.kill()
                codes.append(worker.wait())
        self._workers.clear()
        for log in self._logs:
            log.close()
        return codes
