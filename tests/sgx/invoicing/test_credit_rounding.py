"""Credits of an invoice add up to exactly the invoice, each computed as Fortnox computes it: the
credit that completes the crediting carries an öresutjämning row when its own arithmetic (and
whole-krona rounding, for an issuer that rounds) would not."""

from __future__ import annotations

import asyncio
import re
from decimal import Decimal as D

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from fortnox_sandbox.resources import invoice_math
from sgx.errors import AppError, Conflict
from sgx.invoicing import credits
from sgx.invoicing.amounts import VatLine, row_net, totals_reaching
from sgx.invoicing.models import Invoice, InvoiceRow
from sgx.kit.db import create_engine, create_session_factory
from tests.builders.catalog import make_article
from tests.builders.identity import make_issuer
from tests.builders.invoicing import Clinic, make_clinic, make_credit, make_invoice
from tests.builders.parties import make_patient

Line = tuple[str, D, D, int, D]  # article code, quantity, unit price, VAT rate, net


async def invoice_of(
    session: AsyncSession, clinic: Clinic, rows: list[tuple[str, str]], **articles: str
) -> Invoice:
    """An invoice to the clinic's patient; ``articles`` adds 0 % articles (code=price)."""
    for code, price in articles.items():
        await make_article(session, issuer_id=clinic.issuer.id, code=code, unit_price=price)
    return await make_invoice(
        session,
        issuer_id=clinic.issuer.id,
        rows=[(code, D(quantity)) for code, quantity in rows],
        patient_id=clinic.patient.id,
    )


def lines(invoice: Invoice) -> list[Line]:
    return [
        (row.article_code, row.quantity, row.unit_price, row.vat_rate, row.net)
        for row in invoice.rows
    ]


def rounding_rows(invoice: Invoice) -> list[InvoiceRow]:
    return [row for row in invoice.rows if row.credited_row_id is None]


async def test_rest_of_a_half_credited_invoice_carries_the_ore_adjustment(
    session: AsyncSession,
) -> None:
    clinic = await make_clinic(session)
    original = await invoice_of(session, clinic, [("UTR", "1")], UTR="333.33")
    assert original.total == D("333.00")

    half = await make_credit(session, invoice=original, rows=[(original.rows[0].id, "0.5")])
    rest = await make_credit(session, invoice=original)

    assert (half.total, rounding_rows(half)) == (D("-167.00"), [])
    # As Fortnox computes it: -0.5 × 333.33 = -166.67 (not the 166.66 left of the row).
    assert lines(rest) == [
        ("UTR", D("-0.50"), D("333.33"), 0, D("-166.67")),
        ("", D("1"), D("0.67"), 0, D("0.67")),
    ]
    adjustment = rest.rows[1]
    assert (adjustment.description, adjustment.account_number) == ("Öresutjämning", 3740)
    assert (adjustment.article_id, adjustment.credited_row_id) == (None, None)
    assert (rest.net, rest.vat, rest.rounding, rest.total) == (
        D("-166.00"),
        D("0.00"),
        D("0.00"),
        D("-166.00"),
    )
    assert [(line.rate, line.base, line.vat) for line in rest.vat_lines] == [
        (0, D("-166.00"), D("0.00"))
    ]
    assert half.total + rest.total == -original.total


async def test_second_half_of_1250_50_credits_the_krona_the_halves_would_leave(
    session: AsyncSession,
) -> None:
    clinic = await make_clinic(session)
    # KONSULT is 1 000,40 at 25 %: 1 250,50 with VAT, invoiced as 1 251 kr; no 0 % line.
    original = await invoice_of(session, clinic, [("KONSULT", "1")])
    assert (original.total, [line.rate for line in original.vat_lines]) == (D("1251.00"), [25])
    row_id = original.rows[0].id

    first = await make_credit(session, invoice=original, rows=[(row_id, "0.5")])
    second = await make_credit(session, invoice=original, rows=[(row_id, "0.5")])

    assert first.total == D("-625.00")
    assert lines(second)[1:] == [("", D("1"), D("-0.75"), 0, D("-0.75"))]
    assert [(line.rate, line.base, line.vat) for line in second.vat_lines] == [
        (25, D("-500.20"), D("-125.05")),
        (0, D("-0.75"), D("0.00")),
    ]
    assert (second.rounding, second.total) == (D("0.00"), D("-626.00"))
    assert first.total + second.total == D("-1251.00")
    assert first.vat + second.vat == -original.vat


async def test_credits_that_add_up_by_themselves_get_no_adjustment(
    session: AsyncSession,
) -> None:
    clinic = await make_clinic(session)
    original = await invoice_of(session, clinic, [("JAMN", "2")], JAMN="100.20")

    first = await make_credit(session, invoice=original, rows=[(original.rows[0].id, "1")])
    rest = await make_credit(session, invoice=original)

    assert [rounding_rows(credit) for credit in (first, rest)] == [[], []]
    assert (first.total, rest.total, rest.rounding) == (D("-100.00"), D("-100.00"), D("0.20"))
    assert first.total + rest.total == -original.total == D("-200.00")


async def test_a_partial_credit_never_takes_the_credits_beyond_the_invoice(
    session: AsyncSession,
) -> None:
    # 1.60 + 1.60 + 0.10 kr is invoiced as 3 kr. The first row credited alone is 2 kr; the
    # second would be 2 kr too, and is brought to the 1 kr left by an öresutjämning row.
    clinic = await make_clinic(session)
    original = await invoice_of(
        session, clinic, [("STOR", "1"), ("STOR", "1"), ("LITEN", "1")], STOR="1.60", LITEN="0.10"
    )
    assert original.total == D("3.00")
    first_id, second_id, third_id = (row.id for row in original.rows)

    first = await make_credit(session, invoice=original, rows=[(first_id, "1")])
    second = await make_credit(session, invoice=original, rows=[(second_id, "1")])

    assert (first.total, second.total) == (D("-2.00"), D("-1.00"))
    assert lines(second) == [
        ("STOR", D("-1"), D("1.60"), 0, D("-1.60")),
        ("", D("1"), D("0.60"), 0, D("0.60")),
    ]
    # The whole amount is credited: the last row cannot be credited for 0 kr.
    remaining = await credits.remaining_quantities(session, original=original)
    assert remaining == {first_id: D(0), second_id: D(0), third_id: D(0)}
    with pytest.raises(Conflict) as refused:
        await make_credit(session, invoice=original, rows=[(third_id, "1")])
    assert refused.value.code == "already_credited"


async def test_issuer_without_whole_krona_rounding_completes_with_an_ore_adjustment(
    session: AsyncSession,
) -> None:
    # Fortnox computes both halves as 0.5 × 333.33 = 166.67 (half-up); the rest credit is 0.01
    # less, by its öresutjämning row, so the two credits are exactly the invoice.
    clinic = await make_clinic(session, whole_krona_rounding=False)
    original = await invoice_of(session, clinic, [("UTR", "1")], UTR="333.33")

    half = await make_credit(session, invoice=original, rows=[(original.rows[0].id, "0.5")])
    rest = await make_credit(session, invoice=original)

    assert lines(rest) == [
        ("UTR", D("-0.5"), D("333.33"), 0, D("-166.67")),
        ("", D("1"), D("0.01"), 0, D("0.01")),
    ]
    assert (half.total, rest.total, rest.rounding) == (D("-166.67"), D("-166.66"), D("0.00"))
    assert half.total + rest.total == -original.total == D("-333.33")


async def test_three_partial_credits_of_mixed_rates_add_up_to_the_invoice(
    session: AsyncSession,
) -> None:
    clinic = await make_clinic(session)
    original = await invoice_of(session, clinic, [("KONSULT", "2"), ("UTR", "2")], UTR="333.33")
    assert (original.net, original.vat, original.total) == (
        D("2667.46"),
        D("500.20"),
        D("3168.00"),
    )
    konsult, utr = (row.id for row in original.rows)

    made = [
        await make_credit(session, invoice=original, rows=[(konsult, "0.5")]),
        await make_credit(session, invoice=original, rows=[(utr, "1")]),
        await make_credit(session, invoice=original, rows=[(konsult, "1.5"), (utr, "1")]),
    ]

    # Rounded alone the last one would be -2 209 kr (2 209,08), one krona short.
    assert [credit.total for credit in made] == [D("-625.00"), D("-333.00"), D("-2210.00")]
    last = made[-1]
    assert lines(last)[-1] == ("", D("1"), D("-0.92"), 0, D("-0.92"))
    assert [(line.rate, line.base, line.vat) for line in last.vat_lines] == [
        (25, D("-1500.60"), D("-375.15")),
        (0, D("-334.25"), D("0.00")),  # -333.33 of UTR and the -0.92 adjustment
    ]
    assert last.rounding == D("0.00")
    assert sum(credit.total for credit in made) == -original.total
    assert sum(credit.vat for credit in made) == -original.vat


async def test_credit_that_empties_a_row_but_not_the_invoice_is_computed_as_fortnox_does(
    session: AsyncSession,
) -> None:
    clinic = await make_clinic(session)
    original = await invoice_of(session, clinic, [("UTR", "1"), ("BESOK", "1")], UTR="333.33")
    assert original.total == D("1183.00")  # 333.33 + 850.00
    utr = original.rows[0].id

    first = await make_credit(session, invoice=original, rows=[(utr, "0.5")])
    second = await make_credit(session, invoice=original, rows=[(utr, "0.5")])
    rest = await make_credit(session, invoice=original)

    # 0.5 × 333.33 = 166.67 in Fortnox for both halves (166.66 was left of the row).
    assert [lines(credit) for credit in (first, second)] == [
        [("UTR", D("-0.50"), D("333.33"), 0, D("-166.67"))]
    ] * 2
    assert (second.rounding, second.total) == (D("-0.33"), D("-167.00"))
    assert lines(rest) == [
        ("BESOK", D("-1.00"), D("850.00"), 0, D("-850.00")),
        ("", D("1"), D("1.00"), 0, D("1.00")),
    ]
    assert first.total + second.total + rest.total == -original.total


async def test_full_credit_in_one_go_mirrors_the_original_without_adjustment(
    session: AsyncSession,
) -> None:
    clinic = await make_clinic(session)
    original = await invoice_of(session, clinic, [("UTR", "1")], UTR="333.33")

    full = await make_credit(session, invoice=original)

    assert lines(full) == [("UTR", D("-1.00"), D("333.33"), 0, D("-333.33"))]
    assert (full.rounding, full.total) == (-original.rounding, -original.total)


async def test_adjustment_is_shown_on_the_credit_and_leaves_nothing_to_credit(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    clinic = await make_clinic(session)
    original = await invoice_of(session, clinic, [("UTR", "1")], UTR="333.33")
    await make_credit(session, invoice=original, rows=[(original.rows[0].id, "0.5")])
    rest = await make_credit(session, invoice=original)
    await session.commit()

    page = await client.get(
        f"/issuers/{clinic.issuer.id}/invoices/{rest.id}", headers=clinic.headers
    )

    assert page.status_code == 200
    rows = re.findall(r"<tr>(.*?)</tr>", page.text, re.S)
    adjustment = [re.findall(r"<td[^>]*>(.*?)</td>", row) for row in rows if "Öresutjämning" in row]
    assert adjustment == [["", "Öresutjämning", "1 ", "0,67", "0 %", "3740", "0,67"]]
    assert "<dt>Öresavrundning</dt><dd>0,00 kr</dd>" in page.text
    assert "<dt>Att betala</dt><dd><strong>-166,00 kr</strong></dd>" in page.text
    remaining = await credits.remaining_quantities(session, original=original)
    await session.commit()
    assert remaining == {original.rows[0].id: D("0.00")}
    original_page = await client.get(
        f"/issuers/{clinic.issuer.id}/invoices/{original.id}", headers=clinic.headers
    )
    assert "/credit" not in original_page.text  # no "Kreditera" button
    refused = await client.post(
        f"/api/v1/invoices/{original.id}/credit", json={}, headers=clinic.headers
    )
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "already_credited")
    one_more = await client.post(
        f"/api/v1/invoices/{original.id}/credit",
        json={"rows": [{"row_id": original.rows[0].id, "quantity": "0.01"}]},
        headers=clinic.headers,
    )
    assert one_more.status_code == 422
    assert one_more.json()["error"]["fields"][0]["code"] == "exceeds_remaining"


def test_settling_adds_the_difference_at_zero_vat_and_needs_no_rounding() -> None:
    lines_ = [VatLine(rate=25, base=D("-500.20"), vat=D("-125.05"))]

    totals, adjustment = totals_reaching(lines_, target=D("-626.00"), whole_krona=True)

    assert adjustment == D("-0.75")
    assert totals.vat_lines == (
        VatLine(rate=25, base=D("-500.20"), vat=D("-125.05")),
        VatLine(rate=0, base=D("-0.75"), vat=D("0.00")),
    )
    assert (totals.net, totals.vat, totals.rounding, totals.total) == (
        D("-500.95"),
        D("-125.05"),
        D("0.00"),
        D("-626.00"),
    )
    assert totals_reaching(lines_, target=D("-625.00"), whole_krona=True)[1] == D("0.00")


# Property: however an invoice is split into credits, they add up to exactly the invoice.

RATES = st.sampled_from([25, 12, 6, 0])
ROWS = st.lists(
    st.tuples(
        st.integers(min_value=1, max_value=2_000_000),  # unit price in öre
        st.integers(min_value=1, max_value=1_000),  # quantity in hundredths
        RATES,
    ),
    min_size=1,
    max_size=3,
)


@st.composite
def invoices_and_credits(draw: st.DrawFn) -> tuple[list[tuple[D, D, int]], list[list[D]]]:
    """Rows (price, quantity, rate) and the partial credits before the rest: per credit, the
    quantity of each row (0: left out)."""
    rows = draw(ROWS)
    steps = draw(st.integers(min_value=1, max_value=3))
    parts: list[list[D]] = [[] for _ in range(steps)]
    for _, quantity, _ in rows:
        # A cut at the whole quantity empties the row before the last credit.
        cut = st.one_of(st.just(quantity), st.integers(0, quantity))
        cuts = sorted(draw(st.lists(cut, min_size=steps, max_size=steps)))
        for step, (low, high) in enumerate(zip([0, *cuts], cuts, strict=False)):
            parts[step].append(D(high - low) / 100)
    prices = [(D(price) / 100, D(quantity) / 100, rate) for price, quantity, rate in rows]
    return prices, parts


async def credit_in_steps(
    database_url: str, rows: list[tuple[D, D, int]], parts: list[list[D]], *, whole_krona: bool
) -> tuple[Invoice, list[Invoice], dict[int, D]]:
    engine = create_engine(database_url)
    try:
        async with create_session_factory(engine)() as session:
            issuer = await make_issuer(session, whole_krona_rounding=whole_krona)
            patient = await make_patient(session, issuer_id=issuer.id)
            for index, (price, _, rate) in enumerate(rows):
                await make_article(
                    session, issuer_id=issuer.id, code=f"A{index}", unit_price=price, vat_rate=rate
                )
            original = await make_invoice(
                session,
                issuer_id=issuer.id,
                rows=[(f"A{index}", quantity) for index, (_, quantity, _) in enumerate(rows)],
                patient_id=patient.id,
            )
            made = []
            for part in parts:
                chosen = [
                    (row.id, quantity)
                    for row, quantity in zip(original.rows, part, strict=True)
                    if quantity > 0
                ]
                if not chosen:
                    continue
                try:
                    made.append(await make_credit(session, invoice=original, rows=chosen))
                except AppError as refused:  # it came to 0 kr: left for the rest credit
                    assert refused.code == "validation_failed", refused.code
                    assert "0 kr" in refused.message  # refused before anything was written
            try:
                made.append(await make_credit(session, invoice=original))
            except AppError as refused:  # the partial credits took everything
                assert refused.code == "already_credited"
            remaining = await credits.remaining_quantities(session, original=original)
            await session.commit()
    finally:
        await engine.dispose()
    return original, made, remaining


@settings(
    max_examples=50,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=invoices_and_credits(), whole_krona=st.booleans())
def test_credits_in_any_steps_add_up_to_exactly_the_invoice(
    database_url: str,
    engine: AsyncEngine,  # empties the tables afterwards
    case: tuple[list[tuple[D, D, int]], list[list[D]]],
    whole_krona: bool,
) -> None:
    rows, parts = case
    original, made, remaining = asyncio.run(
        credit_in_steps(database_url, rows, parts, whole_krona=whole_krona)
    )

    assert sum(credit.total for credit in made) == -original.total
    # Never beyond the invoice on the way either (Fortnox refuses such a credit).
    assert all(
        sum(credit.total for credit in made[: count + 1]) >= -original.total
        for count in range(len(made))
    )
    assert set(remaining.values()) == {D("0.00")}
    assert all(rounding_rows(credit) == [] for credit in made[:-1])
    assert len(rounding_rows(made[-1])) <= 1
    for credit in made:  # each as Fortnox computes it from the rows it is sent
        assert all(row.net == row_net(row.quantity, row.unit_price) for row in credit.rows)
        found = fortnox_totals(credit, whole_krona=whole_krona)
        assert found == (credit.net, credit.vat, credit.rounding, credit.total)
    if rounding_rows(made[-1]):
        assert made[-1].rounding == D("0.00")


def fortnox_totals(credit: Invoice, *, whole_krona: bool) -> tuple[D, D, D, D]:
    """The credit's totals by the sandbox's own arithmetic, from the rows Fortnox is sent."""
    totals = invoice_math.invoice_totals(
        [
            {
                "DeliveredQuantity": row.quantity,
                "Price": row.unit_price,
                "Discount": D(0),
                "DiscountType": "PERCENT",
                "VAT": row.vat_rate,
            }
            for row in credit.rows
        ],
        vat_included=False,
        administration_fee=D(0),
        freight=D(0),
        round_to_krona=whole_krona,
    )
    return totals.net, totals.total_vat, totals.round_off, totals.total
