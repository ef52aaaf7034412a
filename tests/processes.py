"""Servers that tests start as processes of their own.

The server binds port 0 itself and the test reads the port back from the server's own start-up
line, so no other process can take the port between choosing and binding it. The output goes to
a log file; a server that exits or never says it is listening fails the test with that log.
"""

from __future__ import annotations

import os
import re
import subprocess
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

STARTUP_SECONDS = 60.0
STOP_SECONDS = 30.0
# uvicorn prints this once its socket listens, with the port the system gave it.
LISTENING = re.compile(rb"Uvicorn running on https?://[^\s/]+:(\d+)")


class ServerProcess:
    """``command --host 127.0.0.1 --port 0`` as a child process; ``url`` once it listens."""

    def __init__(
        self,
        command: Sequence[str],
        *,
        log: Path,
        cwd: Path | None = None,
        env: Mapping[str, str] | None = None,
        startup_seconds: float = STARTUP_SECONDS,
    ) -> None:
        self.log = log
        self.port: int | None = None
        self._announced = threading.Event()
        self.process = subprocess.Popen(
            [*command, "--host", "127.0.0.1", "--port", "0"],
            cwd=cwd,
            env={**(os.environ if env is None else env), "PYTHONUNBUFFERED": "1"},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        self._copier = threading.Thread(target=self._copy_output, daemon=True)
        self._copier.start()
        # Set by the start-up line, or when the output ends because the process did.
        self._announced.wait(startup_seconds)
        if self.port is None:
            self.stop()
            raise AssertionError(
                f"{' '.join(command)} did not start listening "
                f"(exit code {self.process.returncode}); its log:\n{self.output()}"
            )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _copy_output(self) -> None:
        assert self.process.stdout is not None
        with self.log.open("wb") as sink:
            for line in self.process.stdout:
                sink.write(line)
                sink.flush()
                found = LISTENING.search(line) if self.port is None else None
                if found:
                    self.port = int(found.group(1))
                    self._announced.set()
        self._announced.set()

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=STOP_SECONDS)
        self._copier.join(timeout=STOP_SECONDS)
        return self.process.returncode
