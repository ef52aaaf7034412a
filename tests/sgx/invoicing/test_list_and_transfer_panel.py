"""The invoice list's filters and columns, and an invoice's live transfer panel and history."""

from __future__ import annotations

import datetime as dt

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from sgx.kit.clock import today_in_sweden
from tests.builders.invoicing import make_clinic, make_invoice
from tests.builders.parties import make_patient
from tests.sgx.worklist.support import MISSING_COMPANY, connected_clinic, failed_invoice


def listed(html: str) -> list[int]:
    """Invoice numbers in the list, in order."""
    return [int(part.split('"', 1)[0]) for part in html.split('data-invoice="')[1:]]


async def test_list_filters_by_transfer_status_and_att_atgarda(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    clinic = await connected_clinic(session)
    failed = await failed_invoice(session, clinic, cause=MISSING_COMPANY)
    waiting = await make_invoice(
        session, issuer_id=clinic.issuer.id, patient_id=clinic.patient.id, rows=[("BESOK", "1")]
    )
    await session.commit()
    base = f"/issuers/{clinic.issuer.id}/invoices"

    by_status = await client.get(base, params={"status": "vantar"}, headers=clinic.headers)
    by_attention = await client.get(base, params={"atgarda": "1"}, headers=clinic.headers)

    assert listed(by_status.text) == [waiting.number]
    assert listed(by_attention.text) == [failed.number]


async def test_list_filters_by_date_and_reports_a_bad_date_without_failing(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    clinic = await make_clinic(session)
    march, april = [
        await make_invoice(
            session,
            issuer_id=clinic.issuer.id,
            patient_id=clinic.patient.id,
            rows=[("BESOK", "1")],
            invoice_date=day,
        )
        for day in (dt.date(2025, 3, 14), dt.date(2025, 4, 2))
    ]
    await session.commit()
    base = f"/issuers/{clinic.issuer.id}/invoices"

    from_april = await client.get(base, params={"fran": "2025-04-01"}, headers=clinic.headers)
    bad = await client.get(
        base, params={"fran": "14 mars", "till": "2025-03-31"}, headers=clinic.headers
    )

    assert listed(from_april.text) == [april.number]
    assert bad.status_code == 200
    assert "Ange ett datum (ÅÅÅÅ-MM-DD)." in bad.text
    assert listed(bad.text) == [march.number]


async def test_customer_search_matches_swedish_letters_in_any_case(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    clinic = await make_clinic(session)
    asa = await make_patient(
        session, issuer_id=clinic.issuer.id, first_name="Åsa", last_name="Öberg"
    )
    mine = await make_invoice(
        session, issuer_id=clinic.issuer.id, patient_id=asa.id, rows=[("BESOK", "1")]
    )
    await make_invoice(
        session, issuer_id=clinic.issuer.id, company_id=clinic.company.id, rows=[("BESOK", "1")]
    )
    await session.commit()

    page = await client.get(
        f"/issuers/{clinic.issuer.id}/invoices",
        params={"kund": "åsa ÖBERG"},
        headers=clinic.headers,
    )

    assert listed(page.text) == [mine.number]


async def test_list_shows_the_payment_column_empty_until_payments_are_read_back(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    clinic = await make_clinic(session)
    await make_invoice(
        session, issuer_id=clinic.issuer.id, patient_id=clinic.patient.id, rows=[("BESOK", "1")]
    )
    await session.commit()

    page = await client.get(f"/issuers/{clinic.issuer.id}/invoices", headers=clinic.headers)

    assert '<th scope="col">Betalning</th>' in page.text
    assert '<td data-label="Betalning" data-payment-status>–</td>' in page.text


async def test_payment_filter_tells_overdue_from_unpaid_invoices(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    clinic = await make_clinic(session)
    long_ago, recent, paid = [
        await make_invoice(
            session,
            issuer_id=clinic.issuer.id,
            patient_id=clinic.patient.id,
            rows=[("BESOK", "1")],
            invoice_date=day,
        )
        for day in (dt.date(2025, 1, 2), today_in_sweden(), today_in_sweden())
    ]
    # As the reconciliation stores what Fortnox says.
    long_ago.payment_state = recent.payment_state = "Obetald"
    paid.payment_state = "Betald"
    await session.commit()
    base = f"/issuers/{clinic.issuer.id}/invoices"

    overdue = await client.get(base, params={"betalning": "forfallen"}, headers=clinic.headers)
    unpaid = await client.get(base, params={"betalning": "obetald"}, headers=clinic.headers)

    assert listed(overdue.text) == [long_ago.number]
    assert "Förfallen</span>" in overdue.text
    assert listed(unpaid.text) == [recent.number]


async def test_a_waiting_transfer_panel_polls_and_a_failed_one_shows_the_fix_and_stops(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    clinic = await connected_clinic(session)
    waiting = await make_invoice(
        session, issuer_id=clinic.issuer.id, patient_id=clinic.patient.id, rows=[("BESOK", "1")]
    )
    await session.commit()
    failed = await failed_invoice(session, clinic, cause=MISSING_COMPANY)
    base = f"/issuers/{clinic.issuer.id}/invoices"

    polling = await client.get(f"{base}/{waiting.id}/transfer", headers=clinic.headers)
    final = await client.get(f"{base}/{failed.id}/transfer", headers=clinic.headers)

    assert 'hx-trigger="every 1s"' in polling.text
    assert "hx-trigger" not in polling.headers
    assert final.headers["hx-trigger"] == "transfer-changed"  # the badge counts again
    assert "Väntar på överföring" in polling.text
    assert "hx-trigger" not in final.text
    assert "Lägg upp kunden i Fortnox." in final.text
    assert "Felkod för support: company_not_in_fortnox" in final.text
    assert "Överföringshistorik (1)" in final.text  # the failed attempt
    assert "Försök igen" in final.text
    assert 'hx-swap-oob="innerHTML">Överföringsstatus: Fel – åtgärd krävs' in final.text
