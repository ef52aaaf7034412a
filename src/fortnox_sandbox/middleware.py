"""Around Fortnox's surface (``/3/``, ``/oauth-v1/``): request log, fault plans, rate limit.

Order per request: log entry (arrival order) → fault plan (may answer, wait, or drop) → rate
limit for calls with a valid token → under ``/3/``, an ``Accept`` header that rules out JSON is
refused with 1000030 as Fortnox does (a wrong ``Content-Type`` is 1000031, checked where a body
is read) → the route. After any state-changing request (to any path,
the control plane included) the backend is snapshotted when it has a state file.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import logging
from dataclasses import dataclass
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fortnox_sandbox.backend import SandboxBackend
from fortnox_sandbox.errors import INVALID_RESPONSE_TYPE, FortnoxApiError, Unauthorized
from fortnox_sandbox.faults import (
    ConnectionDropped,
    Fault,
    drop_connection,
    fault_response,
    send_body,
)
from fortnox_sandbox.ratelimit import TOO_MANY_REQUESTS_BODY
from fortnox_sandbox.requestlog import LoggedRequest

logger = logging.getLogger(__name__)
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def route_path(scope: Scope) -> str:
    """The path inside the sandbox, also when it is mounted under a prefix."""
    path: str = scope["path"]
    root_path: str = scope.get("root_path", "")
    if root_path and path.startswith(root_path):
        path = path[len(root_path) :] or "/"
    return path


def is_fortnox_surface(path: str) -> bool:
    return path == "/3" or path.startswith("/3/") or path.startswith("/oauth-v1/")


def path_of_rest(scope: Scope) -> bool:
    path = route_path(scope)
    return path == "/3" or path.startswith("/3/")


def accepts_json(accept: str) -> bool:
    """No header, ``*/*`` or any JSON type will do; only XML or the like is refused."""
    if not accept.strip():
        return True
    types = [part.split(";")[0].strip().lower() for part in accept.split(",")]
    return any(t in ("*/*", "application/*") or "json" in t for t in types)


@dataclass
class Caller:
    tenant_id: int | None = None
    client_id: str | None = None
    valid_token: bool = False


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return ""


def identify(backend: SandboxBackend, scope: Scope, path: str) -> Caller:
    """Who is calling, as far as can be told before the route runs."""
    authorization = _header(scope, b"authorization")
    scheme, _, credentials = authorization.partition(" ")
    if path.startswith("/oauth-v1/"):
        caller = Caller()
        if scheme.lower() == "basic":
            try:
                decoded = base64.b64decode(credentials.strip()).decode("utf-8")
                caller.client_id = decoded.partition(":")[0] or None
            except (binascii.Error, UnicodeDecodeError):
                pass
        tenant = _header(scope, b"tenantid")
        caller.tenant_id = int(tenant) if tenant.isdigit() else None
        return caller
    if scheme.lower() != "bearer" or not credentials.strip():
        return Caller()
    try:
        context = backend.resolve_access_token(credentials.strip())
    except Unauthorized:
        return Caller()
    return Caller(context.company.tenant_id, context.client_id, valid_token=True)


class FortnoxSurfaceMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        backend: SandboxBackend = scope["app"].state.backend
        path = route_path(scope)
        try:
            if is_fortnox_surface(path):
                await self._serve_surface(backend, scope, receive, send, path)
            else:
                await self.app(scope, receive, send)
        finally:
            if scope["method"] not in READ_METHODS:
                self._snapshot(backend)

    @staticmethod
    def _snapshot(backend: SandboxBackend) -> None:
        try:
            backend.save()
        except Exception:  # a broken snapshot must not break the sandbox itself
            logger.exception("could not write the sandbox state file")

    async def _serve_surface(
        self, backend: SandboxBackend, scope: Scope, receive: Receive, send: Send, path: str
    ) -> None:
        caller = identify(backend, scope, path)
        method: str = scope["method"]
        entry = backend.request_log.start(
            at=backend.clock.now().isoformat(),
            tenant_id=caller.tenant_id,
            client_id=caller.client_id,
            method=method,
            path=path,
            query=scope.get("query_string", b"").decode("latin-1"),
            accept=_header(scope, b"accept"),
            content_type=_header(scope, b"content-type"),
        )
        # Routes report what they learn (e.g. the tenant of a code exchange) in the scope state.
        state: dict[str, Any] = scope.setdefault("state", {})
        fault = backend.faults.pick(tenant_id=caller.tenant_id, method=method, path=path)
        entry.fault = fault.kind if fault else None
        try:
            await self._serve(backend, scope, receive, send, caller, fault, entry)
        except Exception as exc:
            if entry.status is None and not isinstance(exc, ConnectionDropped):
                entry.status = 500
            raise
        finally:
            entry.tenant_id = state.get("tenant_id", entry.tenant_id)
            entry.client_id = state.get("client_id", entry.client_id)

    async def _serve(
        self,
        backend: SandboxBackend,
        scope: Scope,
        receive: Receive,
        send: Send,
        caller: Caller,
        fault: Fault | None,
        entry: LoggedRequest,
    ) -> None:
        async def recording_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                entry.status = message["status"]
            await send(message)

        kind = fault.kind if fault else None
        if fault is not None and kind in ("status", "rate_limit"):
            await send_body(recording_send, *fault_response(fault))
            return
        if kind == "reset":
            await drop_connection(send)  # nothing applied, no status
        if fault is not None and kind == "latency":
            await asyncio.sleep((fault.latency_ms or 0) / 1000)
        if caller.valid_token and not self._within_rate_limit(backend, caller):
            body = json.dumps(TOO_MANY_REQUESTS_BODY).encode()
            await send_body(recording_send, 429, "application/json", body)
            return
        if path_of_rest(scope) and not accepts_json(entry.accept):
            error = FortnoxApiError(400, INVALID_RESPONSE_TYPE, "Invalid response type")
            body = json.dumps(error.body()).encode()
            await send_body(recording_send, 400, "application/json", body)
            return
        if kind == "keep_on_null":
            scope.setdefault("state", {})["keep_on_null"] = True
        if kind == "commit_then_drop":

            async def swallow(message: Message) -> None:
                # The log keeps what the route answered; the client never sees it.
                if message["type"] == "http.response.start":
                    entry.status = message["status"]

            await self.app(scope, receive, swallow)
            self._snapshot(backend)  # the write is durable although the answer is lost
            await drop_connection(send)
        await self.app(scope, receive, recording_send)

    @staticmethod
    def _within_rate_limit(backend: SandboxBackend, caller: Caller) -> bool:
        assert caller.client_id is not None and caller.tenant_id is not None
        return backend.rate_limiter.allow(
            client_id=caller.client_id,
            tenant_id=caller.tenant_id,
            now=backend.clock.now().timestamp(),
        )
