"""Credits rounded to whole kronor, through the transfer handler against the sandbox: the credit
that completes the crediting carries an öresutjämning row, Fortnox computes the same totals for
the linked credit invoice and for the later negative invoices, so each ends "Överförd", not
"Fel" or "Osynk"."""

from __future__ import annotations

from decimal import Decimal as D

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from sgx.fortnox.schemas import Invoice as FortnoxInvoice
from sgx.integration.jobs import OutcomeKind
from sgx.invoicing.models import Invoice, TransferStatus
from tests.builders.catalog import make_article
from tests.builders.transfer import (
    Connected,
    SessionFactory,
    connect_clinic,
    credit,
    patient_invoice,
    stored,
    transfer,
)


@pytest.fixture
async def connected(
    session: AsyncSession, session_factory: SessionFactory, sandbox_client: httpx.AsyncClient
) -> Connected:
    made = await connect_clinic(session, session_factory, sandbox_client)
    await make_article(
        session, issuer_id=made.clinic.issuer.id, code="UTR", unit_price="333.33", vat_rate=0
    )
    await session.commit()
    return made


async def transferred(connected: Connected, session: AsyncSession, invoice: Invoice) -> None:
    outcome = await transfer(connected, session, invoice)
    assert (outcome.kind, outcome.code) == (OutcomeKind.DONE, ""), outcome.message


async def in_fortnox(connected: Connected, invoice: Invoice) -> FortnoxInvoice:
    """The invoice in Fortnox under the number SGX stored (a linked credit has Fortnox's own)."""
    now = await stored(connected.ctx.session_factory, Invoice, invoice.id)
    return await connected.fortnox.invoices.get(str(now.fortnox_document_number))


def totals(found: FortnoxInvoice) -> tuple[D | None, D | None, D | None]:
    return found.total, found.total_vat, found.round_off


async def test_rest_of_a_half_credit_reaches_fortnox_with_the_ore_adjustment(
    connected: Connected, session: AsyncSession, session_factory: SessionFactory
) -> None:
    original = await patient_invoice(session, connected, rows=[("UTR", "1")])
    await transferred(connected, session, original)
    half = await credit(session, original, [(original.rows[0].id, "0.5")])
    await transferred(connected, session, half)
    rest = await credit(session, original)

    outcome = await transfer(connected, session, rest)

    assert (outcome.kind, outcome.code) == (OutcomeKind.DONE, ""), outcome.message
    made = await in_fortnox(connected, rest)
    # A later credit: a plain negative invoice naming the original (Fortnox links one credit).
    assert made.credit is False
    assert made.external_invoice_reference2 == f"Kredit av faktura {original.number}"
    assert [
        (r.article_number or "", r.description, r.delivered_quantity, r.price, r.vat)
        for r in made.invoice_rows or []
    ] == [
        ("UTR", "Läkarbesök", D("-0.5"), D("333.33"), D(0)),
        ("", "Öresutjämning", D(1), D("0.67"), D(0)),
    ]
    assert (made.invoice_rows or [])[1].account_number == 3740
    assert totals(made) == (rest.total, rest.vat, rest.rounding) == (D(-166), D(0), D(0))
    credited = [await in_fortnox(connected, c) for c in (half, rest)]
    assert sum(found.total or D(0) for found in credited) == -original.total == D(-333)
    statuses = [
        (await stored(session_factory, Invoice, invoice.id)).transfer_status
        for invoice in (half, rest, original)
    ]
    assert statuses == [
        TransferStatus.TRANSFERRED.value,
        TransferStatus.TRANSFERRED.value,
        TransferStatus.CREDITED.value,
    ]


async def test_second_half_of_1250_50_credits_in_fortnox_the_krona_rounding_left(
    connected: Connected, session: AsyncSession, session_factory: SessionFactory
) -> None:
    # KONSULT is 1 000,40 at 25 %: 1 250,50 kr, invoiced as 1 251 kr, without a 0 % line.
    original = await patient_invoice(session, connected, rows=[("KONSULT", "1")])
    await transferred(connected, session, original)
    row_id = original.rows[0].id
    first = await credit(session, original, [(row_id, "0.5")])
    await transferred(connected, session, first)
    second = await credit(session, original, [(row_id, "0.5")])

    await transferred(connected, session, second)

    made = [await in_fortnox(connected, c) for c in (first, second)]
    assert [totals(found) for found in made] == [
        (D(-625), D("-125.05"), D("0.25")),
        (D(-626), D("-125.05"), D(0)),
    ]
    assert [totals(found) for found in made] == [
        (c.total, c.vat, c.rounding) for c in (first, second)
    ]
    adjustment = (made[1].invoice_rows or [])[-1]
    assert (adjustment.description, adjustment.price, adjustment.vat) == (
        "Öresutjämning",
        D("-0.75"),
        D(0),
    )
    after = await stored(session_factory, Invoice, original.id)
    assert after.transfer_status == TransferStatus.CREDITED.value


async def test_credit_that_empties_a_row_but_not_the_invoice_is_not_out_of_sync(
    connected: Connected, session: AsyncSession, session_factory: SessionFactory
) -> None:
    original = await patient_invoice(session, connected, rows=[("UTR", "1"), ("BESOK", "1")])
    await transferred(connected, session, original)
    utr = original.rows[0].id
    made = [
        await credit(session, original, [(utr, "0.5")]),
        await credit(session, original, [(utr, "0.5")]),  # empties the row: 166.66 left
        await credit(session, original),
    ]

    for item in made:
        await transferred(connected, session, item)

    found = [await in_fortnox(connected, item) for item in made]
    assert [totals(f) for f in found] == [(c.total, c.vat, c.rounding) for c in made]
    assert sum(f.total or D(0) for f in found) == -original.total == D(-1183)
    after = await stored(session_factory, Invoice, original.id)
    assert after.transfer_status == TransferStatus.CREDITED.value


async def test_a_credit_brought_to_what_is_left_completes_the_crediting_in_fortnox(
    connected: Connected, session: AsyncSession, session_factory: SessionFactory
) -> None:
    for code, price in (("STOR", "1.60"), ("LITEN", "0.10")):
        await make_article(
            session, issuer_id=connected.clinic.issuer.id, code=code, unit_price=price, vat_rate=0
        )
    await session.commit()
    original = await patient_invoice(
        session, connected, rows=[("STOR", "1"), ("STOR", "1"), ("LITEN", "1")]
    )
    await transferred(connected, session, original)
    made = []
    for row in original.rows[:2]:  # 2 kr, then the 1 kr left of the 3 kr invoice
        made.append(await credit(session, original, [(row.id, "1")]))
        await transferred(connected, session, made[-1])

    found = [await in_fortnox(connected, item) for item in made]
    assert [totals(f) for f in found] == [(c.total, c.vat, c.rounding) for c in made]
    assert [f.total for f in found] == [D(-2), D(-1)]
    after = await stored(session_factory, Invoice, original.id)
    assert after.transfer_status == TransferStatus.CREDITED.value
