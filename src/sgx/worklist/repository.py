"""Read-only queries behind "Att åtgärda": invoices in error or out of sync, grouped by cause.

An invoice needs attention when its transfer status is "Fel – åtgärd krävs" or "Osynk". The
cause is the stable English error code the sync engine stored on the invoice; invoices paused
for want of a connection are counted apart, since their fix is reconnecting, not a retry.
Changed patient details that could not be sent to Fortnox's customer register need attention
too; they are listed apart, as they belong to no invoice. So are credits Fortnox does not link to
their original (a later credit of an invoice goes as a plain negative invoice): someone must
match each against its original in Fortnox, and it stays listed until Fortnox shows it settled
(its balance 0). Neither has anything to retry.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from sgx.invoicing.models import Invoice, TransferStatus
from sgx.invoicing.service import party_names
from sgx.outbox.models import JobKind, JobStatus, TransferJob
from sgx.parties.models import Patient

ATTENTION_STATUSES = (
    TransferStatus.FAILED.value,
    TransferStatus.OUT_OF_SYNC.value,
)
OUT_OF_SYNC_CAUSE = "out_of_sync"
UNKNOWN_CAUSE = "unknown"

# Short headings of the causes users meet most; the invoice's own message says the rest.
CAUSE_TITLES = {
    "company_not_in_fortnox": "Företaget finns inte i Fortnox kundregister",
    "company_ambiguous_in_fortnox": "Företaget finns flera gånger i Fortnox kundregister",
    "company_pinned_customer_missing": "Den valda kunden finns inte i Fortnox",
    "company_pinned_customer_inactive": "Den valda kunden är inaktiv i Fortnox",
    "company_pinned_customer_mismatch": "Den valda kunden har ett annat organisationsnummer",
    "document_number_taken": "Fakturanumret används redan i Fortnox",
    "customer_number_taken": "Kundnumret används redan i Fortnox",
    "customer_number_deleted": "Kunden har tagits bort i Fortnox",
    "original_not_transferred": "Originalfakturan är inte överförd",
    "fortnox_account_problem": "Konto saknas eller är inaktivt i Fortnox",
    "fortnox_account_missing": "Konto saknas i Fortnox",
    "fortnox_account_inactive": "Konto är inaktivt i Fortnox",
    "fortnox_financial_year_missing": "Räkenskapsår saknas i Fortnox",
    "fortnox_period_locked": "Bokföringsperioden är låst i Fortnox",
    "fortnox_totals_differ": "Beloppen skiljer sig i Fortnox",
    "credited_in_fortnox": "Krediterad i Fortnox men inte i SGX",
    "cancelled_in_fortnox": "Makulerad i Fortnox men inte i SGX",
    "changed_in_fortnox": "Ändrad i Fortnox",
    "deleted_in_fortnox": "Finns inte längre i Fortnox",
    "address_kept_in_fortnox": "Adress kvar på bokförd faktura – skyddad identitet",
    "customer_update_not_kept": "Fortnox behöll inte patientens ändrade uppgifter",
    "fortnox_scope_missing": "Behörighet saknas i Fortnox",
    OUT_OF_SYNC_CAUSE: "Osynk – Fortnox skiljer sig från SGX",
}
OTHER_TITLE = "Övriga fel"


@dataclass(frozen=True)
class WorkItem:
    invoice: Invoice
    party: str
    message: str


@dataclass
class CauseGroup:
    cause: str
    title: str
    items: list[WorkItem] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.items)


def cause_of(invoice: Invoice) -> str:
    if invoice.transfer_error_code:
        return invoice.transfer_error_code
    if invoice.transfer_status == TransferStatus.OUT_OF_SYNC.value:
        return OUT_OF_SYNC_CAUSE
    return UNKNOWN_CAUSE


def cause_title(cause: str) -> str:
    return CAUSE_TITLES.get(cause, OTHER_TITLE)


@dataclass(frozen=True)
class PatientItem:
    """A patient's changed details that Fortnox's customer register has not received."""

    job: TransferJob
    patient_id: int
    name: str
    message: str


async def attention_count(session: AsyncSession, *, issuer_id: int) -> int:
    counts = await attention_counts(session, issuer_ids=[issuer_id])
    return counts.get(issuer_id, 0)


async def attention_counts(session: AsyncSession, *, issuer_ids: Iterable[int]) -> dict[int, int]:
    """Invoices and patient updates needing attention, per issuer."""
    ids = list(issuer_ids)
    if not ids:
        return {}
    invoices = await session.execute(
        select(Invoice.issuer_id, func.count())
        .where(Invoice.issuer_id.in_(ids), Invoice.transfer_status.in_(ATTENTION_STATUSES))
        .group_by(Invoice.issuer_id)
    )
    counts = {issuer_id: count for issuer_id, count in invoices.all()}
    patients = await session.execute(
        select(TransferJob.issuer_id, func.count())
        .where(
            TransferJob.issuer_id.in_(ids),
            TransferJob.kind == JobKind.PATIENT,
            TransferJob.status == JobStatus.FAILED,
        )
        .group_by(TransferJob.issuer_id)
    )
    for issuer_id, count in patients.all():
        counts[issuer_id] = counts.get(issuer_id, 0) + count
    unmatched = await session.execute(
        select(Invoice.issuer_id, func.count()).where(_unmatched(ids)).group_by(Invoice.issuer_id)
    )
    for issuer_id, count in unmatched.all():
        counts[issuer_id] = counts.get(issuer_id, 0) + count
    return counts


def _unmatched(issuer_ids: list[int]) -> ColumnElement[bool]:
    return (
        Invoice.issuer_id.in_(issuer_ids)
        & Invoice.fortnox_unlinked_credit.is_(True)
        & or_(Invoice.payment_balance.is_(None), Invoice.payment_balance != 0)
    )


def unmatched_credit_message(credit_number: str, original_number: str) -> str:
    return (
        f"Krediteringen finns i Fortnox som faktura {credit_number} med negativt belopp. "
        "Fortnox kopplar bara en kreditfaktura till varje faktura, så den är inte avräknad mot "
        f"faktura {original_number}. Matcha den mot faktura {original_number} i Fortnox så "
        "att kundens saldo blir rätt. Den försvinner härifrån när Fortnox visar den som "
        "avräknad."
    )


async def unmatched_credits(session: AsyncSession, *, issuer_id: int) -> list[WorkItem]:
    """Credits sent as plain negative invoices that Fortnox does not show settled yet."""
    original = aliased(Invoice)
    rows = (
        await session.execute(
            select(Invoice, original.fortnox_document_number, original.number)
            .join(original, original.id == Invoice.credit_of_id)
            .where(_unmatched([issuer_id]))
            .order_by(Invoice.number)
        )
    ).all()
    names = await party_names(session, invoices=[credit for credit, _, _ in rows])
    return [
        WorkItem(
            invoice=credit,
            party=names.get(credit.id, ""),
            message=unmatched_credit_message(
                credit.fortnox_document_number or str(credit.number),
                fortnox_number or str(number),
            ),
        )
        for credit, fortnox_number, number in rows
    ]


async def failed_patient_updates(session: AsyncSession, *, issuer_id: int) -> list[PatientItem]:
    rows = await session.execute(
        select(TransferJob, Patient.first_name, Patient.last_name)
        .outerjoin(Patient, Patient.id == TransferJob.subject_id)
        .where(
            TransferJob.issuer_id == issuer_id,
            TransferJob.kind == JobKind.PATIENT,
            TransferJob.status == JobStatus.FAILED,
        )
        .order_by(TransferJob.id)
    )
    return [
        PatientItem(
            job=job,
            patient_id=job.subject_id,
            name=f"{first} {last}" if first or last else "",
            message=job.error_message,
        )
        for job, first, last in rows.all()
    ]


async def paused_count(session: AsyncSession, *, issuer_id: int) -> int:
    count = await session.scalar(
        select(func.count())
        .select_from(Invoice)
        .where(
            Invoice.issuer_id == issuer_id,
            Invoice.transfer_status == TransferStatus.PAUSED.value,
        )
    )
    return int(count or 0)


async def worklist(session: AsyncSession, *, issuer_id: int) -> list[CauseGroup]:
    """The issuer's invoices needing attention, grouped by cause (largest group first)."""
    invoices = (
        await session.scalars(
            select(Invoice)
            .where(
                Invoice.issuer_id == issuer_id,
                Invoice.transfer_status.in_(ATTENTION_STATUSES),
            )
            .order_by(Invoice.number)
        )
    ).all()
    names = await party_names(session, invoices=invoices)
    groups: dict[str, CauseGroup] = {}
    for invoice in invoices:
        cause = cause_of(invoice)
        group = groups.setdefault(cause, CauseGroup(cause=cause, title=cause_title(cause)))
        group.items.append(
            WorkItem(
                invoice=invoice,
                party=names.get(invoice.id, ""),
                message=invoice.transfer_message or "",
            )
        )
    return sorted(groups.values(), key=lambda group: (-group.count, group.title))
