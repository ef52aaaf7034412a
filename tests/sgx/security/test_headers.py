"""Security headers on pages, API answers, errors and crashes; templates a strict CSP allows."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from importlib.resources import files
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.fernet import Fernet
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from sgx.app import create_app
from sgx.settings import Settings
from tests.builders.identity import bearer, make_api_token, make_issuer, make_user

COMMON = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
}


def assert_strict_headers(response: httpx.Response) -> None:
    for name, value in COMMON.items():
        assert response.headers.get(name) == value, (name, response.request.url)
    policy = response.headers["content-security-policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert response.headers["x-request-id"]


async def test_login_page_and_static_files_carry_the_headers(client: httpx.AsyncClient) -> None:
    page = await client.get("/login")
    style = await client.get("/static/app.css")

    assert page.status_code == 200 and style.status_code == 200
    assert_strict_headers(page)
    assert_strict_headers(style)
    assert page.headers["cache-control"] == "no-store"
    assert "no-store" not in style.headers.get("cache-control", "")
    assert "strict-transport-security" not in page.headers  # not outside production


async def test_authenticated_page_and_api_answer_are_not_stored(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer = await make_issuer(session)
    headers = bearer(await make_api_token(session, user=await make_user(session, is_support=True)))
    await session.commit()

    page = await client.get(f"/issuers/{issuer.id}", headers=headers)
    answer = await client.get("/api/v1/me", headers=headers)
    refusal = await client.get("/api/v1/me")

    assert (page.status_code, answer.status_code, refusal.status_code) == (200, 200, 401)
    for response in (page, answer, refusal):
        assert_strict_headers(response)
        assert response.headers["cache-control"] == "no-store"


async def test_a_crash_answer_carries_the_headers(app: Any, client: httpx.AsyncClient) -> None:
    async def crash() -> None:
        raise RuntimeError("boom")

    app.add_api_route("/crash", crash, methods=["GET"])

    response = await client.get("/crash", headers={"accept": "application/json"})

    assert response.status_code == 500
    assert_strict_headers(response)
    assert response.headers["cache-control"] == "no-store"


async def test_a_callers_request_id_is_kept_when_harmless(client: httpx.AsyncClient) -> None:
    kept = await client.get("/login", headers={"X-Request-ID": "trace-1234abcd"})
    replaced = await client.get("/login", headers={"X-Request-ID": "a b\tc {json} " * 3})

    assert kept.headers["x-request-id"] == "trace-1234abcd"
    assert re.fullmatch(r"[0-9a-f]{32}", replaced.headers["x-request-id"])


async def test_embedded_sandbox_pages_may_style_inline_but_never_run_inline_script(
    client: httpx.AsyncClient,
) -> None:
    page = await client.get("/fortnox-sandbox/_sandbox/ui")

    assert page.status_code == 200 and "<style" in page.text
    policy = page.headers["content-security-policy"]
    assert "style-src 'self' 'unsafe-inline'" in policy
    assert "script-src 'self';" in policy and "frame-ancestors 'none'" in policy


@pytest.fixture
async def production_client(
    database_url: str, engine: AsyncEngine
) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(
        environment="production",
        database_url=database_url,
        public_url="https://sgx.example.se",
        secret_key="k" * 48,
        encryption_keys=Fernet.generate_key().decode(),
        fortnox_sandbox=False,
        fortnox_client_id="production-client",
        fortnox_client_secret="production-secret",
        run_worker_in_process=False,
    )
    app = create_app(settings, engine=engine)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="https://sgx.example.se"
    ) as client:
        yield client


async def test_production_adds_hsts_and_lets_forms_reach_fortnox_login(
    production_client: httpx.AsyncClient,
) -> None:
    page = await production_client.get("/login")
    answer = await production_client.get("/api/v1/me")

    for response in (page, answer):
        assert_strict_headers(response)
        assert response.headers["strict-transport-security"].startswith("max-age=31536000")
    assert "form-action 'self' https://apps.fortnox.se" in page.headers["content-security-policy"]


TEMPLATE_ROOTS = [Path(str(files("sgx")))]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style|\sstyle\s*=", re.IGNORECASE)


def test_no_sgx_template_has_inline_script_handlers_or_styles() -> None:
    templates = [path for root in TEMPLATE_ROOTS for path in root.rglob("templates/**/*.html")]
    assert len(templates) > 10
    for path in templates:
        text = path.read_text(encoding="utf-8")
        assert not INLINE_SCRIPT.search(text), path
        assert not INLINE_HANDLER.search(text), path
        assert not INLINE_STYLE.search(text), path
        assert "javascript:" not in text.lower(), path
