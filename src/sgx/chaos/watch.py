"""Reading the sandbox's request log while the run goes on.

The log keeps the latest 100 000 requests only, so it is read every few seconds from where the
last read ended and tallied here: requests by status and by fault, token grants, and every
refused token request (an ``invalid_grant`` shows as a 400 from ``/oauth-v1/token``). An entry is
complete once its status is known; one still open is read again next time (a connection reset
on purpose never gets a status, and neither does a request that is still waiting).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sgx.chaos.sandbox import SandboxControl

POLL_SECONDS = 2.0
# Polls an entry may stay without a status before it is taken as it is (a dropped request).
OPEN_POLLS = 5
TOKEN_PATH = "/oauth-v1/token"
MAX_POLLS = 100_000


@dataclass
class TokenRefusal:
    request_id: int
    at: str  # the sandbox's clock
    tenant_id: int | None
    status: int


@dataclass
class RequestTally:
    total: int = 0
    by_status: Counter[str] = field(default_factory=Counter)
    by_fault: Counter[str] = field(default_factory=Counter)
    token_grants: int = 0
    token_refusals: list[TokenRefusal] = field(default_factory=list)


class RequestWatch:
    def __init__(self, control: SandboxControl) -> None:
        self.control = control
        self.tally = RequestTally()
        self._since = 0
        self._open: dict[int, int] = {}  # entry id → polls seen without a status
        self._stop = asyncio.Event()

    async def run(self) -> None:
        for _ in range(MAX_POLLS):
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), timeout=POLL_SECONDS)
            await self.poll()
            if self._stop.is_set():
                return

    def stop(self) -> None:
        self._stop.set()

    async def poll(self, *, final: bool = False) -> None:
        entries = await self.control.requests(since_id=self._since)
        for entry in entries:
            if not final and not self._complete(entry):
                return  # read again from here next time
            self._count(entry)
            self._since = entry["id"]
            self._open.pop(entry["id"], None)

    def _complete(self, entry: dict[str, Any]) -> bool:
        if entry["status"] is not None or entry.get("fault") == "reset":
            return True
        polls = self._open.get(entry["id"], 0) + 1
        self._open[entry["id"]] = polls
        return polls > OPEN_POLLS

    def _count(self, entry: dict[str, Any]) -> None:
        tally = self.tally
        tally.total += 1
        status = entry["status"]
        tally.by_status[str(status) if status is not None else "no answer"] += 1
        if entry.get("fault"):
            tally.by_fault[str(entry["fault"])] += 1
        if entry["path"] != TOKEN_PATH or status is None:
            return
        if status == 200:
            tally.token_grants += 1
        elif 400 <= status < 500:
            tally.token_refusals.append(
                TokenRefusal(entry["id"], entry["at"], entry["tenant_id"], status)
            )
