"""One Jinja2 environment over the base templates and every domain's ``templates/`` folder."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, Environment, PackageLoader, select_autoescape

from sgx.kit.clock import STOCKHOLM
from sgx.web.csrf import CSRF_FIELD, csrf_token

TEMPLATE_PACKAGES = [
    "sgx.web",
    "sgx.identity",
    "sgx.issuers",
    "sgx.parties",
    "sgx.catalog",
    "sgx.invoicing",
    "sgx.integration",
    "sgx.worklist",
]


def _loader() -> ChoiceLoader:
    loaders = []
    for package in TEMPLATE_PACKAGES:
        try:
            loaders.append(PackageLoader(package, "templates"))
        except ValueError:  # the domain has no templates yet
            continue
    return ChoiceLoader(loaders)


def _context(request: Request) -> dict[str, Any]:
    return {
        "csrf_field": CSRF_FIELD,
        "csrf_token": csrf_token(request) if "session" in request.scope else "",
        "principal": getattr(request.state, "principal", None),
        "settings": request.app.state.settings,
    }


def local_time(value: dt.datetime | None, pattern: str = "%Y-%m-%d %H:%M") -> str:
    """A stored (UTC) time as Swedish local time; "–" when there is none."""
    return value.astimezone(STOCKHOLM).strftime(pattern) if value else "–"


environment = Environment(loader=_loader(), autoescape=select_autoescape(), enable_async=False)
environment.filters["local_time"] = local_time
templates = Jinja2Templates(env=environment, context_processors=[_context])
