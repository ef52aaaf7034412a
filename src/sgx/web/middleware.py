"""The outermost layers of the application: a request id and security headers on every answer.

They sit outside Starlette's own error middleware (``SgxApp.build_middleware_stack``), so the
500 page of a crash carries the headers too and the crash's log line carries the request id.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from urllib.parse import urlsplit

import structlog
from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER = "X-Request-ID"
# A caller's own request id is kept when it is short and harmless (it ends up in log lines).
_ACCEPTABLE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


class SgxApp(FastAPI):
    """FastAPI with layers around everything, including ``ServerErrorMiddleware``."""

    outer_layers: list[Callable[[ASGIApp], ASGIApp]]

    def build_middleware_stack(self) -> ASGIApp:
        app = super().build_middleware_stack()
        for wrap in reversed(getattr(self, "outer_layers", [])):
            app = wrap(app)
        return app


class RequestContext:
    """Give each request an id, bind it to every log line of the request, and answer with it.

    A crash has been logged (with the id) by the error handler and answered with a 500 by the
    time it reaches this layer; it is not raised further, so the server does not print the same
    traceback a second time without the id.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _request_id(scope)
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        with structlog.contextvars.bound_contextvars(request_id=request_id):
            try:
                await self.app(scope, receive, send_with_id)
            except Exception:
                if not started:
                    raise


def _request_id(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name == b"x-request-id":
            candidate = value.decode("latin-1")
            if _ACCEPTABLE_REQUEST_ID.fullmatch(candidate):
                return candidate
    return uuid.uuid4().hex


def content_security_policy(*, form_targets: list[str], inline_styles: bool = False) -> str:
    """No inline script anywhere; forms may go to this site and to Fortnox's login."""
    style = "'self' 'unsafe-inline'" if inline_styles else "'self'"
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            f"style-src {style}",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action " + " ".join(["'self'", *form_targets]),
            "frame-ancestors 'none'",
        ]
    )


# FastAPI's interactive API documentation loads Swagger UI from a CDN and starts it with an
# inline script; that one page (no personal data on it) gets a policy that lets it run.
_API_DOCS_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' https://cdn.jsdelivr.net 'unsafe-inline'",
        "style-src 'self' https://cdn.jsdelivr.net",
        "img-src 'self' data: https://fastapi.tiangolo.com",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)
HSTS = "max-age=31536000; includeSubDomains"


class SecurityHeaders:
    """Security headers on every answer; ``Cache-Control: no-store`` on all but static files
    (pages and API answers may carry personnummer, and must not stay in a shared cache)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        production: bool,
        form_targets: list[str],
        api_docs_paths: tuple[str, ...] = (),
        inline_style_prefixes: tuple[str, ...] = (),
        cacheable_prefixes: tuple[str, ...] = ("/static/",),
    ) -> None:
        self.app = app
        self.production = production
        self.policy = content_security_policy(form_targets=form_targets)
        self.inline_style_policy = content_security_policy(
            form_targets=form_targets, inline_styles=True
        )
        self.api_docs_paths = api_docs_paths
        self.inline_style_prefixes = inline_style_prefixes
        self.cacheable_prefixes = cacheable_prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                self._add_headers(MutableHeaders(scope=message), path)
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _add_headers(self, headers: MutableHeaders, path: str) -> None:
        headers["Content-Security-Policy"] = self._policy_for(path)
        headers["X-Content-Type-Options"] = "nosniff"
        headers["X-Frame-Options"] = "DENY"
        headers["Referrer-Policy"] = "same-origin"
        if self.production:
            headers["Strict-Transport-Security"] = HSTS
        if not path.startswith(self.cacheable_prefixes):
            headers["Cache-Control"] = "no-store"

    def _policy_for(self, path: str) -> str:
        if path in self.api_docs_paths:
            return _API_DOCS_POLICY
        if self.inline_style_prefixes and path.startswith(self.inline_style_prefixes):
            return self.inline_style_policy
        return self.policy


def origin_of(url: str) -> str | None:
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"
