"""The checks that end ``sgx demo``: Fortnox's state read back through its API and held
against SGX's — every invoice there once with SGX's totals, every credit once and pointing at
its invoice — and the summary table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from rich.console import Console
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from sgx.fortnox import FortnoxClient
from sgx.fortnox.schemas import Invoice as FortnoxInvoice
from sgx.integration.mapping import kronor, totals_differences
from sgx.invoicing.models import Invoice, InvoiceKind

SessionFactory = async_sessionmaker[AsyncSession]


@dataclass
class Line:
    """One SGX invoice and what Fortnox has for it."""

    invoice: Invoice
    found: FortnoxInvoice | None
    problems: list[str] = field(default_factory=list)

    @property
    def kind(self) -> str:
        if self.invoice.is_credit:
            return "Kreditfaktura"
        return "Patientfaktura" if self.invoice.kind is InvoiceKind.PATIENT else "Företagsfaktura"


@dataclass
class Check:
    text: str
    ok: bool


@dataclass
class Verification:
    lines: list[Line] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(line.problems == [] for line in self.lines) and all(c.ok for c in self.checks)

    def check(self, text: str, ok: bool) -> bool:
        self.checks.append(Check(text, ok))
        return ok


async def sgx_invoices(factory: SessionFactory, issuer_id: int) -> list[Invoice]:
    async with factory() as session:
        invoices = list(
            await session.scalars(
                select(Invoice).where(Invoice.issuer_id == issuer_id).order_by(Invoice.number)
            )
        )
        await session.commit()
    return invoices


async def read_back(
    factory: SessionFactory, client: FortnoxClient, issuer_id: int, *, made_in_fortnox: int = 0
) -> Verification:
    """Hold Fortnox against SGX; ``made_in_fortnox`` documents were made there on purpose."""
    invoices = await sgx_invoices(factory, issuer_id)
    listed = [item async for item in client.invoices.iterate()]
    numbers = [item.document_number or "" for item in listed]
    result = Verification()
    for invoice in invoices:
        found = None
        if invoice.fortnox_document_number in numbers:
            found = await client.invoices.get(invoice.fortnox_document_number or "")
        result.lines.append(Line(invoice, found, _problems(invoice, found, invoices)))
    ours = {invoice.fortnox_document_number for invoice in invoices}
    result.check(
        f"Alla {len(invoices)} fakturor finns i Fortnox, var och en en gång",
        len(numbers) == len(set(numbers)) == len(invoices) + made_in_fortnox
        and ours <= set(numbers),
    )
    credits = [line for line in result.lines if line.invoice.is_credit]
    result.check(
        f"Krediteringarna ({len(credits)}) finns en gång var och pekar på sin faktura",
        all(not line.problems for line in credits),
    )
    return result


def _problems(invoice: Invoice, found: FortnoxInvoice | None, every: list[Invoice]) -> list[str]:
    if found is None:
        return ["saknas i Fortnox"]
    problems = [difference.describe() for difference in totals_differences(invoice, found)]
    if invoice.credit_of_id is not None:
        original = next((i for i in every if i.id == invoice.credit_of_id), None)
        wanted = original.fortnox_document_number if original else None
        if not found.credit or found.invoice_reference != wanted:
            problems.append(f"krediterar inte faktura {wanted} i Fortnox")
    return problems


def summary_table(result: Verification) -> Table:
    table = Table(title="Fakturor i SGX och i Fortnox")
    for heading, justify in (
        ("Nr", "right"),
        ("Typ", "left"),
        ("Belopp SGX", "right"),
        ("Nr i Fortnox", "right"),
        ("Belopp Fortnox", "right"),
        ("Status", "left"),
        ("Betalning", "left"),
        ("Kontroll", "left"),
    ):
        table.add_column(heading, justify=justify)  # type: ignore[arg-type]
    for line in result.lines:
        invoice = line.invoice
        total = line.found.total if line.found is not None else None
        table.add_row(
            str(invoice.number),
            line.kind,
            kronor(invoice.total),
            invoice.fortnox_document_number or "–",
            kronor(Decimal(total)) if total is not None else "–",
            invoice.transfer_status,
            invoice.payment_status or "–",
            "✓" if not line.problems else "✗ " + "; ".join(line.problems),
        )
    return table


def print_result(console: Console, result: Verification) -> None:
    console.print(summary_table(result))
    for check in result.checks:
        console.print(f"{'✓' if check.ok else '✗'} {check.text}")
    console.print(
        "[bold green]Allt stämmer.[/]" if result.ok else "[bold red]Något stämmer inte.[/]"
    )
