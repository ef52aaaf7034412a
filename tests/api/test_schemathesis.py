"""Schemathesis against SGX's own API (``/api/v1/openapi.json``), in-process, as an
Administratör, a Fakturerare and a Läsare of one issuer (bearer tokens).

For every operation and role, generated requests (valid and invalid) must never meet a 5xx;
every 4xx must carry ``{"error": {"code", "message", "fields"}}`` with a code and a message
(and a field, code and message per field error); a rejected request must store nothing (the
row count of every table is the same after it). Half the generated ids are swapped for ids of
real rows, so requests reach the rules behind the 404s. Schemathesis's own checks run too
(documented status codes and bodies, invalid data refused), except "a schema-valid request must
be accepted": the services check more than a schema can say. Examples are bounded per
operation (positive and negative), derandomized, with no example database. Negative examples are
asked only of operations that take input (an operation without parameters or body has nothing to
make invalid); every operation and mode asked must produce examples, or the test fails.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.generation.modes import GenerationMode
from schemathesis.python.asgi import shutdown_lifespans
from schemathesis.specs.openapi.checks import positive_data_acceptance
from sqlalchemy import func, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from sqlalchemy.pool import NullPool

import sgx.models
from fortnox_sandbox.app import create_app as create_sandbox_app
from fortnox_sandbox.backend import SandboxBackend
from sgx.app import create_app
from sgx.identity.models import IssuerRole
from sgx.settings import Settings
from tests.builders.identity import make_api_token, make_user
from tests.builders.invoicing import make_clinic, make_invoice

MAX_EXAMPLES = 8  # per operation and mode; every example is sent once per role
# A request through the app and the row counts take long for Hypothesis's taste; nothing else
# is suppressed, so a strategy that filters out most of what it draws still fails.
SUPPRESSED_HEALTH_CHECKS = [HealthCheck.too_slow]
ROLES = [IssuerRole.ADMIN, IssuerRole.INVOICER, IssuerRole.READER]
READS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass
class ApiWorld:
    ids: dict[str, int]  # path parameter → the id of a real row
    tokens: dict[IssuerRole, str]


@pytest.fixture
async def api_world(session: AsyncSession) -> ApiWorld:
    """An issuer with articles, a patient, a company, an invoice and a user of each role."""
    clinic = await make_clinic(session)
    invoice = await make_invoice(
        session,
        issuer_id=clinic.issuer.id,
        patient_id=clinic.patient.id,
        rows=[("BESOK", "1"), ("KONSULT", "2")],
    )
    tokens = {}
    for role in ROLES:
        user = await make_user(session, roles={clinic.issuer.id: role})
        tokens[role] = await make_api_token(session, user=user)
    await session.commit()
    ids = {
        "issuer_id": clinic.issuer.id,
        "patient_id": clinic.patient.id,
        "company_id": clinic.company.id,
        "invoice_id": invoice.id,
    }
    return ApiWorld(ids=ids, tokens=tokens)


@pytest.fixture
def api_schema(settings: Settings, api_world: ApiWorld) -> Iterator[Any]:
    """The app with an engine of its own (it runs on Schemathesis's event loop)."""
    app = create_app(
        settings.model_copy(update={"run_worker_in_process": False}),
        sandbox_app=create_sandbox_app(SandboxBackend(), control=True),
    )
    loaded = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)

    @loaded.hook
    def map_path_parameters(
        context: Any, path_parameters: dict[str, Any] | None
    ) -> dict[str, Any] | None:
        if path_parameters is None:
            return None
        # Deterministic in the generated value, so Hypothesis can still shrink a failure.
        return {
            name: api_world.ids[name]
            if name in api_world.ids and isinstance(value, int) and value % 2 == 0
            else value
            for name, value in path_parameters.items()
        }

    yield loaded
    shutdown_lifespans()  # the app's engine is disposed on its own loop


def row_counts(database_url: str) -> dict[str, int]:
    """Every table's row count, read with a connection of its own."""
    tables = sgx.models.metadata.sorted_tables

    async def count() -> dict[str, int]:
        engine = create_async_engine(database_url, poolclass=NullPool)
        query = union_all(*(select(func.count().label("n")).select_from(table) for table in tables))
        try:
            async with engine.connect() as connection:
                numbers = [row.n for row in await connection.execute(query)]
        finally:
            await engine.dispose()
        return dict(zip([table.name for table in tables], numbers, strict=True))

    return asyncio.run(count())


def assert_clear_error(body: Any) -> None:
    assert isinstance(body, dict) and isinstance(body.get("error"), dict), body
    error = body["error"]
    assert isinstance(error.get("code"), str) and error["code"], body
    assert isinstance(error.get("message"), str) and error["message"].strip(), body
    assert isinstance(error.get("fields"), list), body
    for item in error["fields"]:
        assert all(
            isinstance(item.get(key), str) and item[key] for key in ("field", "code", "message")
        ), body


def check_case(case: Any, world: ApiWorld, database_url: str, seen: Counter[int]) -> None:
    """One generated request, sent as each role."""
    writes = case.method.upper() not in READS
    for role in ROLES:
        before = row_counts(database_url) if writes else None
        headers = {"Authorization": f"Bearer {world.tokens[role]}"}
        response = case.call(headers=headers)
        seen[response.status_code] += 1
        assert response.status_code < 500, (role.value, response.text)
        if 400 <= response.status_code < 500:
            assert_clear_error(response.json())
            if before is not None:
                assert row_counts(database_url) == before, ("stored by a refusal", role.value)
        # The API checks more than its schema can say (personnummer, organisation numbers,
        # known article codes): a schema-valid body may well be refused with a clear 422.
        case.validate_response(
            response, headers=headers, excluded_checks=[positive_data_acceptance]
        )


def modes_for(operation: Any) -> tuple[GenerationMode, ...]:
    """Negative examples need something to make invalid: a parameter or a body."""
    parts = (operation.path_parameters, operation.query, operation.headers, operation.cookies)
    takes_input = any(len(part) for part in parts) or len(operation.body) > 0
    if takes_input:
        return (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    return (GenerationMode.POSITIVE,)


def explore(operation: Any, mode: GenerationMode, hooks: Any, on_case: Any) -> None:
    """Hypothesis draws up to ``MAX_EXAMPLES`` cases of one operation and mode."""

    @given(case=operation.as_strategy(mode, hooks=hooks))
    @hypothesis_settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=SUPPRESSED_HEALTH_CHECKS,
    )
    def check(case: Any) -> None:
        on_case(case)

    check()


def test_api_answers_every_role_without_a_server_error_and_with_clear_refusals(
    api_schema: Any, api_world: ApiWorld, settings: Settings
) -> None:
    failures: list[str] = []
    seen: Counter[int] = Counter()
    examples: Counter[str] = Counter()

    def on_case(case: Any, *, label: str) -> None:
        examples[label] += 1
        check_case(case, api_world, settings.database_url, seen)

    asked: list[str] = []
    for result in api_schema.get_all_operations():
        operation = result.ok()
        for mode in modes_for(operation):
            label = f"{operation.label} ({mode.value})"
            asked.append(label)
            try:
                explore(operation, mode, api_schema.hooks, partial(on_case, label=label))
            except (Exception, BaseExceptionGroup) as error:  # every operation is tried
                failures.append(f"{label}: {error!r}")
    assert not failures, "\n\n".join(failures)
    assert [label for label in asked if not examples[label]] == []  # each produced examples
    # The requests reached the rules, not only the doors: accepted, forbidden, refused.
    assert {200, 201, 403, 404, 422} <= set(seen), seen
