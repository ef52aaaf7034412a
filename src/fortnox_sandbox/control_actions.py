"""Actions "inside Fortnox": what people do in Fortnox directly, for the control plane.

Each action reads its fields from the request body and calls the matching rule of ``inside``
(the same rules the REST handlers apply), except ``revoke_consent`` which is an OAuth matter of
the backend. A ``FortnoxApiError`` becomes a control error carrying Fortnox's code.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from fortnox_sandbox import inside
from fortnox_sandbox.backend import SandboxBackend
from fortnox_sandbox.control_errors import ControlError
from fortnox_sandbox.errors import FortnoxApiError

Action = Callable[[SandboxBackend, int, dict[str, Any]], dict[str, Any]]


def _required(body: dict[str, Any], name: str) -> Any:
    value = body.get(name)
    if value is None or value == "":
        raise ControlError(400, "invalid_request", f"{body.get('action')} needs {name}")
    return value


def _fields(body: dict[str, Any]) -> dict[str, Any]:
    fields = _required(body, "fields")
    if not isinstance(fields, dict):
        raise ControlError(400, "invalid_request", "fields must be a JSON object")
    return fields


def _amount(body: dict[str, Any]) -> Decimal:
    try:
        return Decimal(str(_required(body, "amount")))
    except InvalidOperation as exc:
        raise ControlError(400, "invalid_request", "amount must be a number") from exc


def _revoke_consent(
    backend: SandboxBackend, tenant_id: int, body: dict[str, Any]
) -> dict[str, Any]:
    client_id = str(_required(body, "client_id"))
    revoked = backend.revoke_consents(tenant_id=tenant_id, client_id=client_id)
    if not revoked:
        raise ControlError(404, "consent_not_found", f"no active consent for {client_id!r}")
    return {
        "tenant_id": tenant_id,
        "client_id": client_id,
        "revoked_consents": len(revoked),
    }


ACTIONS: dict[str, Action] = {
    "credit_invoice": lambda b, t, body: inside.credit_invoice(
        b, t, _required(body, "document_number")
    ),
    "cancel_invoice": lambda b, t, body: inside.cancel_invoice(
        b, t, _required(body, "document_number")
    ),
    "bookkeep_invoice": lambda b, t, body: inside.bookkeep_invoice(
        b, t, _required(body, "document_number")
    ),
    "register_payment": lambda b, t, body: inside.register_payment(
        b, t, _required(body, "document_number"), _amount(body), body.get("payment_date")
    ),
    "edit_invoice": lambda b, t, body: inside.edit_invoice(
        b, t, _required(body, "document_number"), _fields(body)
    ),
    "edit_customer": lambda b, t, body: inside.edit_customer(
        b, t, _required(body, "customer_number"), _fields(body)
    ),
    "create_customer": lambda b, t, body: inside.create_customer(b, t, _fields(body)),
    "deactivate_account": lambda b, t, body: inside.deactivate_account(
        b, t, _required(body, "number"), body.get("financial_year")
    ),
    "revoke_consent": _revoke_consent,
}


def run_action(backend: SandboxBackend, tenant_id: int, body: dict[str, Any]) -> dict[str, Any]:
    name = body.get("action")
    action = ACTIONS.get(str(name))
    if action is None:
        known = ", ".join(sorted(ACTIONS))
        raise ControlError(400, "unknown_action", f"unknown action {name!r}; known: {known}")
    try:
        return action(backend, tenant_id, body)
    except FortnoxApiError as exc:
        status = exc.status if exc.status in (404, 409) else 400
        raise ControlError(status, "fortnox_error", exc.message, code=exc.code) from exc
