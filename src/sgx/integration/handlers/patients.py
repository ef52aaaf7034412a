"""``JobKind.PATIENT``: a patient who is already a customer in Fortnox changed in SGX.

The customer is updated only when what SGX sends about the patient changed (content hash). A
patient not yet in this Fortnox company is left alone: the next invoice creates the customer
with the current details, and nothing about a patient is sent before there is an invoice. For a
patient with skyddad identitet the address is also cleared from the patient's Fortnox invoices
(``handlers.protected``).
"""

from __future__ import annotations

from sgx.integration.handlers.common import TransferRefused, read_links
from sgx.integration.handlers.customers import ensure_patient_customer
from sgx.integration.handlers.loading import load_patient
from sgx.integration.handlers.protected import clear_invoice_contacts
from sgx.integration.jobs import JobContext, JobOutcome, OutcomeKind
from sgx.integration.links import LinkKind
from sgx.outbox.models import TransferJob


async def update_patient(ctx: JobContext, job: TransferJob) -> JobOutcome:
    loaded = await load_patient(ctx, job.subject_id)
    if loaded is None:
        return JobOutcome(
            OutcomeKind.FAILED, code="patient_missing", message="Patienten finns inte i SGX."
        )
    patient = loaded.patient
    link = (await read_links(ctx, LinkKind.PATIENT, [patient.id])).get(patient.id)
    if link is None:
        return JobOutcome.done()
    try:
        number = await ensure_patient_customer(
            ctx, job, patient, loaded.issuer, installation=loaded.installation
        )
        if patient.protected_identity:
            await clear_invoice_contacts(ctx, job, number)
    except TransferRefused as refusal:
        return refusal.outcome
    return JobOutcome.done(number)
