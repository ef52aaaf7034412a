"""The processes a benchmark runs: the sandbox, the API server and sync workers.

Each runs as a child process of its own, listening on 127.0.0.1 only, its output in a log file
under the run's work folder. ``stop`` asks politely (SIGTERM) and waits a bounded time before
killing. Memory is read from ``/proc`` (resident now and at its peak).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import httpx

from bench.sandbox import CLIENT_ID, CLIENT_SECRET
from sgx.settings import DEVELOPMENT_ENCRYPTION_KEY

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
START_SECONDS = 60.0
STOP_SECONDS = 60.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


class Child:
    """One child process with its log."""

    def __init__(self, name: str, command: list[str], *, log: Path, env: Mapping[str, str]):
        self.name = name
        self.command = command
        self.log = log
        self._file = log.open("ab")
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=dict(env), stdout=self._file, stderr=subprocess.STDOUT
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def wait_http(self, url: str) -> None:
        """Wait until ``url`` answers (any status), or fail after a bounded time."""
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if not self.alive():
                raise RuntimeError(f"{self.name} stopped at start; see {self.log}")
            try:
                httpx.get(url, timeout=2.0)
                return
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not answer at {url}; see {self.log}")

    def stop(self) -> int | None:
        if self.alive():
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=STOP_SECONDS)
        self._file.close()
        return self.process.returncode

    def memory_mb(self) -> dict[str, float]:
        """Resident memory now (VmRSS) and at its peak so far (VmHWM), in MiB."""
        found: dict[str, float] = {}
        status = Path(f"/proc/{self.pid}/status").read_text()
        for line in status.splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                found[key] = int(value.split()[0]) / 1024
        return {"rss_mb": found.get("VmRSS", 0.0), "peak_rss_mb": found.get("VmHWM", 0.0)}


def base_env() -> dict[str, str]:
    """The environment without any SGX_ setting of the caller's."""
    return {key: value for key, value in os.environ.items() if not key.startswith("SGX_")}


def start_sandbox(workdir: Path) -> tuple[Child, str]:
    """``python -m fortnox_sandbox --control`` in memory (no state file: it would snapshot)."""
    port = free_port()
    command = [sys.executable, "-m", "fortnox_sandbox", "--host", HOST, "--port", str(port)]
    child = Child("sandbox", [*command, "--control"], log=workdir / "sandbox.log", env=base_env())
    url = f"http://{HOST}:{port}"
    child.wait_http(f"{url}/_sandbox/clock")
    return child, url


def product_env(*, database_url: str, sandbox_url: str, in_process_worker: bool) -> dict[str, str]:
    env = base_env()
    env.update(
        SGX_ENVIRONMENT="development",
        SGX_DATABASE_URL=database_url,
        SGX_FORTNOX_SANDBOX="false",
        SGX_FORTNOX_API_BASE_URL=sandbox_url,
        SGX_FORTNOX_OAUTH_BASE_URL=sandbox_url,
        SGX_FORTNOX_CLIENT_ID=CLIENT_ID,
        SGX_FORTNOX_CLIENT_SECRET=CLIENT_SECRET,
        SGX_ENCRYPTION_KEYS=DEVELOPMENT_ENCRYPTION_KEY,
        SGX_RUN_WORKER_IN_PROCESS="true" if in_process_worker else "false",
        # No reading back from Fortnox during a measurement.
        SGX_FORTNOX_RECONCILE_INTERVAL_SECONDS="0",
    )
    return env


def start_api(workdir: Path, env: Mapping[str, str], *, label: str) -> tuple[Child, str]:
    """The app under uvicorn, as a production deployment runs it (no access log)."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "sgx.app:create_app",
        "--host",
        HOST,
        "--port",
        str(port),
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    child = Child(f"api-{label}", command, log=workdir / f"api-{label}.log", env=env)
    url = f"http://{HOST}:{port}"
    child.wait_http(f"{url}/api/v1/me")
    return child, url


def start_worker(workdir: Path, env: Mapping[str, str], *, concurrency: int, label: str) -> Child:
    command = [sys.executable, "-m", "sgx.cli", "worker", "--concurrency", str(concurrency)]
    return Child(f"worker-{label}", command, log=workdir / f"worker-{label}.log", env=env)


def stop_all(children: list[Child]) -> None:
    for child in children:
        if child.alive():
            child.process.send_signal(signal.SIGTERM)
    for child in children:
        child.stop()


def wait_for_log(child: Child, text: str) -> None:
    """Wait until the child's log shows ``text`` (a worker says ``worker_started``)."""
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if not child.alive():
            raise RuntimeError(f"{child.name} stopped at start; see {child.log}")
        if text in child.log.read_text(errors="replace"):
            return
        time.sleep(0.05)
    raise RuntimeError(f"{child.name} never logged {text!r}; see {child.log}")
