"""Text values hold only the characters Fortnox lists as valid; any other is 2000359."""

from __future__ import annotations

import httpx
import pytest

from tests.fortnox_sandbox.rest_builders import (
    create_customer,
    create_invoice,
    error_of,
    post_invoice,
    row,
)

# Letters of any language, the digits and every listed mark, as the published list has them.
LISTED = (
    "Åsa Öberg-Ødegård Œuvre Ñandú Łódź Ελένη Юлия ’\\:.`´,;^¤#%§£$€¢¥©™°&/()=+-*_!?²³®½@"
    "\u00a0\u2013 a\u0308 a\u030a\nrad två\r"
)


async def test_every_listed_character_is_accepted(fortnox: httpx.AsyncClient) -> None:
    customer = await create_customer(fortnox, Name=LISTED, Address1=LISTED)

    assert (customer["Name"], customer["Address1"]) == (LISTED, LISTED)


@pytest.mark.parametrize("char", ['"', "'", "<", ">", "|", "[", "]", "{", "}", "~", "\t", "\u2605"])
async def test_a_character_outside_the_list_is_refused_with_2000359(
    fortnox: httpx.AsyncClient, char: str
) -> None:
    response = await fortnox.post("/3/customers", json={"Customer": {"Name": f"A{char}B"}})

    assert error_of(response) == (400, 2000359)
    assert response.json() == {
        "ErrorInformation": {
            "error": 1,
            "message": "Värdet innehåller ej tillåtna tecken. (Name)",
            "code": 2000359,
        }
    }
    listed = (await fortnox.get("/3/customers")).json()
    assert listed["MetaInformation"]["@TotalResources"] == 0


async def test_invoice_row_text_is_checked_too_and_nothing_is_stored(
    fortnox: httpx.AsyncClient,
) -> None:
    response = await post_invoice(fortnox, InvoiceRows=[row(description="Rum <1>")])

    assert error_of(response) == (400, 2000359)
    assert (await fortnox.get("/3/invoices")).json()["MetaInformation"]["@TotalResources"] == 0


async def test_update_with_a_disallowed_character_changes_nothing(
    fortnox: httpx.AsyncClient,
) -> None:
    invoice = await create_invoice(fortnox, YourReference="Eva")
    number = invoice["DocumentNumber"]

    response = await fortnox.put(
        f"/3/invoices/{number}", json={"Invoice": {"YourReference": "Eva | Ek"}}
    )

    assert error_of(response) == (400, 2000359)
    assert (await fortnox.get(f"/3/invoices/{number}")).json()["Invoice"]["YourReference"] == "Eva"


async def test_an_invoice_written_back_with_fortnox_own_email_subject_is_accepted(
    fortnox: httpx.AsyncClient,
) -> None:
    invoice = await create_invoice(fortnox)
    number = invoice["DocumentNumber"]
    assert invoice["EmailInformation"]["EmailSubject"] == "Faktura {no} bifogas"

    response = await fortnox.put(
        f"/3/invoices/{number}",
        json={"Invoice": {"EmailInformation": {"EmailSubject": "Faktura {no} från kliniken"}}},
    )

    assert response.status_code == 200, response.text
    subject = response.json()["Invoice"]["EmailInformation"]["EmailSubject"]
    assert subject == "Faktura {no} från kliniken"


async def test_braces_stay_refused_outside_the_email_templates(
    fortnox: httpx.AsyncClient,
) -> None:
    response = await post_invoice(fortnox, Remarks="Faktura {no}")

    assert error_of(response) == (400, 2000359)
