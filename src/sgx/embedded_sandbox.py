"""The embedded default Fortnox: the sandbox mounted in SGX's own process (``make run``).

This is the one module of ``sgx`` that builds a sandbox. Its state is kept in a SQLite file so
the demo survives a restart. On first start it holds one Fortnox company matching the demo
issuer (with a system administrator who can approve a service account), SGX registered as an
OAuth client, and one of the demo's two companies in the customer register.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fortnox_sandbox import inside
from fortnox_sandbox.app import create_app
from fortnox_sandbox.backend import OAuthClient, SandboxBackend
from sgx.demo_data import DEMO_COMPANIES, DEMO_ORGANISATION_NUMBER
from sgx.settings import Settings

DEMO_FORTNOX_USERS = (
    {"username": "fortnox-admin", "password": "fortnox-demo", "sysadmin": True},
    {"username": "fortnox-user", "password": "fortnox-demo", "sysadmin": False},
)


def build_embedded_sandbox(settings: Settings) -> Any:
    state_file = settings.sandbox_state_file or None
    if state_file:
        Path(state_file).parent.mkdir(parents=True, exist_ok=True)
    backend = SandboxBackend(state_file=state_file)
    backend.register_client(
        OAuthClient(
            client_id=settings.fortnox_client_id,
            client_secret=settings.fortnox_client_secret,
            redirect_uris=[settings.fortnox_callback_url],
        )
    )
    if not backend.companies:
        seed_demo_fortnox(backend)
    backend.save()
    return create_app(backend, control=True)


def seed_demo_fortnox(backend: SandboxBackend) -> None:
    number = DEMO_ORGANISATION_NUMBER
    company = backend.create_company(
        name="Friskvården Företagshälsa AB",
        organisation_number=f"{number[:6]}-{number[6:]}",
        address="Storgatan 1",
        zip_code="111 22",
        city="Stockholm",
        users=[dict(user) for user in DEMO_FORTNOX_USERS],
    )
    name, organisation_number = DEMO_COMPANIES[0]
    inside.create_customer(
        backend,
        company.tenant_id,
        {
            "Name": name,
            "OrganisationNumber": f"{organisation_number[:6]}-{organisation_number[6:]}",
            "Type": "COMPANY",
            "Address1": "Industrivägen 3",
            "ZipCode": "721 30",
            "City": "Västerås",
        },
    )
