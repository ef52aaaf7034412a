"""The setting "Bokför fakturor i Fortnox automatiskt" on the Fortnox page: on by default, shown
to everyone who sees the issuer, changed by its Administratör only (also through the JSON API)."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from sgx.issuers.models import Issuer
from tests.builders.identity import bearer, make_api_token, make_caller
from tests.sgx.integration.conftest import Clinic
from tests.sgx.integration.flow import fortnox_page, post_form

SETTING = "Bokför fakturor i Fortnox automatiskt"


async def booking_of(session: AsyncSession, issuer_id: int) -> bool:
    """The stored setting, read in a transaction that ends at once (SQLite's write lock)."""
    issuer = await session.get(Issuer, issuer_id)
    assert issuer is not None
    await session.refresh(issuer)
    books = issuer.book_invoices_in_fortnox
    await session.commit()
    return books


async def test_booking_is_on_by_default_and_the_administrator_sees_it_checked(
    client: httpx.AsyncClient, session: AsyncSession, clinic: Clinic
) -> None:
    page = (await fortnox_page(client, clinic.id, clinic.admin)).text
    assert SETTING in page
    assert 'name="book_invoices_in_fortnox" type="checkbox" value="true" checked' in page
    assert await booking_of(session, clinic.id) is True


async def test_the_administrator_turns_booking_off_and_on_again(
    client: httpx.AsyncClient, session: AsyncSession, clinic: Clinic
) -> None:
    off = await post_form(client, clinic.id, "booking", clinic.admin)
    assert off.status_code == 303
    assert await booking_of(session, clinic.id) is False
    page = (await client.get(off.headers["location"], headers=clinic.admin)).text
    assert "Fakturor lämnas nu obokförda i Fortnox" in page

    on = await post_form(
        client, clinic.id, "booking", clinic.admin, book_invoices_in_fortnox="true"
    )
    assert on.status_code == 303
    assert await booking_of(session, clinic.id) is True


async def test_others_see_the_setting_but_may_not_change_it(
    client: httpx.AsyncClient, session: AsyncSession, clinic: Clinic
) -> None:
    caller = await make_caller(session, kind="Fakturerare", issuer_id=clinic.id)
    headers = bearer(await make_api_token(session, user=caller))
    await session.commit()

    page = (await fortnox_page(client, clinic.id, headers)).text
    refused = await post_form(client, clinic.id, "booking", headers)

    assert SETTING in page and 'data-booking="on"' in page
    assert "/fortnox/booking" not in page
    assert refused.status_code == 403
    assert await booking_of(session, clinic.id) is True


async def test_the_issuer_api_shows_and_changes_the_setting(
    client: httpx.AsyncClient, session: AsyncSession, clinic: Clinic
) -> None:
    changed = await client.patch(
        f"/api/v1/issuers/{clinic.id}",
        json={"book_invoices_in_fortnox": False},
        headers=clinic.admin,
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["book_invoices_in_fortnox"] is False
    assert await booking_of(session, clinic.id) is False
