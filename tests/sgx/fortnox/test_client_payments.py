"""Invoice payments through the client, against the sandbox."""

from __future__ import annotations

from decimal import Decimal

import httpx

from sgx.fortnox.client import FortnoxClient
from sgx.fortnox.schemas import Customer
from tests.sgx.fortnox.sandbox import TODAY, invoice, row


async def booked_invoice(
    fortnox: FortnoxClient, price: str = "1000", *, customer_number: str | None = None
) -> str:
    if customer_number is None:
        customer = await fortnox.customers.create(Customer(name="Verkstaden i Ås AB"))
        assert customer.customer_number is not None
        customer_number = customer.customer_number
    created = await fortnox.invoices.create(
        invoice(customer_number, invoice_rows=[row(price=price)])
    )
    assert created.document_number is not None
    await fortnox.invoices.bookkeep(created.document_number)
    return created.document_number


async def pay_in_fortnox(
    control: httpx.AsyncClient, tenant_id: int, number: str, amount: str
) -> None:
    response = await control.post(
        f"/_sandbox/tenants/{tenant_id}/actions",
        json={"action": "register_payment", "document_number": number, "amount": amount},
    )
    assert response.status_code == 200, response.text


async def test_payments_of_an_invoice_are_listed_with_amounts_and_dates(
    fortnox: FortnoxClient, sandbox_client: httpx.AsyncClient, tenant_id: int
) -> None:
    number = await booked_invoice(fortnox)
    await pay_in_fortnox(sandbox_client, tenant_id, number, "500")
    await pay_in_fortnox(sandbox_client, tenant_id, number, "750")
    payments = await fortnox.invoice_payments.for_invoice(number)
    assert sorted(p.amount for p in payments if p.amount is not None) == [
        Decimal(500),
        Decimal(750),
    ]
    assert all(p.invoice_number == int(number) and p.payment_date == TODAY for p in payments)


async def test_payments_of_other_invoices_are_left_out(
    fortnox: FortnoxClient, sandbox_client: httpx.AsyncClient, tenant_id: int
) -> None:
    first = await booked_invoice(fortnox, customer_number=None)
    customer_number = (await fortnox.invoices.get(first)).customer_number
    for _ in range(8):
        await fortnox.invoices.create(invoice(customer_number or ""))
    tenth = await booked_invoice(fortnox, customer_number=customer_number)
    assert (first, tenth) == ("1", "10")  # "1" is contained in "10"
    await pay_in_fortnox(sandbox_client, tenant_id, first, "100")
    await pay_in_fortnox(sandbox_client, tenant_id, tenth, "200")
    payments = await fortnox.invoice_payments.for_invoice(first)
    assert [p.amount for p in payments] == [Decimal(100)]


async def test_a_fully_paid_invoice_reads_balance_zero_and_final_pay_date(
    fortnox: FortnoxClient, sandbox_client: httpx.AsyncClient, tenant_id: int
) -> None:
    number = await booked_invoice(fortnox, price="800")
    await pay_in_fortnox(sandbox_client, tenant_id, number, "1000")
    paid = await fortnox.invoices.get(number)
    assert (paid.balance, paid.final_pay_date) == (Decimal(0), TODAY)


async def test_a_single_payment_is_read_by_its_number(
    fortnox: FortnoxClient, sandbox_client: httpx.AsyncClient, tenant_id: int
) -> None:
    number = await booked_invoice(fortnox)
    await pay_in_fortnox(sandbox_client, tenant_id, number, "300")
    [listed] = await fortnox.invoice_payments.for_invoice(number)
    assert listed.number is not None
    payment = await fortnox.invoice_payments.get(listed.number)
    assert (payment.amount, payment.invoice_number) == (Decimal(300), int(number))
