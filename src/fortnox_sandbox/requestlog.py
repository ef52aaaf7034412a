"""The request log: every call to Fortnox's surface (``/3/``, ``/oauth-v1/``) in arrival order.

Tests and benchmarks count calls with it. Entries are created when a request arrives (so ids
follow arrival order) and completed with the status, tenant and client once known.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass
from typing import Any

MAX_ENTRIES = 100_000


@dataclass
class LoggedRequest:
    id: int
    at: str
    tenant_id: int | None
    client_id: str | None
    method: str
    path: str
    query: str
    status: int | None = None
    fault: str | None = None
    # The request's own headers, so that tests can see what a client sends.
    accept: str = ""
    content_type: str = ""

    def view(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": self.at,
            "tenant_id": self.tenant_id,
            "client_id": self.client_id,
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "status": self.status,
            "fault": self.fault,
            "accept": self.accept,
            "content_type": self.content_type,
        }


class RequestLog:
    def __init__(self) -> None:
        self._entries: deque[LoggedRequest] = deque(maxlen=MAX_ENTRIES)
        self._next_id = 1

    def start(
        self,
        *,
        at: str,
        tenant_id: int | None,
        client_id: str | None,
        method: str,
        path: str,
        query: str,
        accept: str = "",
        content_type: str = "",
    ) -> LoggedRequest:
        entry = LoggedRequest(
            id=self._next_id,
            at=at,
            tenant_id=tenant_id,
            client_id=client_id,
            method=method,
            path=path,
            query=query,
            accept=accept,
            content_type=content_type,
        )
        self._next_id += 1
        self._entries.append(entry)
        return entry

    def clear(self) -> None:
        # Ids keep growing so a reader's ``since_id`` stays meaningful after a clear.
        self._entries.clear()

    def select(
        self,
        *,
        tenant_id: int | None = None,
        since_id: int | None = None,
        path: str | None = None,
    ) -> list[LoggedRequest]:
        """Entries in order; ``path`` is a regular expression searched in the path."""
        pattern = re.compile(path) if path else None
        return [
            entry
            for entry in self._entries
            if (tenant_id is None or entry.tenant_id == tenant_id)
            and (since_id is None or entry.id > since_id)
            and (pattern is None or pattern.search(entry.path))
        ]
