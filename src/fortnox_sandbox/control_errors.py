"""The control plane's error: ``{"error": "<code>", "detail": "<text>"}`` with 400, 404 or 409."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse


class ControlError(Exception):
    def __init__(self, status: int, error: str, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.error = error
        self.detail = detail
        self.extra = extra

    def response(self) -> JSONResponse:
        body = {"error": self.error, "detail": self.detail, **self.extra}
        return JSONResponse(body, status_code=self.status)
