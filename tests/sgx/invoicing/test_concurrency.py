"""Invoices created and credited at the same time from separate connections (PostgreSQL)."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from sgx.errors import AppError
from sgx.identity.principal import Principal
from sgx.invoicing import credits, service
from sgx.invoicing.models import Invoice
from sgx.invoicing.schemas import CreditCreate, InvoiceCreate, InvoiceRowIn
from sgx.kit.db import create_session_factory
from tests.builders.invoicing import Clinic, invoicer, make_clinic, make_invoice

CONCURRENT = 20


async def _create_in_own_session(engine: AsyncEngine, principal: Principal, clinic: Clinic) -> int:
    async with create_session_factory(engine)() as session:
        invoice = await service.create_invoice(
            session,
            principal=principal,
            issuer_id=clinic.issuer.id,
            data=InvoiceCreate(
                patient_id=clinic.patient.id,
                rows=[InvoiceRowIn(article_code="BESOK", quantity=Decimal(1))],
            ),
        )
        await session.commit()
        return invoice.number


@pytest.mark.postgres_only
async def test_concurrent_invoices_get_consecutive_numbers_without_gaps(
    engine: AsyncEngine, session: AsyncSession
) -> None:
    clinic = await make_clinic(session)
    principal = await invoicer(session, issuer_id=clinic.issuer.id)
    await session.commit()

    numbers = await asyncio.gather(
        *(_create_in_own_session(engine, principal, clinic) for _ in range(CONCURRENT))
    )

    assert sorted(numbers) == list(range(1001, 1001 + CONCURRENT))
    stored = (await session.scalars(select(Invoice.number).order_by(Invoice.number))).all()
    assert stored == list(range(1001, 1001 + CONCURRENT))


async def _credit_in_own_session(engine: AsyncEngine, principal: Principal, invoice_id: int) -> str:
    async with create_session_factory(engine)() as session:
        try:
            await credits.credit_invoice(
                session, principal=principal, invoice_id=invoice_id, data=CreditCreate()
            )
        except AppError as error:
            await session.rollback()
            return error.code
        await session.commit()
        return "credited"


@pytest.mark.postgres_only
async def test_concurrent_full_credits_of_one_invoice_credit_it_once(
    engine: AsyncEngine, session: AsyncSession
) -> None:
    clinic = await make_clinic(session)
    invoice = await make_invoice(
        session, issuer_id=clinic.issuer.id, patient_id=clinic.patient.id, rows=[("BESOK", "1")]
    )
    principal = await invoicer(session, issuer_id=clinic.issuer.id)
    await session.commit()

    outcomes = await asyncio.gather(
        *(_credit_in_own_session(engine, principal, invoice.id) for _ in range(5))
    )

    assert sorted(outcomes) == ["already_credited"] * 4 + ["credited"]
    credit_numbers = (
        await session.scalars(select(Invoice.number).where(Invoice.credit_of_id == invoice.id))
    ).all()
    assert credit_numbers == [1002]
