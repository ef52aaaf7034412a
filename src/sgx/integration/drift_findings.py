"""What differs between an SGX invoice and its document in Fortnox, in Swedish — pure.

Each finding carries a ``key`` naming the Fortnox state it was found in (the credit invoice's
number, a hash of the changed rows and totals, …). The same state seen again gives the same key,
which is how a difference is reported once and only once; a new change gives a new key.

Rows are compared on what SGX sends and Fortnox keeps as given: account, VAT rate, quantity,
price (excluding VAT) and text, in order. Totals are Fortnox's Total, TotalVAT and RoundOff.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal

from sgx.fortnox.schemas import Invoice as FortnoxInvoice
from sgx.fortnox.schemas import InvoiceRow as FortnoxRow
from sgx.integration.mapping import kronor, totals_differences
from sgx.integration.reconcile_models import DriftKind
from sgx.invoicing.models import Invoice, InvoiceRow

MAX_ROW_NOTES = 3
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Finding:
    kind: DriftKind
    key: str
    description: str
    fortnox_document_number: str = ""


def credited(credit_number: str) -> Finding:
    return Finding(
        DriftKind.CREDITED,
        key=f"credit:{credit_number}",
        description=f"Krediterad i Fortnox (kreditfaktura {credit_number}) men inte i SGX.",
        fortnox_document_number=credit_number,
    )


def cancelled(document_number: str) -> Finding:
    return Finding(
        DriftKind.CANCELLED,
        key="cancelled",
        description=f"Makulerad i Fortnox (faktura {document_number}) men inte i SGX.",
        fortnox_document_number=document_number,
    )


def deleted(document_number: str) -> Finding:
    return Finding(
        DriftKind.DELETED,
        key="deleted",
        description=f"Fakturan {document_number} finns inte längre i Fortnox.",
        fortnox_document_number=document_number,
    )


def changed(invoice: Invoice, found: FortnoxInvoice) -> Finding | None:
    """Rows or totals that differ; None when Fortnox has what SGX sent."""
    notes = [difference.describe() for difference in totals_differences(invoice, found)]
    notes += row_notes(invoice.rows, found.invoice_rows or [])
    if not notes:
        return None
    number = found.document_number or ""
    return Finding(
        DriftKind.CHANGED,
        key=f"content:{content_key(found)}",
        description=f"Ändrad i Fortnox (faktura {number}): " + "; ".join(notes) + ".",
        fortnox_document_number=number,
    )


def content_key(found: FortnoxInvoice) -> str:
    """A short hash of the Fortnox invoice's rows and totals."""
    content = {
        "totals": [str(found.total), str(found.total_vat), str(found.round_off)],
        "rows": [list(_fortnox_row(row)) for row in found.invoice_rows or []],
    }
    digest = hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode())
    return digest.hexdigest()[:40]


Row = tuple[int | None, str, str, str, str]  # account, VAT, quantity, price, text


def _amount(value: Decimal | None) -> str:
    return "" if value is None else str(Decimal(value).quantize(CENT))


def _sgx_row(row: InvoiceRow) -> Row:
    return (
        row.account_number,
        _amount(Decimal(row.vat_rate)),
        _amount(row.quantity),
        _amount(row.unit_price),
        row.description.strip(),
    )


def _fortnox_row(row: FortnoxRow) -> Row:
    return (
        row.account_number,
        _amount(row.vat),
        _amount(row.delivered_quantity),
        _amount(row.price),
        (row.description or "").strip(),
    )


FIELD_NAMES = ("konto", "momssats", "antal", "pris", "text")


def row_notes(ours: list[InvoiceRow], theirs: list[FortnoxRow]) -> list[str]:
    """Up to a few notes on how Fortnox's rows differ from SGX's."""
    if len(ours) != len(theirs):
        return [f"{len(ours)} rader i SGX men {len(theirs)} i Fortnox"]
    notes = []
    for position, (mine, other) in enumerate(
        zip([_sgx_row(r) for r in ours], [_fortnox_row(r) for r in theirs], strict=True), start=1
    ):
        for name, a, b in zip(FIELD_NAMES, mine, other, strict=True):
            if a != b:
                ours_shown, theirs_shown = _shown(name, a), _shown(name, b)
                notes.append(
                    f"rad {position}: {name} {ours_shown} i SGX men {theirs_shown} i Fortnox"
                )
    if len(notes) > MAX_ROW_NOTES:
        return [*notes[:MAX_ROW_NOTES], f"och {len(notes) - MAX_ROW_NOTES} skillnader till"]
    return notes


def _shown(name: str, value: int | str | None) -> str:
    if value in (None, ""):
        return "tomt"
    if name == "pris":
        return kronor(Decimal(str(value)))
    if name == "text":
        return f"”{value}”"
    return str(value).replace(".", ",")
