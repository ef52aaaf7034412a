"""Reading the invoice and credit forms of the HTML pages into the bodies the JSON API takes.

A form has a fixed number of row slots; empty slots are skipped, so the service's row numbers
are mapped back to the slots the user sees.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from starlette.datastructures import FormData

from sgx.invoicing.models import Invoice
from sgx.invoicing.schemas import CreditCreate, CreditRowIn, InvoiceCreate
from sgx.web.forms import Errors, build, decimal, text

ROW_SLOTS = 6
_ROW_FIELD = re.compile(r"^rows\.(\d+)\.(.+)$")


def kronor(value: Decimal) -> str:
    """Swedish money format: space between thousands, decimal comma."""
    return f"{value + 0:,.2f}".replace(",", "\u00a0").replace(".", ",")


def quantity(value: Decimal) -> str:
    return kronor(value).removesuffix(",00")


def to_slots(errors: Errors, slots: list[int]) -> Errors:
    """Service errors name rows by position among the filled slots; name the slot instead."""
    mapped: Errors = {}
    for name, message in errors.items():
        match = _ROW_FIELD.match(name)
        if match and int(match.group(1)) < len(slots):
            name = f"rows.{slots[int(match.group(1))]}.{match.group(2)}"
        mapped[name] = message
    return mapped


def invoice_from_form(form: FormData) -> tuple[InvoiceCreate | None, Errors, list[int]]:
    errors: Errors = {}
    kind, _, party_id = text(form, "party").partition(":")
    rows: list[dict[str, Any]] = []
    slots: list[int] = []
    for slot in range(ROW_SLOTS):
        code = text(form, f"rows.{slot}.article_code")
        if not code:
            continue
        slots.append(slot)
        rows.append(
            {
                "article_code": code,
                "quantity": decimal(form, f"rows.{slot}.quantity", errors),
                "unit_price": decimal(form, f"rows.{slot}.unit_price", errors, required=False),
            }
        )
    if not party_id.isdigit():
        errors["party"] = "Välj en patient eller ett företag."
    if not rows:
        errors["rows.0.article_code"] = "Minst en rad krävs."
    if errors:
        return None, errors, slots
    values: dict[str, Any] = {
        "patient_id": int(party_id) if kind == "patient" else None,
        "company_id": int(party_id) if kind == "company" else None,
        "invoice_date": text(form, "invoice_date") or None,
        "due_date": text(form, "due_date") or None,
        "your_reference": text(form, "your_reference"),
        "rows": rows,
    }
    data = build(InvoiceCreate, values, errors)
    return data, to_slots(party_field(errors), slots), slots


def party_field(errors: Errors) -> Errors:
    return {
        ("party" if name in ("patient_id", "company_id") else name): message
        for name, message in errors.items()
    }


def credit_from_form(form: FormData, original: Invoice) -> tuple[CreditCreate | None, Errors]:
    """A full credit, or the rows given a quantity; the user must have confirmed."""
    errors: Errors = {}
    if form.get("confirm") != "true":
        errors["confirm"] = "Bekräfta att fakturan ska krediteras."
    rows: list[CreditRowIn] | None = None
    if form.get("mode") == "rows":
        rows = []
        for row in original.rows:
            amount = decimal(form, f"row.{row.id}", errors, required=False)
            if amount:
                rows.append(CreditRowIn(row_id=row.id, quantity=amount))
        if not rows and not errors:
            errors["mode"] = "Ange antal på minst en rad som ska krediteras."
    if errors:
        return None, errors
    return build(CreditCreate, {"rows": rows, "reason": text(form, "reason")}, errors), errors


def credit_errors_by_row(errors: Errors, data: CreditCreate | None) -> Errors:
    """Service errors name credit rows by position; the form names them by row id."""
    if data is None or data.rows is None:
        return errors
    mapped: Errors = {}
    for name, message in errors.items():
        match = _ROW_FIELD.match(name)
        if match and int(match.group(1)) < len(data.rows):
            name = f"row.{data.rows[int(match.group(1))].row_id}"
        mapped[name] = message
    return mapped
