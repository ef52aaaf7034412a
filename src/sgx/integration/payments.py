"""Payment read-back: whether an SGX invoice is paid, from what Fortnox's invoice list says.

Read-only — SGX never registers or changes a payment in Fortnox. Each list entry of
``GET /3/invoices`` carries ``Balance``, ``FinalPayDate`` and ``DueDate``, so the same cheap
``lastmodified`` pass that finds changes also keeps payments current: a payment registered in
Fortnox touches the invoice, the next pass lists it, and no extra call is made.

What the customer owes in SGX's eyes is the invoice's total less its credits already in
Fortnox. Fortnox settles the credit invoice it links (the first credit) against the original's
balance, but not a later credit, which is a plain negative invoice: until someone matches it
against the original in Fortnox, the original's balance still holds it, and the negative
invoice's own balance says how much of it is not matched yet. So what is left to pay is
Fortnox's balance of the original plus the open balances of its unlinked credits (negative).
From that: nothing left → "Betald", all of it left → "Obetald", some → "Delvis betald". An
invoice with nothing left to pay after credits, a credit invoice, a cancelled invoice and an
invoice credited in Fortnox behind SGX's back (its balance says nothing about payment then;
it is "Osynk") have no payment state. "Förfallen" is not stored: an open invoice turns
overdue by the date alone (``Invoice.payment_status_on``), without a call.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sgx.fortnox.schemas import InvoiceListItem
from sgx.invoicing.models import Invoice, PaymentStatus

ZERO = Decimal("0")


def payment_state(*, amount_due: Decimal, balance: Decimal | None) -> str | None:
    """The stored state for an invoice owing ``amount_due`` with Fortnox's ``balance`` left."""
    if balance is None or amount_due <= ZERO:
        return None
    if balance <= ZERO:
        return PaymentStatus.PAID.value
    if balance >= amount_due:
        return PaymentStatus.UNPAID.value
    return PaymentStatus.PARTLY_PAID.value


def amount_due(invoice: Invoice, credits: list[Invoice]) -> Decimal:
    """The total less the credits that have reached Fortnox (credit totals are negative)."""
    return invoice.total + sum(
        (credit.total for credit in credits if credit.fortnox_document_number), ZERO
    )


def left_to_pay(
    balance: Decimal | None, credits: list[Invoice], balances: dict[str, Decimal | None]
) -> Decimal | None:
    """Fortnox's balance of the original with its unlinked credits' open balances taken off.

    ``balances``: the freshest balance Fortnox listed for a document number (this pass's);
    otherwise the credit's balance read before, otherwise its whole (negative) total."""
    if balance is None:
        return None
    open_credits = ZERO
    for credit in credits:
        number = credit.fortnox_document_number
        if not credit.fortnox_unlinked_credit or not number:
            continue
        listed = balances.get(number)
        if listed is None:
            listed = credit.payment_balance
        open_credits += credit.total if listed is None else listed
    return balance + open_credits


def apply_payment(
    invoice: Invoice,
    item: InvoiceListItem,
    *,
    credits: list[Invoice],
    read_at: dt.datetime,
    credited_in_fortnox: bool = False,
    balances: dict[str, Decimal | None] | None = None,
) -> bool:
    """Store what Fortnox's list entry says about payment; True when anything changed."""
    if invoice.is_credit or item.cancelled or credited_in_fortnox:
        state = None
    else:
        state = payment_state(
            amount_due=amount_due(invoice, credits),
            balance=left_to_pay(item.balance, credits, balances or {}),
        )
    before = (
        invoice.payment_state,
        invoice.payment_balance,
        invoice.payment_final_pay_date,
        invoice.payment_due_date,
    )
    invoice.payment_state = state
    invoice.payment_balance = item.balance
    invoice.payment_final_pay_date = item.final_pay_date
    invoice.payment_due_date = item.due_date
    invoice.payment_read_at = read_at
    after = (state, item.balance, item.final_pay_date, item.due_date)
    return before != after
