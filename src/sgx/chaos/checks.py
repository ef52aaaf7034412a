"""The verdict of a chaos run: SGX's books against what Fortnox holds.

Read from SGX's database: every transfer job done, none ever failed, every document with its
Fortnox number. Read from Fortnox's API (with a consent of the checker's own): every SGX invoice
exists exactly once under its number with SGX's total and reference, booked; every credit exactly
once, booked — the first credit of an invoice as Fortnox's credit invoice linked to the original
(``Credit`` "true", ``InvoiceReference`` and the original's ``CreditInvoiceReference``), a later
one as a plain negative invoice naming the original and marked in SGX for matching; no Fortnox
invoice that no SGX document claims; one customer per patient invoiced, holding the patient's
current details, and nothing else. The scenarios must have happened (the connection seen lost, the
licence seen missing) and their invoices flowed only after the repair. No token request was refused
outside the revoked consent's window.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import func, select

from sgx.chaos.disruptions import Scenario, Tally
from sgx.chaos.patience import patiently
from sgx.chaos.queue import TRANSFER_KINDS
from sgx.chaos.sandbox import FortnoxReader, SandboxControl
from sgx.chaos.watch import RequestTally
from sgx.chaos.world import IssuerWorld, SessionFactory, World
from sgx.integration import mapping
from sgx.integration.installation import reference_prefix
from sgx.invoicing.models import Invoice, TransferStatus
from sgx.outbox.models import JobKind, JobStatus, TransferAttempt, TransferJob
from sgx.parties.models import Patient

FINAL_STATUSES = frozenset({TransferStatus.TRANSFERRED.value, TransferStatus.CREDITED.value})
SHOWN = 5  # examples shown per kind of violation


@dataclass
class Verdict:
    violations: list[str] = field(default_factory=list)
    figures: Counter[str] = field(default_factory=Counter)

    def add(self, kind: str, examples: list[str], count: int | None = None) -> None:
        count = len(examples) if count is None else count
        if count:
            shown = "; ".join(examples[:SHOWN]) + (" …" if count > SHOWN else "")
            self.violations.append(f"{kind} ({count}): {shown}")


# ---- SGX's side -----------------------------------------------------------------------------


async def _queue_figures(
    factory: SessionFactory,
) -> tuple[list[Any], list[Any], list[Any]]:
    async with factory() as session:
        open_jobs = (
            await session.execute(
                select(TransferJob.status, TransferJob.error_code, func.count())
                .where(TransferJob.kind.in_(TRANSFER_KINDS), TransferJob.status != JobStatus.DONE)
                .group_by(TransferJob.status, TransferJob.error_code)
            )
        ).all()
        failed = (
            await session.execute(
                select(TransferAttempt.message, func.count())
                .where(
                    TransferAttempt.operation.in_([kind.value for kind in TRANSFER_KINDS]),
                    TransferAttempt.outcome == "failed",
                )
                .group_by(TransferAttempt.message)
            )
        ).all()
        outcomes = (
            await session.execute(
                select(TransferAttempt.outcome, func.count()).group_by(TransferAttempt.outcome)
            )
        ).all()
    return list(open_jobs), list(failed), list(outcomes)


async def check_queue(factory: SessionFactory, verdict: Verdict) -> None:
    open_jobs, failed, outcomes = await patiently(lambda: _queue_figures(factory))
    verdict.add(
        "transfers not done",
        [f"{count} {status} {code or ''}".strip() for status, code, count in open_jobs],
        sum(count for _, _, count in open_jobs),
    )
    verdict.add(
        "transfers that failed at some point",
        [f"{count}× {message[:160]}" for message, count in failed],
        sum(count for _, count in failed),
    )
    for outcome, count in outcomes:
        verdict.figures[f"attempts {outcome}"] += count


async def sgx_documents(factory: SessionFactory, issuer_id: int) -> list[Invoice]:
    async with factory() as session:
        return list(
            await session.scalars(
                select(Invoice).where(Invoice.issuer_id == issuer_id).order_by(Invoice.id)
            )
        )


async def installation_prefix(factory: SessionFactory) -> str:
    async with factory() as session:
        prefix = await reference_prefix(session)
        await session.commit()
    return prefix


async def invoiced_patients(factory: SessionFactory, issuer_id: int) -> list[Patient]:
    async with factory() as session:
        return list(
            await session.scalars(
                select(Patient).where(
                    Patient.issuer_id == issuer_id, Patient.fortnox_customer_number.is_not(None)
                )
            )
        )


async def first_credit_ids(factory: SessionFactory) -> set[int]:
    """The credits Fortnox links: each invoice's first credit in SGX."""
    async with factory() as session:
        return set(
            await session.scalars(
                select(func.min(Invoice.id))
                .where(Invoice.credit_of_id.is_not(None))
                .group_by(Invoice.credit_of_id)
            )
        )


# ---- Fortnox's side -------------------------------------------------------------------------


def _money(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


Problems = defaultdict[str, list[str]]


async def check_issuer(
    factory: SessionFactory,
    reader: FortnoxReader,
    issuer: IssuerWorld,
    linked_credits: set[int],
    verdict: Verdict,
) -> None:
    """One issuer's documents and customers in SGX against its Fortnox company."""
    documents = await patiently(lambda: sgx_documents(factory, issuer.issuer_id))
    installation = await patiently(lambda: installation_prefix(factory))
    in_fortnox = {
        str(item["DocumentNumber"]): item for item in await reader.every("invoices", "Invoices")
    }
    verdict.figures["Fortnox invoices"] += len(in_fortnox)
    problems: Problems = defaultdict(list)
    claimed: Counter[str] = Counter()
    by_id = {document.id: document for document in documents}
    for document in documents:
        number = await _check_document(
            reader, issuer, document, (by_id, linked_credits), in_fortnox, problems, installation
        )
        if number:
            claimed[number] += 1
    problems["claimed by more than one SGX document"] += [
        f"issuer {issuer.issuer_id} Fortnox {number}" for number, n in claimed.items() if n > 1
    ]
    problems["extra documents in Fortnox"] += [
        f"issuer {issuer.issuer_id} Fortnox {number} ({item['Total']})"
        for number, item in in_fortnox.items()
        if number not in claimed
    ]
    await _check_customers(factory, reader, issuer, problems, verdict)
    for kind, examples in problems.items():
        verdict.add(kind, examples)


async def _check_document(
    reader: FortnoxReader,
    issuer: IssuerWorld,
    document: Invoice,
    known: tuple[dict[int, Invoice], set[int]],  # SGX documents by id, linked credits' ids
    in_fortnox: dict[str, dict[str, Any]],
    problems: Problems,
    installation: str,
) -> str | None:
    """One SGX invoice or credit against Fortnox; returns the Fortnox number it claims."""
    by_id, linked_credits = known
    name = f"issuer {issuer.issuer_id} {'credit' if document.is_credit else 'invoice'} "
    name += str(document.number)
    number = document.fortnox_document_number
    if document.transfer_status not in FINAL_STATUSES:
        problems["SGX status not final"].append(f"{name}: {document.transfer_status}")
    if not number:
        problems["no Fortnox number in SGX"].append(name)
        return None
    found = in_fortnox.get(number)
    if found is None:
        problems["missing in Fortnox"].append(f"{name} → {number}")
        return number
    if _money(found["Total"]) != _money(document.total):
        problems["totals differ"].append(f"{name}: SGX {document.total}, Fortnox {found['Total']}")
    if found.get("Booked") is not True:
        problems["not booked in Fortnox"].append(f"{name} → {number}")
    if found.get("ExternalInvoiceReference1") != mapping.invoice_reference(
        installation=installation, issuer_id=issuer.issuer_id, invoice_id=document.id
    ):
        problems["not our reference"].append(f"{name}: {found.get('ExternalInvoiceReference1')}")
    if document.is_credit:
        linked = document.id in linked_credits
        await _check_credit(reader, document, by_id, number, linked, name, problems)
    return number


async def _check_credit(
    reader: FortnoxReader,
    credit: Invoice,
    by_id: dict[int, Invoice],
    number: str,
    linked: bool,
    name: str,
    problems: Problems,
) -> None:
    """The first credit is Fortnox's credit invoice of the original, which names it back; a
    later one a plain negative invoice naming the original, marked in SGX for matching."""
    made = (await reader.get(f"invoices/{number}"))["Invoice"]
    original = by_id.get(credit.credit_of_id or 0)
    wanted = original.fortnox_document_number if original else None
    if not linked:
        named = str(made.get("ExternalInvoiceReference2"))
        if made.get("Credit") != "false" or named != f"Kredit av faktura {wanted}":
            problems["later credit not a negative invoice naming its original"].append(
                f"{name} → {number}: Credit {made.get('Credit')}, names {named!r}"
            )
        if not credit.fortnox_unlinked_credit:
            problems["later credit not marked for matching"].append(name)
        return
    if str(made.get("InvoiceReference")) != str(wanted) or str(made.get("Credit")) != "true":
        problems["first credit not linked to its original"].append(
            f"{name} → {number}: credits {made.get('InvoiceReference')}, wanted {wanted}"
        )
        return
    shown = (await reader.get(f"invoices/{wanted}"))["Invoice"]
    if str(shown.get("CreditInvoiceReference")) != number:
        problems["original does not name its credit"].append(
            f"{name}: original {wanted} names {shown.get('CreditInvoiceReference')}, not {number}"
        )


def _wanted_customer(patient: Patient) -> dict[str, str]:
    """What Fortnox must hold about the patient: the sync's own mapping says (a protected
    patient has name and reference only)."""
    # The fields compared do not depend on the installation's prefix.
    wanted = mapping.patient_customer(patient, send_personnummer=False, installation="")
    return {
        "Name": wanted.name or "",
        "Phone1": wanted.phone1 or "",
        "Email": wanted.email or "",
        "EmailInvoice": wanted.email_invoice or "",
        "Address1": wanted.address1 or "",
        "City": wanted.city or "",
    }


async def _check_customers(
    factory: SessionFactory,
    reader: FortnoxReader,
    issuer: IssuerWorld,
    problems: Problems,
    verdict: Verdict,
) -> None:
    listed = await reader.every("customers", "Customers")
    verdict.figures["Fortnox customers"] += len(listed)
    numbers = Counter(str(item["CustomerNumber"]) for item in listed)
    patients = await patiently(lambda: invoiced_patients(factory, issuer.issuer_id))
    expected = {str(patient.fortnox_customer_number) for patient in patients}
    companies = len(issuer.company_numbers)
    extra = [n for n in numbers if n not in expected]
    if len(extra) != companies or any(count > 1 for count in numbers.values()):
        problems["extra customers in Fortnox"].append(
            f"issuer {issuer.issuer_id}: {sorted(extra)} besides {companies} companies"
        )
    for patient in patients:
        number = str(patient.fortnox_customer_number)
        if number not in numbers:
            problems["patient missing in Fortnox"].append(f"patient {patient.id} → {number}")
            continue
        customer = (await reader.get(f"customers/{number}"))["Customer"]
        wanted = _wanted_customer(patient)
        held = {key: str(customer.get(key) or "") for key in wanted}
        if wanted != held:
            problems["patient details differ in Fortnox"].append(
                f"patient {patient.id} ({number}): SGX {wanted}, Fortnox {held}"
            )


# ---- scenarios and tokens -------------------------------------------------------------------


async def invoice_jobs(factory: SessionFactory, invoice_ids: list[int]) -> list[TransferJob]:
    async with factory() as session:
        return list(
            await session.scalars(
                select(TransferJob).where(
                    TransferJob.kind == JobKind.INVOICE, TransferJob.subject_id.in_(invoice_ids)
                )
            )
        )


async def check_scenario(factory: SessionFactory, scenario: Scenario, verdict: Verdict) -> None:
    wanted = {"revoked consent": "lost", "licence removed": "licence_missing"}[scenario.name]
    if scenario.seen_state != wanted:
        verdict.add(
            f"{scenario.name} not exercised",
            [f"issuer {scenario.issuer_id}: SGX saw {scenario.seen_state or 'nothing'}"],
        )
    if scenario.repaired_state != "connected":
        verdict.add(
            f"{scenario.name} not repaired",
            [f"issuer {scenario.issuer_id}: {scenario.repaired_state or 'never repaired'}"],
        )
    if not scenario.invoice_ids:
        return
    repaired = dt.datetime.fromisoformat(scenario.repaired_utc) if scenario.repaired_utc else None
    jobs = await patiently(lambda: invoice_jobs(factory, scenario.invoice_ids))
    early = [
        f"invoice id {job.subject_id} done {job.done_at}"
        for job in jobs
        if job.done_at is None or repaired is None or job.done_at < repaired
    ]
    verdict.add(f"{scenario.name}: invoices not delivered after the repair", early)
    verdict.figures[f"{scenario.name}: invoices held and delivered after"] += len(jobs) - len(early)


def _sandbox_time(value: str) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def check_token_refusals(requests: RequestTally, tally: Tally, verdict: Verdict) -> None:
    """Only the revoked consent may be refused (its refresh token dies with it)."""
    windows = [
        (
            scenario.tenant_id,
            _sandbox_time(scenario.sandbox_window[0]),
            _sandbox_time(scenario.sandbox_window[1]),
        )
        for scenario in tally.scenarios
        if scenario.name == "revoked consent"
    ]
    outside = []
    inside = 0
    for refusal in requests.token_refusals:
        at = dt.datetime.fromisoformat(refusal.at)
        allowed = any(
            refusal.tenant_id in (None, tenant)
            and start is not None
            and start <= at
            and (end is None or at <= end)
            for tenant, start, end in windows
        )
        if allowed:
            inside += 1
        else:
            outside.append(
                f"request {refusal.request_id} tenant {refusal.tenant_id} {refusal.status}"
            )
    verdict.add("token requests refused (invalid_grant)", outside)
    verdict.figures["token refusals of the revoked consent"] = inside


async def check_fortnox(
    factory: SessionFactory,
    control: SandboxControl,
    http: httpx.AsyncClient,
    world: World,
    verdict: Verdict,
) -> None:
    linked_credits = await patiently(lambda: first_credit_ids(factory))
    for issuer in world.issuers:
        grant = await control.consent(issuer.tenant_id, account_type="personal")
        reader = FortnoxReader(http, access_token=str(grant["access_token"]))
        await check_issuer(factory, reader, issuer, linked_credits, verdict)
