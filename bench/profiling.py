"""Sampling profiles of running processes with py-spy (``python -m bench --profile``).

py-spy attaches to a process by id, samples its Python stacks and, when told to stop (SIGINT)
or when the process ends, writes them as collapsed stacks ("a;b;c count" per line).
``top_frames`` folds such a file into the functions most often on the CPU.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

RATE = 67  # samples per second: enough for a picture, light on a two-core machine
STOP_SECONDS = 60.0


def py_spy() -> str | None:
    beside = Path(sys.executable).with_name("py-spy")
    return str(beside) if beside.exists() else shutil.which("py-spy")


class Recording:
    def __init__(self, pid: int, output: Path) -> None:
        executable = py_spy()
        if executable is None:
            raise RuntimeError("py-spy is not installed (pip install -e '.[dev]')")
        self.output = output
        self._log = output.with_suffix(".log").open("wb")
        self.process = subprocess.Popen(
            [
                executable,
                "record",
                "--pid",
                str(pid),
                "--rate",
                str(RATE),
                "--format",
                "raw",
                "--nonblocking",
                "--output",
                str(output),
            ],
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=STOP_SECONDS)
        self._log.close()


def top_frames(
    path: Path, *, limit: int = 25
) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
    """(self time, inclusive time) per frame as fractions of the samples, largest first."""
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = stack.split(";")
        total += count
        own[frames[-1]] += count
        for frame in set(frames):
            inclusive[frame] += count
    if total == 0:
        return [], []
    return (
        [(frame, count / total) for frame, count in own.most_common(limit)],
        [(frame, count / total) for frame, count in inclusive.most_common(limit)],
    )
