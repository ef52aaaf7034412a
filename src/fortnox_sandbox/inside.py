"""What people do directly in Fortnox, outside the API: the control plane's "inside" actions.

Each function takes the backend and a tenant id, applies the same rules as the REST handlers,
bumps the entity's last-modified time, and returns the changed entity wrapped the way Fortnox
shows it (``{"Invoice": {...}}``). Bad input raises ``FortnoxApiError`` (e.g. not found).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fortnox_sandbox import wire
from fortnox_sandbox.backend import SandboxBackend
from fortnox_sandbox.resources import (
    customers,
    invoice_actions,
    invoice_views,
    invoices,
    ledger,
    payments,
)
from fortnox_sandbox.resources.common import Ctx, company_of, context_for


def _ctx(backend: SandboxBackend, tenant_id: int) -> Ctx:
    return context_for(backend, company_of(backend, int(tenant_id)))


def _invoice(ctx: Ctx, invoice: dict[str, Any]) -> dict[str, Any]:
    return {"Invoice": invoice_views.invoice_view(ctx, invoice)}


def credit_invoice(
    backend: SandboxBackend, tenant_id: int, document_number: str | int
) -> dict[str, Any]:
    """Credit an invoice in full; returns the updated original (with CreditInvoiceReference)."""
    ctx = _ctx(backend, tenant_id)
    return _invoice(ctx, invoice_actions.credit(ctx, str(document_number)))


def cancel_invoice(
    backend: SandboxBackend, tenant_id: int, document_number: str | int
) -> dict[str, Any]:
    ctx = _ctx(backend, tenant_id)
    return _invoice(ctx, invoice_actions.cancel(ctx, str(document_number)))


def bookkeep_invoice(
    backend: SandboxBackend, tenant_id: int, document_number: str | int
) -> dict[str, Any]:
    ctx = _ctx(backend, tenant_id)
    return _invoice(ctx, invoice_actions.bookkeep(ctx, str(document_number)))


def register_payment(
    backend: SandboxBackend,
    tenant_id: int,
    document_number: str | int,
    amount: Decimal | str,
    payment_date: str | None = None,
) -> dict[str, Any]:
    """Register a payment on an invoice; returns ``{"InvoicePayment": {...}}``.

    Someone registering a payment in Fortnox bookkeeps the invoice first when it is not (the
    API refuses payments on unbooked invoices), so this does both.
    """
    ctx = _ctx(backend, tenant_id)
    invoice = invoices.get_invoice(ctx, str(document_number))
    if not invoice["Booked"] and not invoice["Cancelled"]:
        invoice_actions.bookkeep(ctx, invoice["DocumentNumber"])
    fields: dict[str, Any] = {"Amount": wire.to_decimal(amount)}
    if payment_date:
        fields["PaymentDate"] = wire.parse_date(payment_date, field="PaymentDate").isoformat()
    payment = payments.register_payment(ctx, invoice, fields)
    return {"InvoicePayment": payments.payment_view(ctx, payment)}


def edit_invoice(
    backend: SandboxBackend, tenant_id: int, document_number: str | int, fields: dict[str, Any]
) -> dict[str, Any]:
    """Edit an invoice the way the Fortnox UI does; the same rules as ``PUT /3/invoices/{n}``."""
    ctx = _ctx(backend, tenant_id)
    invoices.get_invoice(ctx, str(document_number))
    typed = invoices.typed_update(fields)
    return _invoice(ctx, invoices.update_invoice(ctx, str(document_number), typed))


def edit_customer(
    backend: SandboxBackend, tenant_id: int, customer_number: str | int, fields: dict[str, Any]
) -> dict[str, Any]:
    ctx = _ctx(backend, tenant_id)
    customer = customers.update_customer(ctx, str(customer_number), fields)
    return {"Customer": customers.customer_view(ctx, customer)}


def create_customer(
    backend: SandboxBackend, tenant_id: int, fields: dict[str, Any]
) -> dict[str, Any]:
    ctx = _ctx(backend, tenant_id)
    customer = customers.create_customer(ctx, fields)
    return {"Customer": customers.customer_view(ctx, customer)}


def deactivate_account(
    backend: SandboxBackend,
    tenant_id: int,
    number: str | int,
    financial_year: int | None = None,
) -> dict[str, Any]:
    """Mark an account inactive in a financial year (default: the current one)."""
    ctx = _ctx(backend, tenant_id)
    year_id = int(financial_year) if financial_year not in (None, "") else None
    account = ledger.deactivate_account(ctx, number, year_id)
    return {"Account": ledger.account_view(ctx, account)}
