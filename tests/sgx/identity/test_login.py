"""Login, logout, the session cookie and CSRF protection of the forms."""

from __future__ import annotations

import httpx
import pytest
from argon2 import PasswordHasher
from sqlalchemy.ext.asyncio import AsyncSession

from sgx.identity.models import User
from sgx.identity.passwords import needs_rehash, verify_password
from tests.builders.identity import make_user
from tests.sgx.identity.pages import csrf_from, log_in

PASSWORD = "rätt-lösenord-123"
CSRF_MESSAGE = "Formuläret har gått ut. Ladda om sidan och försök igen."


async def test_login_page_is_swedish_and_carries_a_csrf_field(client: httpx.AsyncClient) -> None:
    response = await client.get("/login")

    assert response.status_code == 200
    assert '<html lang="sv">' in response.text and "Logga in" in response.text
    assert csrf_from(response.text)


async def test_session_cookie_is_httponly_and_samesite_lax(client: httpx.AsyncClient) -> None:
    response = await client.get("/login")

    cookie = response.headers["set-cookie"].lower()
    assert cookie.startswith("sgx_session=")
    assert "httponly" in cookie and "samesite=lax" in cookie


async def test_login_with_the_right_password_signs_in_and_goes_to_the_issuers(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await make_user(session, username="anna", password=PASSWORD)
    await session.commit()

    response = await log_in(client, "anna", PASSWORD)

    assert response.status_code == 303 and response.headers["location"] == "/issuers"
    assert (await client.get("/")).headers["location"] == "/issuers"


@pytest.mark.parametrize(
    ("username", "password", "active"),
    [("anna", "fel-lösenord-123", True), ("okänd", PASSWORD, True), ("anna", PASSWORD, False)],
    ids=["wrong password", "unknown user", "inactive user"],
)
async def test_failed_login_says_the_same_thing_whatever_was_wrong(
    client: httpx.AsyncClient, session: AsyncSession, username: str, password: str, active: bool
) -> None:
    await make_user(session, username="anna", password=PASSWORD, is_active=active)
    await session.commit()

    response = await log_in(client, username, password)

    assert response.status_code == 401
    assert "Fel användarnamn eller lösenord." in response.text
    assert (await client.get("/")).headers["location"] == "/login"


async def test_login_form_without_csrf_token_is_refused_in_swedish(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await make_user(session, username="anna", password=PASSWORD)
    await session.commit()
    await client.get("/login")

    response = await client.post("/login", data={"username": "anna", "password": PASSWORD})

    assert response.status_code == 403
    assert CSRF_MESSAGE in response.text
    assert (await client.get("/")).headers["location"] == "/login"


async def test_login_with_a_wrong_csrf_token_is_refused(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await make_user(session, username="anna", password=PASSWORD)
    await session.commit()
    await client.get("/login")

    response = await client.post(
        "/login", data={"username": "anna", "password": PASSWORD, "csrf_token": "förfalskad"}
    )

    assert response.status_code == 403


async def test_login_starts_a_new_session_so_the_old_csrf_token_is_dead(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await make_user(session, username="anna", password=PASSWORD)
    await session.commit()
    token_before_login = csrf_from((await client.get("/login")).text)

    await client.post(
        "/login",
        data={"username": "anna", "password": PASSWORD, "csrf_token": token_before_login},
    )
    response = await client.post("/logout", data={"csrf_token": token_before_login})

    assert response.status_code == 403
    assert (await client.get("/")).headers["location"] == "/issuers"


@pytest.mark.parametrize(
    ("next_path", "destination"),
    [
        ("/issuers/7/invoices?sida=2", "/issuers/7/invoices?sida=2"),
        ("https://evil.example/", "/issuers"),
        ("//evil.example/", "/issuers"),
        ("/\\evil.example/", "/issuers"),
        ("/\t/evil.example/", "/issuers"),
        ("javascript:alert(1)", "/issuers"),
    ],
)
async def test_login_follows_next_only_to_a_local_path(
    client: httpx.AsyncClient, session: AsyncSession, next_path: str, destination: str
) -> None:
    await make_user(session, username="anna", password=PASSWORD)
    await session.commit()

    response = await log_in(client, "anna", PASSWORD, next_path=next_path)

    assert response.headers["location"] == destination


async def test_logout_ends_the_session(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await make_user(session, username="anna", password=PASSWORD)
    await session.commit()
    await log_in(client, "anna", PASSWORD)
    token = csrf_from((await client.get("/issuers")).text)

    response = await client.post("/logout", data={"csrf_token": token})

    assert response.status_code == 303 and response.headers["location"].startswith("/login")
    assert (await client.get("/")).headers["location"] == "/login"


async def test_logout_without_csrf_token_keeps_the_user_signed_in(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await make_user(session, username="anna", password=PASSWORD)
    await session.commit()
    await log_in(client, "anna", PASSWORD)

    response = await client.post("/logout")

    assert response.status_code == 403
    assert CSRF_MESSAGE in response.text
    assert (await client.get("/")).headers["location"] == "/issuers"


async def test_start_page_sends_an_anonymous_visitor_to_login(client: httpx.AsyncClient) -> None:
    response = await client.get("/")

    assert response.status_code == 303 and response.headers["location"] == "/login"


async def test_login_replaces_a_hash_made_with_old_parameters(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    weak_hash = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    user = await make_user(session, username="anna", password_hash=weak_hash)
    await session.commit()

    await log_in(client, "anna", PASSWORD)

    stored = await session.get(User, user.id, populate_existing=True)
    assert stored is not None and stored.password_hash != weak_hash
    assert not needs_rehash(stored.password_hash)
    assert verify_password(stored.password_hash, PASSWORD)
