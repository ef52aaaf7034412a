"""The workload of a chaos run: invoices, partial and full credits and patient edits.

Each is made through SGX's own services in one transaction, as a request of the app would make
it (the transfer job is written in the same transaction). The plan is drawn from the run's seed
up front; the operations are spread evenly over the chaos phase by a few concurrent makers. The
workload is valid on purpose: any refusal by SGX is counted as a failure of the run.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

import structlog

from sgx.chaos.config import ChaosConfig
from sgx.chaos.patience import patiently
from sgx.chaos.world import ARTICLES, SessionFactory, World
from sgx.errors import AppError
from sgx.invoicing import credits, service
from sgx.invoicing.schemas import CreditCreate, CreditRowIn, InvoiceCreate, InvoiceRowIn
from sgx.parties.schemas import PatientUpdate
from sgx.parties.service import update_patient

log = structlog.get_logger(__name__)

QUANTITIES = (Decimal("1"), Decimal("1"), Decimal("2"), Decimal("3"), Decimal("0.5"))
# The share of the chaos phase over which the planned operations are spread.
SPREAD = 0.8


@dataclass
class MadeInvoice:
    invoice_id: int
    issuer_id: int
    left: dict[int, Decimal]  # row id → quantity not credited yet
    credits: int = 0
    fully_credited: bool = False


@dataclass
class Ledger:
    """What the workload made, for the figures and the checks."""

    invoices: dict[int, MadeInvoice] = field(default_factory=dict)
    counts: Counter[str] = field(default_factory=Counter)
    refusals: list[str] = field(default_factory=list)
    crashes: list[str] = field(default_factory=list)  # operations that raised something else


class Workload:
    def __init__(
        self, factory: SessionFactory, world: World, config: ChaosConfig, rng: random.Random
    ) -> None:
        self.factory = factory
        self.world = world
        self.config = config
        self.rng = rng
        self.ledger = Ledger()
        self.plan = self._plan()
        self.performed = 0  # planned operations done (or refused)
        self._next = 0

    def _plan(self) -> list[str]:
        config = self.config
        plan = ["invoice"] * config.invoices
        plan += ["credit"] * config.credits
        plan += ["edit"] * config.patient_edits
        self.rng.shuffle(plan)
        # A credit needs an invoice to credit: the first few operations are invoices.
        head = min(len(plan), max(config.issuers * 2, 10))
        plan[:head] = sorted(plan[:head], key=lambda kind: kind != "invoice")
        return plan

    @property
    def finished(self) -> bool:
        return self._next >= len(self.plan)

    async def run(self, *, seconds: float) -> None:
        """Make every planned operation, evenly spread over ``seconds`` × ``SPREAD``."""
        started = time.monotonic()
        step = seconds * SPREAD / max(len(self.plan), 1)
        makers = [
            asyncio.create_task(self._maker(started, step)) for _ in range(self.config.makers)
        ]
        await asyncio.gather(*makers)

    async def _maker(self, started: float, step: float) -> None:
        while self._next < len(self.plan):
            index = self._next
            self._next += 1
            delay = started + index * step - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            kind = self.plan[index]
            try:
                await self.perform(kind)
            except Exception as error:
                # A request that would have failed for a user: the checks report it, and the
                # other operations go on (one crash must not hide behind "not finished").
                said = f"{type(error).__name__}: {_first_line(error)}"
                self.ledger.crashes.append(f"{kind}: {said}")
                # The first line only: the rest of a database error repeats the statement's values.
                log.error("chaos_workload_crashed", kind=kind, error=said)
            self.performed += 1

    async def perform(self, kind: str, *, issuer_id: int | None = None) -> int | None:
        issuer_id = issuer_id or self.rng.choice(self.world.issuers).issuer_id
        chosen = issuer_id
        try:
            if kind == "invoice":
                return await patiently(lambda: self.make_invoice(chosen))
            if kind == "credit":
                return await patiently(self.make_credit)
            return await patiently(lambda: self.edit_patient(chosen))
        except AppError as error:
            # Nothing the workload asks is wrong: a refusal is SGX's failure (or the suite's).
            self.ledger.refusals.append(f"{kind}: {error.code}: {error.message}")
            log.warning("chaos_workload_refused", kind=kind, code=error.code)
            return None

    async def make_invoice(self, issuer_id: int) -> int:
        issuer = self.world.by_id(issuer_id)
        rng = self.rng
        party: dict[str, int] = (
            {"company_id": rng.choice(issuer.company_ids)}
            if rng.random() < 0.2
            else {"patient_id": rng.choice(issuer.patient_ids)}
        )
        rows = [
            InvoiceRowIn(article_code=rng.choice(ARTICLES)[0], quantity=rng.choice(QUANTITIES))
            for _ in range(rng.randint(1, 3))
        ]
        async with self.factory() as session:
            invoice = await service.create_invoice(
                session,
                principal=self.world.principal,
                issuer_id=issuer_id,
                data=InvoiceCreate(rows=rows, **party),
            )
            made = MadeInvoice(
                invoice.id, issuer_id, {row.id: row.quantity for row in invoice.rows}
            )
            await session.commit()
        self.ledger.invoices[made.invoice_id] = made
        self.ledger.counts["invoices"] += 1
        return made.invoice_id

    async def make_credit(self) -> int | None:
        open_invoices = [made for made in self.ledger.invoices.values() if not made.fully_credited]
        if not open_invoices:
            return None
        # Half of the credits go on where an earlier one left off, so that rest credits (the
        # ones that complete a crediting) are common even in a short run.
        begun = [made for made in open_invoices if made.credits]
        made = self.rng.choice(begun if begun and self.rng.random() < 0.5 else open_invoices)
        rows: list[CreditRowIn] | None = None
        if self.rng.random() < 0.55:
            row_id = self.rng.choice([row for row, left in made.left.items() if left > 0])
            part = min(made.left[row_id], Decimal("0.5") if made.credits else Decimal("1"))
            rows = [CreditRowIn(row_id=row_id, quantity=part)]
            made.left[row_id] -= part
        kind = "rest" if made.credits and rows is None else "partial" if rows else "full"
        # Claimed before the await: no other maker credits the same quantity twice. Without
        # remainder credits an invoice gets one credit only (``--no-remainder-credits``).
        made.fully_credited = (
            rows is None or not any(made.left.values()) or not self.config.remainder_credits
        )
        async with self.factory() as session:
            credit = await credits.credit_invoice(
                session,
                principal=self.world.principal,
                invoice_id=made.invoice_id,
                data=CreditCreate(rows=rows, reason="Kaostest"),
            )
            await session.commit()
        made.credits += 1
        self.ledger.counts[f"credits ({kind})"] += 1
        self.ledger.counts["credits"] += 1
        return credit.id

    async def edit_patient(self, issuer_id: int) -> int:
        issuer = self.world.by_id(issuer_id)
        patient_id = self.rng.choice(issuer.patient_ids)
        number = self.rng.randrange(1, 10_000)
        changes: dict[str, object] = {"phone": f"08-{number:06d}"}
        if self.rng.random() < 0.5 and patient_id not in issuer.protected_patient_ids:
            changes["address"] = f"Nya gatan {number}"
        if self.rng.random() < 0.2:
            changes["last_name"] = f"Bytt {number}"
        async with self.factory() as session:
            await update_patient(
                session,
                principal=self.world.principal,
                patient_id=patient_id,
                data=PatientUpdate.model_validate(changes),
            )
            await session.commit()
        self.ledger.counts["patient edits"] += 1
        return patient_id


def _first_line(error: Exception) -> str:
    text = str(error).strip().splitlines()
    return text[0][:200] if text else ""
