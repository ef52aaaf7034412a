"""HTTP translation shared by the ``/3/`` routers: bodies in, Fortnox's JSON and wrappers out."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from fortnox_sandbox import wire
from fortnox_sandbox.auth import backend_of
from fortnox_sandbox.backend import AccessContext
from fortnox_sandbox.errors import INVALID_CONTENT_TYPE
from fortnox_sandbox.listing import Page
from fortnox_sandbox.resources.common import Ctx, context_for


class FortnoxJSONResponse(Response):
    """JSON the way Fortnox writes it (numbers from ``Decimal``, escaped slashes)."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return wire.dumps(content).encode("utf-8")


def context(request: Request, access: AccessContext) -> Ctx:
    base_url = str(request.base_url).rstrip("/")
    return context_for(backend_of(request), access.company, base_url=base_url)


def query(request: Request) -> dict[str, str]:
    """Query parameters; Fortnox's are lower-case, so keys are compared lower-cased."""
    return {key.lower(): value for key, value in request.query_params.items()}


def clears_on_null(request: Request) -> bool:
    """False while a ``keep_on_null`` fault plan applies to this request."""
    return not request.scope.get("state", {}).get("keep_on_null", False)


async def body(request: Request, wrapper: str) -> dict[str, Any]:
    content_type = request.headers.get("content-type", "")
    if content_type and "json" not in content_type.lower():
        raise wire.bad_request(INVALID_CONTENT_TYPE, "Invalid content type")
    return wire.parse_body(await request.body(), wrapper)


def single(wrapper: str, view: dict[str, Any], *, status: int = 200) -> FortnoxJSONResponse:
    return FortnoxJSONResponse({wrapper: view}, status_code=status)


def listed(plural: str, page: Page, items: list[dict[str, Any]]) -> FortnoxJSONResponse:
    return FortnoxJSONResponse({"MetaInformation": page.meta(), plural: items})


def no_content() -> Response:
    return Response(status_code=204)
