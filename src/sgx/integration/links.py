"""What the sync knows about SGX things in one Fortnox company: the ``fortnox_links`` table.

A link ties a patient, a company or an article of an issuer to its number in the Fortnox
company (tenant) the issuer is connected to, with a hash of what SGX last sent. It lets the
steady state skip every call: a patient whose hash is unchanged is not updated, a company found
once is not searched again, an article already in Fortnox is not read. Links are per tenant, so
reconnecting an issuer to another Fortnox company starts afresh instead of trusting numbers
that mean something else there. Queries only; callers commit.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping

from sqlalchemy import (
    Enum,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    and_,
    delete,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from sgx.kit.clock import utcnow
from sgx.kit.db import Base


class LinkKind(enum.StrEnum):
    PATIENT = "patient"  # a patient, created by SGX as a private customer
    COMPANY = "company"  # a company, found in the customer register by organisation number
    ARTICLE = "article"  # an article, created or kept up to date by SGX


class FortnoxLink(Base):
    __tablename__ = "fortnox_links"
    __table_args__ = (UniqueConstraint("issuer_id", "tenant_id", "kind", "sgx_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer_id: Mapped[int] = mapped_column(ForeignKey("issuers.id", ondelete="CASCADE"))
    tenant_id: Mapped[int] = mapped_column(Integer)  # the Fortnox company (DatabaseNumber)
    kind: Mapped[LinkKind] = mapped_column(
        Enum(
            LinkKind,
            native_enum=False,
            length=20,
            values_callable=lambda e: [m.value for m in e],
        )
    )
    sgx_id: Mapped[int] = mapped_column(Integer)
    fortnox_number: Mapped[str] = mapped_column(String(50))
    # sha256 of the fields last sent (empty for companies, which SGX never writes).
    content_hash: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


async def find_links(
    session: AsyncSession,
    *,
    issuer_id: int,
    tenant_id: int,
    kind: LinkKind,
    sgx_ids: Iterable[int],
) -> dict[int, FortnoxLink]:
    """The links of the given SGX ids, by id (ids without a link are absent)."""
    wanted = sorted(set(sgx_ids))
    if not wanted:
        return {}
    query = select(FortnoxLink).where(
        FortnoxLink.issuer_id == issuer_id,
        FortnoxLink.tenant_id == tenant_id,
        FortnoxLink.kind == kind,
        FortnoxLink.sgx_id.in_(wanted),
    )
    return {link.sgx_id: link for link in (await session.scalars(query)).all()}


async def find_links_by_kind(
    session: AsyncSession,
    *,
    issuer_id: int,
    tenant_id: int,
    wanted: Mapping[LinkKind, Iterable[int]],
) -> dict[LinkKind, dict[int, FortnoxLink]]:
    """Links of several kinds in one query: kind → SGX id → link (every asked kind present)."""
    ids = {kind: sorted(set(sgx_ids)) for kind, sgx_ids in wanted.items()}
    found: dict[LinkKind, dict[int, FortnoxLink]] = {kind: {} for kind in ids}
    conditions = [
        and_(FortnoxLink.kind == kind, FortnoxLink.sgx_id.in_(sgx_ids))
        for kind, sgx_ids in ids.items()
        if sgx_ids
    ]
    if not conditions:
        return found
    query = select(FortnoxLink).where(
        FortnoxLink.issuer_id == issuer_id,
        FortnoxLink.tenant_id == tenant_id,
        or_(*conditions),
    )
    for link in (await session.scalars(query)).all():
        found[link.kind][link.sgx_id] = link
    return found


async def find_link(
    session: AsyncSession, *, issuer_id: int, tenant_id: int, kind: LinkKind, sgx_id: int
) -> FortnoxLink | None:
    links = await find_links(
        session, issuer_id=issuer_id, tenant_id=tenant_id, kind=kind, sgx_ids=[sgx_id]
    )
    return links.get(sgx_id)


async def save_link(
    session: AsyncSession,
    *,
    issuer_id: int,
    tenant_id: int,
    kind: LinkKind,
    sgx_id: int,
    fortnox_number: str,
    content_hash: str = "",
) -> FortnoxLink:
    """Create or replace the link (one worker holds an issuer at a time, so no race here)."""
    link = await find_link(
        session, issuer_id=issuer_id, tenant_id=tenant_id, kind=kind, sgx_id=sgx_id
    )
    if link is None:
        link = FortnoxLink(issuer_id=issuer_id, tenant_id=tenant_id, kind=kind, sgx_id=sgx_id)
        session.add(link)
    link.fortnox_number = fortnox_number
    link.content_hash = content_hash
    link.updated_at = utcnow()
    await session.flush()
    return link


async def drop_links(
    session: AsyncSession,
    *,
    issuer_id: int,
    tenant_id: int,
    kind: LinkKind,
    sgx_ids: Iterable[int],
) -> None:
    """Forget links that Fortnox contradicted (the customer or article is gone there)."""
    wanted = sorted(set(sgx_ids))
    if not wanted:
        return
    await session.execute(
        delete(FortnoxLink).where(
            FortnoxLink.issuer_id == issuer_id,
            FortnoxLink.tenant_id == tenant_id,
            FortnoxLink.kind == kind,
            FortnoxLink.sgx_id.in_(wanted),
        )
    )
