"""The role matrix of the issuer pages: each caller kind × each page × own/foreign issuer.

The callers authenticate with a bearer token (pages accept it like a session) so that the
matrix need not hash a password per case; login itself is tested in tests/sgx/identity.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.builders.identity import (
    NO_ROLE,
    SUPPORT,
    bearer,
    make_api_token,
    make_caller,
    make_issuer,
)
from tests.sgx.identity.pages import csrf_from

ADMIN, INVOICER, READER = "Administratör", "Fakturerare", "Läsare"


@dataclass(frozen=True, eq=False)
class Page:
    method: str
    path: str  # {id} is the issuer's id
    form: dict[str, str] | None = None


VIEW = Page("GET", "/issuers/{id}")
SAVE = Page("POST", "/issuers/{id}/settings", {"name": "Nytt namn", "organisation_number": ""})
SWITCH = Page("POST", "/issuers/{id}/fortnox-integration", {"enabled": "true"})
AUDIT = Page("GET", "/issuers/{id}/audit")

# Caller kind → (own issuer, foreign issuer). 303 is the redirect after a successful post.
MATRIX: dict[Page, dict[str, tuple[int, int]]] = {
    VIEW: {
        ADMIN: (200, 404),
        INVOICER: (200, 404),
        READER: (200, 404),
        SUPPORT: (200, 200),
        NO_ROLE: (404, 404),
    },
    SAVE: {
        ADMIN: (303, 404),
        INVOICER: (403, 404),
        READER: (403, 404),
        SUPPORT: (403, 403),
        NO_ROLE: (404, 404),
    },
    SWITCH: {
        ADMIN: (403, 404),
        INVOICER: (403, 404),
        READER: (403, 404),
        SUPPORT: (303, 303),
        NO_ROLE: (404, 404),
    },
    AUDIT: {
        ADMIN: (200, 404),
        INVOICER: (403, 404),
        READER: (403, 404),
        SUPPORT: (200, 200),
        NO_ROLE: (404, 404),
    },
}

CASES = [
    pytest.param(page, kind, where, statuses[index], id=f"{page.method} {page.path} {kind} {where}")
    for page, by_kind in MATRIX.items()
    for kind, statuses in by_kind.items()
    for index, where in enumerate(("own", "foreign"))
]

SETTINGS_FORM = {
    "name": "Nytt namn",
    "organisation_number": "556036-0793",
    "payment_terms_days": "30",
    "invoice_number_start": "1001",
}


@pytest.mark.parametrize(("page", "kind", "where", "expected"), CASES)
async def test_issuer_page_answers_each_caller_as_the_matrix_says(
    client: httpx.AsyncClient,
    session: AsyncSession,
    page: Page,
    kind: str,
    where: str,
    expected: int,
) -> None:
    own = await make_issuer(session, organisation_number="5560360793")
    foreign = await make_issuer(session, organisation_number="5560360793")
    caller = await make_caller(session, kind=kind, issuer_id=own.id)
    headers = bearer(await make_api_token(session, user=caller))
    await session.commit()
    target = own if where == "own" else foreign
    form = None
    if page.form is not None:
        form = dict(SETTINGS_FORM) if page is SAVE else dict(page.form)
        form["csrf_token"] = csrf_from((await client.get("/issuers", headers=headers)).text)

    response = await client.request(
        page.method, page.path.format(id=target.id), data=form, headers=headers
    )

    assert response.status_code == expected, response.text[:500]
    if expected in (403, 404):
        assert '<html lang="sv">' in response.text and "Traceback" not in response.text


@pytest.mark.parametrize(
    ("kind", "expected"),
    [(ADMIN, 403), (INVOICER, 403), (READER, 403), (SUPPORT, 200), (NO_ROLE, 403)],
)
async def test_only_support_sees_the_new_issuer_page(
    client: httpx.AsyncClient, session: AsyncSession, kind: str, expected: int
) -> None:
    own = await make_issuer(session)
    caller = await make_caller(session, kind=kind, issuer_id=own.id)
    headers = bearer(await make_api_token(session, user=caller))
    await session.commit()

    response = await client.get("/issuers/new", headers=headers)

    assert response.status_code == expected


@pytest.mark.parametrize(
    ("kind", "expected"),
    [(ADMIN, 403), (INVOICER, 403), (READER, 403), (SUPPORT, 303), (NO_ROLE, 403)],
)
async def test_only_support_creates_an_issuer_from_the_page(
    client: httpx.AsyncClient, session: AsyncSession, kind: str, expected: int
) -> None:
    own = await make_issuer(session)
    caller = await make_caller(session, kind=kind, issuer_id=own.id)
    headers = bearer(await make_api_token(session, user=caller))
    await session.commit()
    token = csrf_from((await client.get("/issuers", headers=headers)).text)

    response = await client.post(
        "/issuers", data={**SETTINGS_FORM, "csrf_token": token}, headers=headers
    )

    assert response.status_code == expected
