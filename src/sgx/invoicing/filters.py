"""The filters of the invoice list: transfer status, payment status, "Att åtgärda", date range
and customer.

Read from the page's query string (``status``, ``betalning``, ``atgarda``, ``fran``, ``till``,
``kund``); a bad
value is reported next to its field and that filter is left out, never a failed page. The
customer search matches patient and company names (and organisation numbers) in Python, since
SQLite folds only ASCII letters and Swedish names are full of å, ä and ö.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from sgx.invoicing.models import Invoice
from sgx.kit.clock import today_in_sweden
from sgx.parties.models import Company, Patient

# Transfer statuses by the short key used in the address.
STATUS_KEYS: dict[str, str] = {
    "vantar": "Väntar på överföring",
    "overford": "Överförd",
    "fel": "Fel – åtgärd krävs",
    "pausad": "Pausad – ingen anslutning",
    "krediterad": "Krediterad",
    "osynk": "Osynk",
    "ej-aktiverad": "Ej aktiverad",
}
# Payment statuses read back from Fortnox, by address key; "Förfallen" is an open invoice past
# its due date (Fortnox's due date when read, else SGX's), never a stored value.
PAYMENT_KEYS: dict[str, str] = {
    "betald": "Betald",
    "delvis-betald": "Delvis betald",
    "obetald": "Obetald",
    "forfallen": "Förfallen",
}
OPEN_PAYMENT = ("Obetald", "Delvis betald")
ATTENTION = ("Fel – åtgärd krävs", "Osynk")
FINAL_STATUSES = frozenset(STATUS_KEYS.values()) - {"Väntar på överföring"}
LIMIT = 500


@dataclass
class InvoiceFilter:
    status: str = ""  # a key of STATUS_KEYS
    payment: str = ""  # a key of PAYMENT_KEYS
    attention: bool = False
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    customer: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def active(self) -> bool:
        return bool(
            self.status
            or self.payment
            or self.attention
            or self.date_from
            or self.date_to
            or self.customer
        )

    def values(self) -> dict[str, Any]:
        """What the filter form shows."""
        return {
            "status": self.status,
            "betalning": self.payment,
            "atgarda": self.attention,
            "fran": self.date_from.isoformat() if self.date_from else "",
            "till": self.date_to.isoformat() if self.date_to else "",
            "kund": self.customer,
        }


def _date(value: str, name: str, errors: dict[str, str]) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        errors[name] = "Ange ett datum (ÅÅÅÅ-MM-DD)."
        return None


def parse_filter(params: Mapping[str, str]) -> InvoiceFilter:
    errors: dict[str, str] = {}
    status = params.get("status", "")
    if status and status not in STATUS_KEYS:
        errors["status"] = "Okänd status."
        status = ""
    payment = params.get("betalning", "")
    if payment and payment not in PAYMENT_KEYS:
        errors["betalning"] = "Okänd betalningsstatus."
        payment = ""
    chosen = InvoiceFilter(
        status=status,
        payment=payment,
        attention=params.get("atgarda") in ("1", "true", "on"),
        date_from=_date(params.get("fran", "").strip(), "fran", errors),
        date_to=_date(params.get("till", "").strip(), "till", errors),
        customer=params.get("kund", "").strip()[:100],
        errors=errors,
    )
    if chosen.date_from and chosen.date_to and chosen.date_to < chosen.date_from:
        errors["till"] = "Slutdatumet är före startdatumet."
        chosen.date_to = None
    return chosen


def _matches(term: str, *texts: str) -> bool:
    folded = term.casefold()
    return any(folded in text.casefold() for text in texts if text)


async def _customers(
    session: AsyncSession, *, issuer_id: int, term: str
) -> tuple[list[int], list[int]]:
    """Ids of the issuer's patients and companies whose name (or org number) contains ``term``."""
    patients = await session.execute(
        select(Patient.id, Patient.first_name, Patient.last_name).where(
            Patient.issuer_id == issuer_id
        )
    )
    companies = await session.execute(
        select(Company.id, Company.name, Company.organisation_number).where(
            Company.issuer_id == issuer_id
        )
    )
    digits = "".join(char for char in term if char.isdigit())
    patient_ids = [
        pid for pid, first, last in patients.all() if _matches(term, f"{first} {last}", last)
    ]
    company_ids = [
        cid
        for cid, name, number in companies.all()
        if _matches(term, name) or (len(digits) >= 4 and digits in number)
    ]
    return patient_ids, company_ids


def _payment_condition(key: str, today: dt.date) -> ColumnElement[bool]:
    due = func.coalesce(Invoice.payment_due_date, Invoice.due_date)
    is_open = Invoice.payment_state.in_(OPEN_PAYMENT)
    if key == "forfallen":
        return and_(is_open, due < today)
    condition = Invoice.payment_state == PAYMENT_KEYS[key]
    if PAYMENT_KEYS[key] in OPEN_PAYMENT:
        return and_(condition, due >= today)  # overdue ones are listed as "Förfallen"
    return condition


async def filtered_invoices(
    session: AsyncSession, *, issuer_id: int, chosen: InvoiceFilter, limit: int = LIMIT
) -> Sequence[Invoice]:
    """The issuer's invoices that pass the filter, newest number first. Authorise first."""
    query: Select[Any] = select(Invoice).where(Invoice.issuer_id == issuer_id)
    if chosen.status:
        query = query.where(Invoice.transfer_status == STATUS_KEYS[chosen.status])
    if chosen.payment:
        query = query.where(_payment_condition(chosen.payment, today_in_sweden()))
    if chosen.attention:
        query = query.where(Invoice.transfer_status.in_(ATTENTION))
    if chosen.date_from:
        query = query.where(Invoice.invoice_date >= chosen.date_from)
    if chosen.date_to:
        query = query.where(Invoice.invoice_date <= chosen.date_to)
    if chosen.customer:
        patient_ids, company_ids = await _customers(
            session, issuer_id=issuer_id, term=chosen.customer
        )
        query = query.where(
            Invoice.patient_id.in_(patient_ids) | Invoice.company_id.in_(company_ids)
        )
    query = query.order_by(Invoice.number.desc()).limit(limit)
    return (await session.scalars(query)).all()
