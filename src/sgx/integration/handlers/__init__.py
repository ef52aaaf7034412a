"""The transfer handlers, one per job kind, registered in ``sgx.integration.jobs.HANDLERS``.

Importing this package registers them: ``JobKind.INVOICE`` (an invoice or a partial credit) and
``JobKind.FULL_CREDIT`` (a credit of the whole invoice), both ``handlers.transfer``;
``JobKind.PATIENT`` (a changed patient) and ``JobKind.RECONCILE`` (reading back payments and
changes, ``sgx.integration.reconcile``).
Each handler sets the invoice's final status itself when it succeeds ("Överförd" with the
Fortnox number, "Osynk" when Fortnox's totals differ, "Krediterad" on a fully credited
original); refusals come back as outcomes with a Swedish message, and Fortnox errors it does not
handle are raised for the engine to retry, hold or fail.
"""

from __future__ import annotations

from sgx.integration.handlers.patients import update_patient
from sgx.integration.handlers.transfer import transfer_document
from sgx.integration.jobs import HANDLERS
from sgx.integration.reconcile import reconcile_issuer
from sgx.outbox.models import JobKind

HANDLERS.update(
    {
        JobKind.INVOICE: transfer_document,
        JobKind.FULL_CREDIT: transfer_document,
        JobKind.PATIENT: update_patient,
        JobKind.RECONCILE: reconcile_issuer,
    }
)

# The names the job kinds are known by.
transfer_invoice = transfer_document
transfer_full_credit = transfer_document

__all__ = ["transfer_document", "transfer_full_credit", "transfer_invoice", "update_patient"]
