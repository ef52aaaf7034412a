"""The Fortnox customer of an invoice: a patient SGX keeps there, or a company found there.

Patients are created as private customers under a number derived from SGX (``SGX<inst>P<id>``,
see ``mapping``) and updated only when what SGX sends about them changed (content hash in the
link). An update clears with ``null`` and its answer is compared with what SGX meant to store; a
field Fortnox did not take fails the job with a Swedish message, and the link keeps its old hash
so a retry resends. Creation is safe to repeat: after an attempt whose answer was lost, or when
Fortnox says the number is used, the customer under that number is read and adopted if it
carries the patient's SGX reference; a number held by anyone else is a conflict for a person.

Companies are never created or changed: they are looked up by organisation number among the
active customers (Fortnox's search is a substring match, so numbers are compared exactly after
normalising) and the found customer number is remembered, so the steady state costs no call.
When several active customers share the number, an Administratör pins the company to one of
them in SGX; a pinned number is read and checked (exists, active, same organisation number)
before it is first used, and again whenever Fortnox no longer knows it.
"""

from __future__ import annotations

from sgx.fortnox.errors import InvalidRequest, NotFound
from sgx.fortnox.matching import same_identity_number
from sgx.fortnox.schemas import Customer
from sgx.integration import mapping
from sgx.integration.handlers import refusals
from sgx.integration.handlers.common import (
    call,
    forget,
    lookup,
    read_links,
    refuse,
    remember,
    tenant_of,
    write,
)
from sgx.integration.handlers.loading import InvoiceSnapshot
from sgx.integration.jobs import JobContext
from sgx.integration.links import FortnoxLink, LinkKind, save_link
from sgx.issuers.models import Issuer
from sgx.outbox.models import TransferJob
from sgx.parties.models import Company, Patient

CUSTOMER_NUMBER_USED = 2000637
# The content hash of a company link made from an Administratör's pin rather than a search, so
# that a pin removed or changed later is not mistaken for what the search found.
PINNED = "pinned"


async def customer_number_for(
    ctx: JobContext, job: TransferJob, snapshot: InvoiceSnapshot, *, fresh: bool = False
) -> str:
    """The invoice's customer in Fortnox; ``fresh`` distrusts what was remembered."""
    if snapshot.patient is not None:
        known = snapshot.known_links(LinkKind.PATIENT)
        if fresh:
            await forget(ctx, LinkKind.PATIENT, [snapshot.patient.id])
            known = {}
        return await ensure_patient_customer(
            ctx,
            job,
            snapshot.patient,
            snapshot.issuer,
            installation=snapshot.installation,
            known=known,
        )
    assert snapshot.company is not None  # an invoice has exactly one party
    return await find_company_customer(
        ctx, job, snapshot.company, fresh=fresh, known=snapshot.known_links(LinkKind.COMPANY)
    )


async def ensure_patient_customer(
    ctx: JobContext,
    job: TransferJob,
    patient: Patient,
    issuer: Issuer,
    *,
    installation: str,
    known: dict[int, FortnoxLink] | None = None,
) -> str:
    """``known``: the patient links already read with the invoice (``None``: read them);
    ``installation``: the reference prefix the customer's number and reference carry."""
    wanted = mapping.patient_customer(
        patient, send_personnummer=issuer.send_personnummer_to_fortnox, installation=installation
    )
    digest = mapping.content_hash(wanted)
    if known is None:
        known = await read_links(ctx, LinkKind.PATIENT, [patient.id])
    link = known.get(patient.id)
    if link is not None and link.content_hash == digest:
        if patient.fortnox_customer_number != link.fortnox_number:
            # Stored apart from the link before (a worker may have stopped in between).
            await _remember_patient(ctx, patient, link.fortnox_number, digest)
        return link.fortnox_number
    if link is not None:
        number = link.fortnox_number
        try:
            await _update(ctx, job, number, wanted)
        except NotFound:
            # Removed in Fortnox: the number stays used there, so this needs a person.
            await forget(ctx, LinkKind.PATIENT, [patient.id])
            raise refuse(refusals.customer_number_deleted(number)) from None
    else:
        number = await _create_or_adopt(ctx, job, wanted)
    await _remember_patient(ctx, patient, number, digest)
    return number


async def _create_or_adopt(ctx: JobContext, job: TransferJob, wanted: Customer) -> str:
    number = wanted.customer_number
    assert number is not None
    if job.write_sent_at is not None:
        found = await lookup(ctx, job, "get_customer", lambda: ctx.client.customers.get(number))
        if found is not None:
            return await _adopt(ctx, job, found, wanted)
    try:
        created = await write(
            ctx,
            job,
            "create_customer",
            lambda: ctx.client.customers.create(mapping.customer_to_create(wanted)),
            document=lambda customer: customer.customer_number,
        )
    except InvalidRequest as error:
        if error.code != CUSTOMER_NUMBER_USED:
            raise
        found = await lookup(ctx, job, "get_customer", lambda: ctx.client.customers.get(number))
        if found is None:
            raise refuse(refusals.customer_number_deleted(number)) from error
        return await _adopt(ctx, job, found, wanted)
    return created.customer_number or number


async def _adopt(ctx: JobContext, job: TransferJob, found: Customer, wanted: Customer) -> str:
    number = found.customer_number or wanted.customer_number or ""
    if not mapping.is_our_customer(found, wanted):
        raise refuse(refusals.customer_number_taken(number, found.name or "utan namn"))
    await ctx.record_attempt(job, operation="adopt_customer", outcome="adopted")
    if not mapping.same_customer_content(found, wanted):
        await _update(ctx, job, number, wanted)
    return number


async def _update(ctx: JobContext, job: TransferJob, number: str, wanted: Customer) -> None:
    """Send the patient's details and check that Fortnox kept them: a clear that did not take
    (an address left on a protected patient) is a failure for a person, never a success."""
    answer = await write(
        ctx,
        job,
        "update_customer",
        lambda: ctx.client.customers.update(
            number,
            mapping.customer_changes(wanted),
            clear=mapping.cleared_customer_fields(wanted),
        ),
    )
    unkept = mapping.unkept_customer_fields(answer, wanted)
    if unkept:
        raise refuse(refusals.customer_update_not_kept(number, unkept))


async def _remember_patient(ctx: JobContext, patient: Patient, number: str, digest: str) -> None:
    """The link and the patient's customer number in one transaction: never one without the
    other (a patient without the number would not send its later changes to Fortnox)."""
    async with ctx.session_factory() as session:
        await save_link(
            session,
            issuer_id=ctx.issuer_id,
            tenant_id=tenant_of(ctx),
            kind=LinkKind.PATIENT,
            sgx_id=patient.id,
            fortnox_number=number,
            content_hash=digest,
        )
        stored = await session.get(Patient, patient.id)
        if stored is not None and stored.fortnox_customer_number != number:
            stored.fortnox_customer_number = number
        await session.commit()


async def find_company_customer(
    ctx: JobContext,
    job: TransferJob,
    company: Company,
    *,
    fresh: bool = False,
    known: dict[int, FortnoxLink] | None = None,
) -> str:
    if not fresh:
        if known is None:
            known = await read_links(ctx, LinkKind.COMPANY, [company.id])
        link = known.get(company.id)
        if link is not None and _link_still_meant(link, company):
            return link.fortnox_number
    else:
        await forget(ctx, LinkKind.COMPANY, [company.id])
    if company.fortnox_customer_number:
        number = await _verified_pin(ctx, job, company, company.fortnox_customer_number)
        await remember(ctx, LinkKind.COMPANY, company.id, number, PINNED)
        return number
    found = await call(
        ctx,
        job,
        "find_customer",
        lambda: ctx.client.customers.find_by_organisation_number(
            company.organisation_number, only_active=True
        ),
    )
    numbers = sorted({c.customer_number for c in found if c.customer_number})
    if not numbers:
        raise refuse(refusals.company_not_in_fortnox(company.name, company.organisation_number))
    if len(numbers) > 1:
        raise refuse(
            refusals.company_ambiguous_in_fortnox(
                company.name, company.organisation_number, numbers
            )
        )
    await remember(ctx, LinkKind.COMPANY, company.id, numbers[0])
    return numbers[0]


def _link_still_meant(link: FortnoxLink, company: Company) -> bool:
    pinned = company.fortnox_customer_number
    if pinned:
        return link.content_hash == PINNED and link.fortnox_number == pinned
    return link.content_hash != PINNED


async def _verified_pin(ctx: JobContext, job: TransferJob, company: Company, pinned: str) -> str:
    found = await lookup(ctx, job, "get_customer", lambda: ctx.client.customers.get(pinned))
    if found is None:
        raise refuse(refusals.company_pin_missing(company.name, pinned))
    if found.active is False:
        raise refuse(refusals.company_pin_inactive(company.name, pinned))
    if not same_identity_number(found.organisation_number, company.organisation_number):
        raise refuse(
            refusals.company_pin_other_number(
                company.name, company.organisation_number, pinned, found.organisation_number
            )
        )
    return found.customer_number or pinned
