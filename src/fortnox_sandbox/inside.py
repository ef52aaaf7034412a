"""What people do directly in Fortnox, outside the API: the control plane's "inside" actions.

Each function takes the backend and a tenant id, applies the same rules as the REST handlers,
bumps the entity's last-modified time, and returns the changed entity wrapped the way Fortnox
shows it (``{"Invoice": {...}}``). Bad input raises ``FortnoxApiError`` (e.g. not found).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fortnox_sandbox.backend import SandboxBackend


def credit_invoice(
    backend: SandboxBackend, tenant_id: int, document_number: str | int
) -> dict[str, Any]:
    """Credit an invoice in full; returns the updated original (with CreditInvoiceReference)."""
    raise NotImplementedError


def cancel_invoice(
    backend: SandboxBackend, tenant_id: int, document_number: str | int
) -> dict[str, Any]:
    raise NotImplementedError


def bookkeep_invoice(
    backend: SandboxBackend, tenant_id: int, document_number: str | int
) -> dict[str, Any]:
    raise NotImplementedError


def register_payment(
    backend: SandboxBackend,
    tenant_id: int,
    document_number: str | int,
    amount: Decimal | str,
    payment_date: str | None = None,
) -> dict[str, Any]:
    """Register a payment on an invoice; returns ``{"InvoicePayment": {...}}``."""
    raise NotImplementedError


def edit_invoice(
    backend: SandboxBackend, tenant_id: int, document_number: str | int, fields: dict[str, Any]
) -> dict[str, Any]:
    raise NotImplementedError


def edit_customer(
    backend: SandboxBackend, tenant_id: int, customer_number: str | int, fields: dict[str, Any]
) -> dict[str, Any]:
    raise NotImplementedError


def create_customer(
    backend: SandboxBackend, tenant_id: int, fields: dict[str, Any]
) -> dict[str, Any]:
    raise NotImplementedError


def deactivate_account(
    backend: SandboxBackend,
    tenant_id: int,
    number: str | int,
    financial_year: int | None = None,
) -> dict[str, Any]:
    """Mark an account inactive in a financial year (default: the current one)."""
    raise NotImplementedError
