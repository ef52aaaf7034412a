"""The invoice pages as people use them: list, create with rows, view, credit with confirmation."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from sgx.identity.models import IssuerRole
from sgx.invoicing.models import Invoice
from tests.builders.catalog import make_article
from tests.builders.identity import bearer, make_api_token, make_user
from tests.builders.invoicing import Clinic, make_clinic, make_invoice
from tests.sgx.identity.pages import csrf_from, log_in

PASSWORD = "rätt-lösenord-123"


async def invoice_count(session: AsyncSession) -> int:
    count = int(await session.scalar(select(func.count()).select_from(Invoice)) or 0)
    await session.commit()
    return count


async def reader_headers(session: AsyncSession, clinic: Clinic) -> dict[str, str]:
    user = await make_user(session, roles={clinic.issuer.id: IssuerRole.READER})
    headers = bearer(await make_api_token(session, user=user))
    await session.commit()
    return headers


async def credit_one_row(
    client: httpx.AsyncClient, clinic: Clinic, invoice: Invoice, row_id: int, quantity: str
) -> httpx.Response:
    """The credit form posted, confirmed, with ``quantity`` of one row."""
    path = f"/issuers/{clinic.issuer.id}/invoices/{invoice.id}/credit"
    form_page = await client.get(path, headers=clinic.headers)
    form = {
        "csrf_token": csrf_from(form_page.text),
        "mode": "rows",
        f"row.{row_id}": quantity,
        "confirm": "true",
    }
    return await client.post(path, data=form, headers=clinic.headers)


async def test_logged_in_invoicer_creates_an_invoice_and_sees_its_totals(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    clinic = await make_clinic(session)
    await make_user(
        session, username="eva", password=PASSWORD, roles={clinic.issuer.id: IssuerRole.INVOICER}
    )
    await session.commit()
    await log_in(client, "eva", PASSWORD)
    form_page = await client.get(f"/issuers/{clinic.issuer.id}/invoices/new")
    assert form_page.status_code == 200

    response = await client.post(
        f"/issuers/{clinic.issuer.id}/invoices",
        data={
            "csrf_token": csrf_from(form_page.text),
            "party": f"patient:{clinic.patient.id}",
            "invoice_date": "2025-03-14",
            "rows.0.article_code": "KONSULT",
            "rows.0.quantity": "1",
            "rows.2.article_code": "BESOK",
            "rows.2.quantity": "2",
            "rows.2.unit_price": "1 000,00",
        },
    )

    assert response.status_code == 303, response.text
    page = (await client.get(response.headers["location"])).text
    assert "Faktura 1001" in page and "Fakturan har skapats." in page
    assert "100164" in page  # OCR
    assert "3\u00a0251,00 kr" in page  # 1 000,40 + 250,10 moms + 2 000,00, rounded
    assert "Ej aktiverad" in page


async def test_invoice_form_points_the_error_at_the_row_the_user_filled(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    clinic = await make_clinic(session)
    form_page = await client.get(
        f"/issuers/{clinic.issuer.id}/invoices/new", headers=clinic.headers
    )

    response = await client.post(
        f"/issuers/{clinic.issuer.id}/invoices",
        data={
            "csrf_token": csrf_from(form_page.text),
            "party": f"company:{clinic.company.id}",
            "invoice_date": "2025-03-14",
            "rows.0.article_code": "BESOK",
            "rows.0.quantity": "1",
            "rows.3.article_code": "BESOK",
            "rows.3.quantity": "1,005",
        },
        headers=clinic.headers,
    )

    assert response.status_code == 422
    assert "Ange antalet med högst två decimaler." in response.text
    assert 'name="rows.3.quantity" inputmode="decimal" size="6" value="1,005"' in response.text
    assert await invoice_count(session) == 0


async def test_invoice_form_without_a_customer_is_refused(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    clinic = await make_clinic(session)
    form_page = await client.get(
        f"/issuers/{clinic.issuer.id}/invoices/new", headers=clinic.headers
    )

    response = await client.post(
        f"/issuers/{clinic.issuer.id}/invoices",
        data={
            "csrf_token": csrf_from(form_page.text),
            "rows.0.article_code": "BESOK",
            "rows.0.quantity": "1",
        },
        headers=clinic.headers,
    )

    assert response.status_code == 422
    assert "Välj en patient eller ett företag." in response.text


async def test_reader_sees_the_list_and_the_invoice_but_cannot_credit(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    clinic = await make_clinic(session)
    invoice = await make_invoice(
        session, issuer_id=clinic.issuer.id, patient_id=clinic.patient.id, rows=[("BESOK", "1")]
    )
    headers = await reader_headers(session, clinic)

    listing = await client.get(f"/issuers/{clinic.issuer.id}/invoices", headers=headers)
    view = await client.get(f"/issuers/{clinic.issuer.id}/invoices/{invoice.id}", headers=headers)
    credit_form = await client.get(
        f"/issuers/{clinic.issuer.id}/invoices/{invoice.id}/credit", headers=headers
    )

    assert listing.status_code == 200 and ">1001</a>" in listing.text
    assert "Patientfaktura" in listing.text
    assert view.status_code == 200 and "Kreditera" not in view.text
    assert credit_form.status_code == 403


async def test_invoice_of_another_issuer_is_not_found_under_this_issuer(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    clinic = await make_clinic(session)
    other = await make_clinic(session)
    invoice = await make_invoice(
        session, issuer_id=other.issuer.id, patient_id=other.patient.id, rows=[("BESOK", "1")]
    )
    user = await make_user(
        session, roles={clinic.issuer.id: IssuerRole.ADMIN, other.issuer.id: IssuerRole.ADMIN}
    )
    headers = bearer(await make_api_token(session, user=user))
    await session.commit()

    response = await client.get(
        f"/issuers/{clinic.issuer.id}/invoices/{invoice.id}", headers=headers
    )

    assert response.status_code == 404


async def test_credit_page_of_an_invoice_the_caller_only_reads_elsewhere_is_not_found(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    """The address is checked before the role: 404, not the 403 the other issuer would give."""
    clinic = await make_clinic(session)
    other = await make_clinic(session)
    invoice = await make_invoice(
        session, issuer_id=other.issuer.id, patient_id=other.patient.id, rows=[("BESOK", "1")]
    )
    user = await make_user(
        session, roles={clinic.issuer.id: IssuerRole.INVOICER, other.issuer.id: IssuerRole.READER}
    )
    headers = bearer(await make_api_token(session, user=user))
    await session.commit()

    response = await client.get(
        f"/issuers/{clinic.issuer.id}/invoices/{invoice.id}/credit", headers=headers
    )

    assert response.status_code == 404


async def test_credit_needs_confirmation_and_then_credits_the_chosen_row(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    clinic = await make_clinic(session)
    invoice = await make_invoice(
        session,
        issuer_id=clinic.issuer.id,
        patient_id=clinic.patient.id,
        rows=[("KONSULT", "1"), ("BESOK", "3")],
    )
    await session.commit()
    besok_row = invoice.rows[1].id
    path = f"/issuers/{clinic.issuer.id}/invoices/{invoice.id}/credit"
    form_page = await client.get(path, headers=clinic.headers)
    form = {"csrf_token": csrf_from(form_page.text), "mode": "rows", f"row.{besok_row}": "2"}

    unconfirmed = await client.post(path, data=form, headers=clinic.headers)
    confirmed = await client.post(path, data={**form, "confirm": "true"}, headers=clinic.headers)

    assert unconfirmed.status_code == 422
    assert "Bekräfta att fakturan ska krediteras." in unconfirmed.text
    assert confirmed.status_code == 303
    page = (await client.get(confirmed.headers["location"], headers=clinic.headers)).text
    assert "Kreditfaktura 1002" in page and "Faktura 1001" in page
    assert "-1\u00a0700,00 kr" in page
    original = (
        await client.get(
            f"/issuers/{clinic.issuer.id}/invoices/{invoice.id}", headers=clinic.headers
        )
    ).text
    assert "Kreditfaktura 1002" in original


async def test_credit_form_refuses_more_than_is_left_on_the_row(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    clinic = await make_clinic(session)
    invoice = await make_invoice(
        session, issuer_id=clinic.issuer.id, patient_id=clinic.patient.id, rows=[("BESOK", "1")]
    )
    await session.commit()
    response = await credit_one_row(client, clinic, invoice, invoice.rows[0].id, "2")

    assert response.status_code == 422
    assert "Högst 1.00 kan krediteras på raden." in response.text
    assert await invoice_count(session) == 1


async def test_full_credit_from_the_page_leaves_nothing_to_credit(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    clinic = await make_clinic(session)
    invoice = await make_invoice(
        session, issuer_id=clinic.issuer.id, patient_id=clinic.patient.id, rows=[("BESOK", "2")]
    )
    await session.commit()
    path = f"/issuers/{clinic.issuer.id}/invoices/{invoice.id}/credit"
    form_page = await client.get(path, headers=clinic.headers)
    form = {"csrf_token": csrf_from(form_page.text), "mode": "full", "confirm": "true"}

    first = await client.post(path, data=form, headers=clinic.headers)
    second = await client.post(path, data=form, headers=clinic.headers)

    assert first.status_code == 303
    assert second.status_code == 422 and "Fakturan är redan helt krediterad." in second.text
    view = await client.get(
        f"/issuers/{clinic.issuer.id}/invoices/{invoice.id}", headers=clinic.headers
    )
    assert ">Kreditera</a>" not in view.text


async def test_credit_form_refuses_a_credit_that_rounds_to_nothing(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    clinic = await make_clinic(session)
    await make_article(session, issuer_id=clinic.issuer.id, code="SMA", unit_price="0.30")
    invoice = await make_invoice(
        session,
        issuer_id=clinic.issuer.id,
        patient_id=clinic.patient.id,
        rows=[("BESOK", "1"), ("SMA", "1")],
    )
    await session.commit()
    response = await credit_one_row(client, clinic, invoice, invoice.rows[1].id, "1")

    assert response.status_code == 422
    assert "Krediteringen blir 0 kr efter avrundningen." in response.text
    assert await invoice_count(session) == 1
