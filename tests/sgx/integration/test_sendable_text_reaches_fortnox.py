"""Every text SGX accepts at input reaches Fortnox: sent through the real mapping to the sandbox,
which refuses what Fortnox's published character list does not hold (2000359)."""

from __future__ import annotations

import asyncio
import datetime as dt

import httpx
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from fortnox_sandbox.app import create_app as create_sandbox_app
from fortnox_sandbox.backend import SandboxBackend
from sgx.catalog.models import Article
from sgx.fortnox.client import FortnoxClient
from sgx.fortnox.errors import InvalidRequest
from sgx.fortnox.schemas import Customer
from sgx.integration import mapping
from sgx.kit.sendable_text import clean, is_sendable
from tests.sgx.fortnox.sandbox import (
    API_BASE_URL,
    consent,
    create_company,
    fortnox_client,
    register_client,
)
from tests.sgx.integration.test_mapping import invoice, patient, row

# Any installation prefix will do: the texts are what is checked.
INSTALLATION = "K7QD2"

# Pieces people type, each sendable on its own after cleaning: Swedish and other letters,
# punctuation, typographic dashes, quotes and spaces, line breaks, decomposed letters.
PIECES = [
    *"abcxyzABCXYZåäöÅÄÖéüøæßçłñ",
    *"0123456789",
    *" :.,;`´#%§£€¤&/()=+-*_!?@\\°²³®©™½",
    *"\t\n\r\u00a0\u2009\u202f\u3000\u200b\u00ad",
    *"\u2010\u2013\u2014\u2212'\u2018\u2019\u201a",
    "a\u030a",
    "o\u0308",
    "e\u0301",
]
piece = st.one_of(
    st.sampled_from(PIECES),
    st.characters(codec="utf-8").filter(is_sendable),
)


def texts(max_size: int, min_size: int = 0) -> st.SearchStrategy[str]:
    """Texts SGX accepts: only sendable pieces, within the input's length limit."""
    return (
        st.lists(piece, max_size=max_size)
        .map("".join)
        .filter(lambda text: min_size <= len(text) <= max_size and is_sendable(text))
    )


def names() -> st.SearchStrategy[str]:
    return texts(100).filter(lambda text: bool(clean(text)))


async def connected_client(http: httpx.AsyncClient) -> FortnoxClient:
    await register_client(http)
    tenant_id = await create_company(http)
    tokens = await consent(http, tenant_id)
    return fortnox_client(http, tokens["access_token"], tenant_id)


async def send_all(person: dict[str, str], article_text: str, row_text: str, ref: str) -> None:
    """One patient, article and invoice with these texts, through the mapping to a fresh
    sandbox; each write raises if Fortnox's rule refuses a character."""
    transport = httpx.ASGITransport(app=create_sandbox_app(SandboxBackend(), control=True))
    async with httpx.AsyncClient(transport=transport, base_url=API_BASE_URL) as http:
        client = await connected_client(http)
        wanted = mapping.patient_customer(
            patient(**person), send_personnummer=False, installation=INSTALLATION
        )
        created = await client.customers.create(mapping.customer_to_create(wanted))
        assert (created.name, created.city) == (wanted.name, wanted.city or None)
        article = Article(
            code="BESOK", description=article_text, vat_rate=25, sales_account_number=3001
        )
        await client.articles.create(mapping.article_payload(article))
        sent = invoice(
            rows=[row(description=row_text, vat_rate=25, account_number=3001)],
            your_reference=ref,
            invoice_date=dt.date.today(),
            due_date=dt.date.today() + dt.timedelta(days=30),
        )
        payload = mapping.invoice_payload(
            sent,
            customer_number=created.customer_number or "",
            articles_in_fortnox={"BESOK"},
            installation=INSTALLATION,
        )
        made = await client.invoices.create(payload)
        assert made.invoice_rows[0].description == clean(row_text)


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(
    first_name=names(),
    last_name=names(),
    address=texts(200),
    zip_code=texts(10),
    city=texts(100),
    phone=texts(50),
    article_text=texts(200).filter(lambda text: bool(clean(text))),
    row_text=texts(255).filter(lambda text: bool(clean(text))),
    your_reference=texts(100),
)
def test_every_text_sgx_accepts_is_accepted_by_fortnox(
    first_name: str,
    last_name: str,
    address: str,
    zip_code: str,
    city: str,
    phone: str,
    article_text: str,
    row_text: str,
    your_reference: str,
) -> None:
    person = {
        "first_name": first_name,
        "last_name": last_name,
        "address": address,
        "zip_code": zip_code,
        "city": city,
        "phone": phone,
    }
    assume(len(clean(f"{first_name} {last_name}")) > 0)
    asyncio.run(send_all(person, article_text, row_text, your_reference))


async def test_unclean_text_is_refused_by_the_sandbox_as_fortnox_does(
    sandbox_client: httpx.AsyncClient,
) -> None:
    client = await connected_client(sandbox_client)

    with pytest.raises(InvalidRequest) as refused:
        await client.customers.create(Customer(name="Anna\tAndersson"))

    assert refused.value.code == 2000359
    cleaned = await client.customers.create(Customer(name=clean("Anna\tAndersson")))
    assert cleaned.name == "Anna Andersson"
