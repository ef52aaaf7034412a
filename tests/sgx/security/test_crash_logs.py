"""A crash holding secrets leaves a traceback with the request id, and none of the secrets."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import httpx
import pytest
import structlog
from fastapi import FastAPI, Request
from sqlalchemy.ext.asyncio import AsyncSession

from sgx.kit.logs import configure_logging, scrub_text
from sgx.web.deps import CurrentPrincipal
from tests.builders.identity import bearer, make_api_token, make_user

PERSONNUMMER = "19121212-1212"
PERSONNUMMER_DIGITS = "191212121212"


@pytest.fixture(params=["development", "production"])
def log_output(request: pytest.FixtureRequest) -> Iterator[io.StringIO]:
    """What the process would print, rendered as in development (lines) or production (JSON)."""
    stream = io.StringIO()
    previous = structlog.get_config()
    root = logging.getLogger()
    level = root.level
    handler = configure_logging(json_lines=request.param == "production", stream=stream)
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)
    structlog.configure(**previous)


def api_of(app: FastAPI) -> FastAPI:
    return next(route.app for route in app.routes if getattr(route, "path", "") == "/api/v1")  # type: ignore[attr-defined]


def add_crashing_routes(app: FastAPI) -> None:
    async def crash_holding_secrets(request: Request, principal: CurrentPrincipal) -> None:
        authorization = request.headers["authorization"]
        personnummer = PERSONNUMMER
        patient = {"personnummer": PERSONNUMMER_DIGITS, "access_token": authorization}  # noqa: F841
        raise ValueError(f"patient {personnummer} could not be read")

    api_of(app).add_api_route("/crash", crash_holding_secrets, methods=["GET"])
    app.add_api_route("/crash-page", crash_holding_secrets, methods=["GET"])


async def test_api_crash_logs_request_id_and_traceback_but_no_token_or_personnummer(
    app: FastAPI, client: httpx.AsyncClient, session: AsyncSession, log_output: io.StringIO
) -> None:
    token = await make_api_token(session, user=await make_user(session))
    await session.commit()
    add_crashing_routes(app)

    response = await client.get("/api/v1/crash", headers=bearer(token))

    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal_error"
    output = log_output.getvalue()
    request_id = response.headers["x-request-id"]
    assert (
        "unhandled_error" in output and "ValueError" in output and "crash_holding_secrets" in output
    )
    assert all(request_id in line for line in output.splitlines() if "unhandled_error" in line), (
        output
    )
    assert token not in output and token.removeprefix("sgx_") not in output
    assert PERSONNUMMER not in output and PERSONNUMMER_DIGITS not in output
    assert output.count("unhandled_error") == 1  # the mounted API's crash is logged once


async def test_page_crash_with_a_cookie_and_a_bearer_header_keeps_both_out_of_the_log(
    app: FastAPI, client: httpx.AsyncClient, session: AsyncSession, log_output: io.StringIO
) -> None:
    token = await make_api_token(session, user=await make_user(session))
    await session.commit()
    add_crashing_routes(app)

    response = await client.get(
        "/crash-page", headers={**bearer(token), "Cookie": "sgx_session=secret-cookie-value"}
    )

    assert response.status_code == 500
    output = log_output.getvalue()
    assert response.headers["x-request-id"] in output
    assert token not in output and "secret-cookie-value" not in output
    assert PERSONNUMMER not in output


async def test_uvicorn_and_other_library_lines_go_through_the_same_redaction(
    log_output: io.StringIO,
) -> None:
    logging.getLogger("uvicorn.error").error(
        "call failed: Authorization: Bearer sgx_abcdefghijklmnop for %s", "19121212-1212"
    )

    output = log_output.getvalue()
    assert "call failed" in output
    assert "sgx_abcdefghijklmnop" not in output and "19121212-1212" not in output


async def test_secret_named_fields_are_redacted_at_any_depth(log_output: io.StringIO) -> None:
    structlog.get_logger("test").info(
        "fortnox_answer",
        headers={"Authorization": "Basic dXNlcjpwYXNz", "Accept": "application/json"},
        body={"token": {"access_token": "abc.def", "refresh_token": "refresh-r1"}, "Status": "ok"},
        client_secret="shh-it-is-secret",
    )

    output = log_output.getvalue()
    assert "application/json" in output and "fortnox_answer" in output
    for secret in ("dXNlcjpwYXNz", "abc.def", "refresh-r1", "shh-it-is-secret"):
        assert secret not in output


def test_scrubbing_keeps_organisation_numbers_dates_and_request_ids() -> None:
    text = "org 556036-0793 at 2026-12-03T05:14:40 request a8501011234b0c1d"

    assert scrub_text(text) == text
    assert scrub_text("pnr 900101-1234 / 199001011234") == "pnr [redacted] / [redacted]"
