"""Fault plans: make chosen calls to Fortnox's surface fail the way networks and Fortnox fail.

A fault matches requests by tenant, method and path (a regular expression searched in the
path) and fires for the next ``count`` of them, or for each with ``probability`` drawn from its
own seeded generator (deterministic), or both. Kinds:

* ``status`` — answer ``status`` (500 with Fortnox's system-error body, other 5xx with a bare
  HTML page like a load balancer in a maintenance window), nothing applied;
* ``rate_limit`` — answer 429 as the rate limiter does, nothing applied;
* ``latency`` — wait ``latency_ms`` and then serve normally;
* ``reset`` — close the connection before applying anything;
* ``commit_then_drop`` — apply the request, then close the connection without an answer;
* ``keep_on_null`` — serve an update normally except that a field sent as ``null`` is kept
  instead of cleared, as though Fortnox did not honour the clear: how a caller's check of
  Fortnox's answer is tested.

A closed connection must look like one to the client in both ways the sandbox runs: in-process
(``httpx.ASGITransport`` re-raises the app's exception, so the app raises an
``httpx.RemoteProtocolError``) and under a real server (the app starts a response announcing a
body and then fails, so the server closes the socket and the client sees a truncated answer).
"""

from __future__ import annotations

import json
import logging
import random
import re
import uuid
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

import httpx
from starlette.types import Send

from fortnox_sandbox.ratelimit import TOO_MANY_REQUESTS_BODY

KINDS = ("status", "rate_limit", "latency", "reset", "commit_then_drop", "keep_on_null")


class ConnectionDropped(httpx.RemoteProtocolError):
    """The sandbox closed the connection on purpose (a ``reset`` or ``commit_then_drop``)."""


@dataclass
class Fault:
    fault_id: str
    kind: str
    tenant_id: int | None = None
    method: str | None = None
    path: str | None = None
    status: int | None = None
    latency_ms: int | None = None
    probability: float | None = None
    count: int | None = None
    seed: int | None = None
    body: Any = None
    fired: int = 0
    matched: int = 0
    _random: random.Random = field(default_factory=random.Random, repr=False)

    @property
    def active(self) -> bool:
        return self.count is None or self.fired < self.count

    def matches(self, *, tenant_id: int | None, method: str, path: str) -> bool:
        if self.tenant_id is not None and self.tenant_id != tenant_id:
            return False
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return self.path is None or re.search(self.path, path) is not None

    def fires(self) -> bool:
        """Decide for one matching request; draws only when a probability is set."""
        if not self.active:
            return False
        self.matched += 1
        if self.probability is not None and self._random.random() >= self.probability:
            return False
        self.fired += 1
        return True

    def view(self) -> dict[str, Any]:
        return {
            "fault_id": self.fault_id,
            "kind": self.kind,
            "tenant_id": self.tenant_id,
            "method": self.method,
            "path": self.path,
            "status": self.status,
            "latency_ms": self.latency_ms,
            "probability": self.probability,
            "count": self.count,
            "seed": self.seed,
            "active": self.active,
            "matched": self.matched,
            "fired": self.fired,
        }


class FaultBook:
    def __init__(self) -> None:
        self._faults: dict[str, Fault] = {}

    def add(self, *, kind: str, seed: int | None = None, **fields: Any) -> Fault:
        fault = Fault(fault_id=uuid.uuid4().hex[:12], kind=kind, seed=seed, **fields)
        fault._random = random.Random(seed)
        self._faults[fault.fault_id] = fault
        return fault

    def all(self) -> list[Fault]:
        return list(self._faults.values())

    def remove(self, fault_id: str) -> bool:
        return self._faults.pop(fault_id, None) is not None

    def clear(self) -> None:
        self._faults.clear()

    def pick(self, *, tenant_id: int | None, method: str, path: str) -> Fault | None:
        """The first fault (in creation order) that matches and fires for this request."""
        for fault in self._faults.values():
            if fault.matches(tenant_id=tenant_id, method=method, path=path) and fault.fires():
                return fault
        return None


def _json(body: Any) -> bytes:
    return json.dumps(body, ensure_ascii=False).encode()


def fault_response(fault: Fault) -> tuple[int, str, bytes]:
    """Status, content type and body for a ``status`` or ``rate_limit`` fault."""
    if fault.kind == "rate_limit":
        return 429, "application/json", _json(fault.body or TOO_MANY_REQUESTS_BODY)
    status = fault.status or 500
    if fault.body is not None:
        return status, "application/json", _json(fault.body)
    if status == 500:
        error = {"Error": 1, "Message": "Ett systemfel har uppstått.", "Code": 1000003}
        return status, "application/json", _json({"ErrorInformation": error})
    if status == 401:
        return status, "application/json", _json({"message": "unauthorized"})
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    if status >= 500:
        # Maintenance windows and gateways answer without any Fortnox error code.
        page = f"<html><body><h1>{status} {phrase}</h1></body></html>"
        return status, "text/html; charset=UTF-8", page.encode()
    return status, "application/json", _json({"message": phrase})


async def send_body(send: Send, status: int, content_type: str, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", content_type.encode()),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def drop_connection(send: Send) -> None:
    """Close the connection without an answer (see the module docstring for the two ways)."""
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json"), (b"content-length", b"2")],
        }
    )
    raise ConnectionDropped("Server disconnected without sending a complete response.")


class _SkipDroppedConnections(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, ConnectionDropped)


_QUIET = _SkipDroppedConnections()


def quiet_dropped_connections() -> None:
    """Keep deliberate drops out of the server's error log (they are in the request log)."""
    logging.getLogger("uvicorn.error").addFilter(_QUIET)
