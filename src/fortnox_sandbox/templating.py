"""Jinja2 rendering for the sandbox's HTML: the Fortnox login/consent pages and the UI."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

_environment = Environment(
    loader=PackageLoader("fortnox_sandbox", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def base_path(request: Request) -> str:
    """Where the sandbox is mounted (``""`` standalone), for links and form actions."""
    root_path: str = request.scope.get("root_path", "")
    return root_path.rstrip("/")


def render(
    request: Request, template: str, *, status_code: int = 200, **context: Any
) -> HTMLResponse:
    html = _environment.get_template(template).render(base=base_path(request), **context)
    return HTMLResponse(html, status_code=status_code)
