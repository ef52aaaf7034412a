"""An invoice's transfer history as its page shows it: every attempt of its transfer jobs.

Read-only over the transfer queue's tables (``sgx.outbox``); the words are Swedish for people,
the stored operation and outcome codes stay as the engine wrote them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sgx.kit.clock import STOCKHOLM
from sgx.outbox.models import JobKind, TransferAttempt, TransferJob

INVOICE_JOB_KINDS = (JobKind.INVOICE, JobKind.FULL_CREDIT)

OPERATIONS = {
    "invoice": "Överföring av faktura",
    "full_credit": "Kreditering",
    "patient": "Patientuppgifter",
    "connection": "Anslutningen",
    "find_customer": "Sök kund",
    "get_customer": "Läs kund",
    "create_customer": "Skapa kund",
    "update_customer": "Uppdatera kund",
    "adopt_customer": "Koppla befintlig kund",
    "get_article": "Läs artikel",
    "create_article": "Skapa artikel",
    "update_article": "Uppdatera artikel",
    "get_account": "Kontrollera konto",
    "get_financial_year": "Kontrollera räkenskapsår",
    "get_invoice": "Läs faktura",
    "create_invoice": "Skapa faktura",
    "adopt_invoice": "Koppla befintlig faktura",
    "create_credit_invoice": "Skapa kreditering som faktura med negativt belopp",
    "bookkeep_invoice": "Bokför faktura",
    "bookkeep_original": "Bokför originalfakturan",
    "bookkeep_credit_invoice": "Bokför kreditfaktura",
    "update_credit_invoice": "Ändra kreditfakturan efter krediteringen i SGX",
    "credit_invoice": "Kreditera faktura",
    "get_credit_invoice": "Läs kreditfaktura",
    "adopt_credit": "Koppla befintlig kreditering",
    "retry": "Försök igen",
}
OUTCOMES = {  # outcome code → (Swedish text, tone)
    "done": ("Klar", "ok"),
    "ok": ("Klar", "ok"),
    "adopted": ("Fanns redan, kopplad", "ok"),
    "found": ("Hittad", "ok"),
    "retry": ("Tillfälligt fel, försöker igen", "warn"),
    "transient": ("Tillfälligt fel, försöker igen", "warn"),
    "failed": ("Fel – åtgärd krävs", "error"),
    "permanent": ("Fel – åtgärd krävs", "error"),
    "held": ("Pausad – ingen anslutning", "warn"),
}


@dataclass(frozen=True)
class HistoryEntry:
    at: dt.datetime
    local_time: str
    operation: str
    outcome: str
    tone: str
    document_number: str
    message: str
    http_status: int | None
    fortnox_code: str


def _entry(attempt: TransferAttempt) -> HistoryEntry:
    outcome, tone = OUTCOMES.get(attempt.outcome, (attempt.outcome, "info"))
    return HistoryEntry(
        at=attempt.at,
        local_time=attempt.at.astimezone(STOCKHOLM).strftime("%Y-%m-%d %H:%M:%S"),
        operation=OPERATIONS.get(attempt.operation, attempt.operation),
        outcome=outcome,
        tone=tone,
        document_number=attempt.fortnox_document_number,
        message=attempt.message,
        http_status=attempt.http_status,
        fortnox_code=attempt.fortnox_code,
    )


async def transfer_history(
    session: AsyncSession, *, issuer_id: int, invoice_id: int
) -> Sequence[HistoryEntry]:
    """Every attempt made to transfer the invoice (or its full credit), oldest first."""
    attempts = await session.scalars(
        select(TransferAttempt)
        .join(TransferJob, TransferJob.id == TransferAttempt.job_id)
        .where(
            TransferJob.issuer_id == issuer_id,
            TransferJob.subject_id == invoice_id,
            TransferJob.kind.in_(INVOICE_JOB_KINDS),
        )
        .order_by(TransferAttempt.at, TransferAttempt.id)
    )
    return [_entry(attempt) for attempt in attempts]
