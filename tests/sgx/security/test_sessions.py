"""Sessions: signed with a secret of the installation's own; forged content means logged out."""

from __future__ import annotations

import json
import stat
from base64 import b64encode
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from itsdangerous import TimestampSigner
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from sgx.app import create_app
from sgx.kit.installation_secret import installation_secret, secret_file_beside
from sgx.settings import Settings
from sgx.web.sessions import SESSION_COOKIE, session_secret
from tests.builders.identity import make_issuer, make_user
from tests.sgx.identity.pages import log_in

KNOWN_KEY = "a-key-an-attacker-happens-to-know-0123456789"


def forged_cookie(content: Any, key: str = KNOWN_KEY) -> str:
    """A cookie as Starlette's SessionMiddleware would sign it."""
    data = b64encode(json.dumps(content).encode())
    return TimestampSigner(key).sign(data).decode()


@pytest.fixture
async def keyed_client(
    database_url: str, engine: AsyncEngine, sandbox_app: Any
) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(
        environment="test",
        database_url=database_url,
        public_url="http://testserver",
        secret_key=KNOWN_KEY,
    )
    app = create_app(settings, engine=engine, sandbox_app=sandbox_app)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        yield client


@pytest.mark.parametrize(
    "content",
    [
        {"user_id": "1 or 1=1"},
        {"user_id": True},
        {"user_id": 1.0},
        {"user_id": [1]},
        {"user_id": 2**70},
        {"user_id": 1, "csrf": {"not": "text"}},
        ["user_id", 1],
    ],
    ids=["text", "true", "float", "list", "huge", "csrf-object", "not-an-object"],
)
async def test_session_of_unexpected_content_is_a_logged_out_request(
    keyed_client: httpx.AsyncClient, session: AsyncSession, content: Any
) -> None:
    # A user 1 exists, so a content read loosely (true → 1) would sign someone in.
    user = await make_user(session, is_support=True)
    await session.commit()
    if content == {"user_id": True}:
        assert user.id == 1

    keyed_client.cookies.set(SESSION_COOKIE, forged_cookie(content))
    response = await keyed_client.get("/issuers")

    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")
    assert f"{SESSION_COOKIE}=null" in response.headers.get("set-cookie", "")


async def test_well_formed_session_still_signs_the_user_in(
    keyed_client: httpx.AsyncClient, session: AsyncSession
) -> None:
    user = await make_user(session, is_support=True)
    await make_issuer(session, name="Kliniken Syd")
    await session.commit()

    keyed_client.cookies.set(SESSION_COOKIE, forged_cookie({"user_id": user.id}))
    response = await keyed_client.get("/issuers")

    assert response.status_code == 200 and "Kliniken Syd" in response.text


def development_settings(database_url: str, secret_file: Path) -> Settings:
    return Settings(
        environment="development",
        database_url=database_url,
        public_url="http://testserver",
        secret_key_file=str(secret_file),
        run_worker_in_process=False,
    )


async def test_without_a_configured_key_a_login_survives_a_restart_but_not_another_installation(
    database_url: str, engine: AsyncEngine, sandbox_app: Any, session: AsyncSession, tmp_path: Path
) -> None:
    await make_user(session, username="anna", password="losenord-123", is_support=True)
    await session.commit()
    ours, theirs = tmp_path / "ours" / "secret-key", tmp_path / "theirs" / "secret-key"

    async def client_for(secret_file: Path) -> httpx.AsyncClient:
        app = create_app(
            development_settings(database_url, secret_file), engine=engine, sandbox_app=sandbox_app
        )
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        )

    async with await client_for(ours) as first:
        await log_in(first, "anna", "losenord-123")
        cookie = first.cookies[SESSION_COOKIE]
    async with await client_for(ours) as restarted, await client_for(theirs) as other:
        restarted.cookies.set(SESSION_COOKIE, cookie)
        other.cookies.set(SESSION_COOKIE, cookie)
        assert (await restarted.get("/issuers")).status_code == 200
        assert (await other.get("/issuers")).status_code == 303
    for key in (KNOWN_KEY, "dev-secret-key-change-me"):
        assert ours.read_text().strip() != key
    assert stat.S_IMODE(ours.stat().st_mode) == 0o600


def test_installation_secret_is_made_once_even_by_processes_starting_together(
    tmp_path: Path,
) -> None:
    path = tmp_path / "var" / "secret-key"

    with ThreadPoolExecutor(max_workers=8) as pool:
        secrets_seen = set(pool.map(lambda _: installation_secret(path), range(16)))

    assert len(secrets_seen) == 1 and len(secrets_seen.pop()) >= 60
    assert [item.name for item in path.parent.iterdir()] == ["secret-key"]


def test_secret_lives_beside_a_sqlite_database_else_in_var() -> None:
    assert secret_file_beside("sqlite+aiosqlite:///./data/sgx.db") == Path("data/secret-key")
    assert secret_file_beside("sqlite+aiosqlite:////srv/sgx/sgx.db") == Path("/srv/sgx/secret-key")
    assert secret_file_beside("postgresql+asyncpg://db/sgx") == Path("var/secret-key")


def test_a_configured_key_is_used_as_it_is(tmp_path: Path) -> None:
    settings = development_settings("sqlite+aiosqlite:///x.db", tmp_path / "secret-key")

    assert session_secret(settings.model_copy(update={"secret_key": KNOWN_KEY})) == KNOWN_KEY
    assert not (tmp_path / "secret-key").exists()
