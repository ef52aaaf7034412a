"""Rendering of errors: JSON with a stable code for the API, a Swedish page for people."""

from __future__ import annotations

from urllib.parse import urlencode

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from sgx.errors import AppError, FieldError
from sgx.web.templating import templates

log = structlog.get_logger(__name__)

_PYDANTIC_MESSAGES = {
    "missing": "Fältet måste fyllas i.",
    "string_too_long": "Texten är för lång.",
    "string_too_short": "Texten är för kort.",
    "int_parsing": "Ange ett heltal.",
    "decimal_parsing": "Ange ett belopp.",
    "date_from_datetime_parsing": "Ange ett datum (ÅÅÅÅ-MM-DD).",
    "date_parsing": "Ange ett datum (ÅÅÅÅ-MM-DD).",
    "greater_than": "Värdet är för litet.",
    "greater_than_equal": "Värdet är för litet.",
    "less_than_equal": "Värdet är för stort.",
    "extra_forbidden": "Okänt fält.",
    "bool_parsing": "Ange sant eller falskt.",
    "enum": "Ogiltigt värde.",
    "literal_error": "Ogiltigt värde.",
    "too_short": "Minst en rad krävs.",
}

_STATUS_MESSAGES = {
    400: "Begäran kunde inte läsas. Skicka giltig JSON i UTF-8.",
    401: "Du måste logga in.",
    403: "Du saknar behörighet för detta.",
    404: "Sidan finns inte.",
    405: "Metoden stöds inte.",
    500: "Ett oväntat fel inträffade. Försök igen om en stund.",
}


class ErrorFieldOut(BaseModel):
    field: str
    code: str
    message: str  # Swedish


class ErrorDetailOut(BaseModel):
    code: str  # stable, English
    message: str  # Swedish, says what is wrong
    fields: list[ErrorFieldOut]


class ErrorOut(BaseModel):
    """The body of every refusal of the API (``error_body``)."""

    error: ErrorDetailOut


# Documented on every API operation, so the OpenAPI says what a refusal looks like.
API_ERROR_RESPONSES: dict[int | str, dict[str, object]] = {
    status: {"model": ErrorOut, "description": description}
    for status, description in {
        400: "Begäran kunde inte läsas",
        401: "Inte inloggad eller ogiltig API-nyckel",
        403: "Rollen räcker inte",
        404: "Finns inte (eller hör till en annan fakturautställare)",
        409: "Går inte i det tillstånd som gäller nu",
        422: "Felaktiga uppgifter, ett meddelande per fält",
    }.items()
}


def wants_json(request: Request) -> bool:
    return (
        request.url.path.startswith("/api/")
        or "application/json" in request.headers.get("accept", "").split(",")[0]
    )


def error_body(error: AppError) -> dict[str, object]:
    return {
        "error": {
            "code": error.code,
            "message": error.message,
            "fields": [
                {"field": item.field, "code": item.code, "message": item.message}
                for item in error.field_errors
            ],
        }
    }


def render_error(request: Request, error: AppError) -> Response:
    if wants_json(request):
        return JSONResponse(error_body(error), status_code=error.status)
    if error.status == 401:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?{urlencode({'next': target})}", status_code=303)
    return templates.TemplateResponse(
        request, "error.html", {"error": error}, status_code=error.status
    )


def _field_errors(exc: RequestValidationError) -> list[FieldError]:
    items = []
    for detail in exc.errors():
        location = [str(part) for part in detail.get("loc", ()) if part not in ("body", "query")]
        kind = str(detail.get("type", "invalid"))
        items.append(
            FieldError(
                field=".".join(location) or "body",
                code=kind,
                message=_PYDANTIC_MESSAGES.get(kind, "Ogiltigt värde."),
            )
        )
    return items


def _value_out_of_range(exc: BaseException) -> bool:
    """The database could not take a value from the request (a number too large for its
    column): SQLite's driver raises ``OverflowError``; PostgreSQL's a data exception (SQLSTATE
    class 22), which asyncpg raises itself for arguments it cannot encode."""
    seen: BaseException | None = exc
    for _ in range(5):  # the driver's error sits a few causes down
        if seen is None:
            return False
        if isinstance(seen, OverflowError) or type(seen).__name__ == "DataError":
            return True
        if str(getattr(seen, "sqlstate", "") or "").startswith("22"):
            return True
        seen = getattr(seen, "orig", None) or seen.__cause__
    return False


VALUE_OUT_OF_RANGE = AppError(
    message="Ett tal i begäran är för stort (eller har fel form) för att kunna sparas eller sökas.",
    code="value_out_of_range",
    status=422,
)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def _app_error(request: Request, exc: AppError) -> Response:
        return render_error(request, exc)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
        error = AppError(
            message="Felaktiga uppgifter.",
            code="validation_failed",
            status=422,
            field_errors=_field_errors(exc),
        )
        return render_error(request, error)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = _STATUS_MESSAGES.get(exc.status_code, "Begäran kunde inte utföras.")
        return render_error(
            request,
            AppError(message=message, code=f"http_{exc.status_code}", status=exc.status_code),
        )

    @app.exception_handler(OverflowError)
    @app.exception_handler(DBAPIError)
    async def _database_refused_value(request: Request, exc: Exception) -> Response:
        if not _value_out_of_range(exc):
            raise exc  # a server error after all: the handler below renders it
        return render_error(request, VALUE_OUT_OF_RANGE)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        # A crash in the mounted API passes through the page app's handler as well: log it once.
        if not getattr(exc, "_sgx_logged", False):
            log.exception("unhandled_error", path=request.url.path)
            exc._sgx_logged = True  # type: ignore[attr-defined]
        return render_error(
            request, AppError(message=_STATUS_MESSAGES[500], code="internal_error", status=500)
        )
