"""Every ``/3/`` response the sandbox sends validates against Fortnox's official OpenAPI schemas.

One scenario walks every served route (successes and the main refusals); each response is then
validated against the schema of its operation and status in the OpenAPI description, with
``$ref``s resolved. The checks are stricter than the file in one way — no property the schema
does not name — and looser in two documented ways: recorded Fortnox responses carry ``null`` for
unset values and ``InvoiceReference`` on invoices, neither of which the file declares; list
wrappers also carry ``MetaInformation``, checked separately. Error bodies must have one of the
two documented ``ErrorInformation`` casings, and a 401 ``{"message": "unauthorized"}``.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from jsonschema.exceptions import ValidationError
from openapi_schema_validator import OAS30Validator

from fortnox_sandbox import spec
from tests.fortnox_sandbox.rest_builders import row

# OBSERVED in recorded Fortnox responses but absent from the OpenAPI file, or typed otherwise
# there (list items with numbers as strings, a customer's sales account as a number).
OBSERVED_EXTRAS = {
    "fortnox_Invoice": {"InvoiceReference": {"type": "string"}},
    "fortnox_ArticleListItem": {"QuantityInStock": {"type": "string"}},
    "fortnox_InvoiceListItem": {"CurrencyRate": {"type": "string"}},
    "fortnox_Customer": {"SalesAccount": {"type": "integer"}},
}

META_SCHEMA = {
    "type": "object",
    "required": ["@TotalResources", "@TotalPages", "@CurrentPage"],
    "additionalProperties": False,
    "properties": {
        "@TotalResources": {"type": "integer", "minimum": 0},
        "@TotalPages": {"type": "integer", "minimum": 0},
        "@CurrentPage": {"type": "integer", "minimum": 1},
    },
}


def _error_casing(error: str, message: str, code: str) -> dict[str, Any]:
    return {
        "type": "object",
        "required": [error, message, code],
        "additionalProperties": False,
        "properties": {
            error: {"type": "integer", "enum": [1]},
            message: {"type": "string", "minLength": 1},
            code: {"type": "integer"},
        },
    }


ERROR_SCHEMA = {
    "type": "object",
    "required": ["ErrorInformation"],
    "additionalProperties": False,
    "properties": {
        "ErrorInformation": {
            "oneOf": [
                _error_casing("Error", "Message", "Code"),
                _error_casing("error", "message", "code"),
            ]
        }
    },
}


def _tightened(node: Any) -> Any:
    """No unknown properties, and ``null`` allowed wherever a value is typed."""
    if isinstance(node, dict):
        result = {key: _tightened(value) for key, value in node.items()}
        if "properties" in result:
            result["additionalProperties"] = False
        if "type" in result:
            result["nullable"] = True
            if "enum" in result:
                result["enum"] = [*result["enum"], None]
        return result
    if isinstance(node, list):
        return [_tightened(item) for item in node]
    return node


def _document() -> dict[str, Any]:
    document = copy.deepcopy(spec.load())
    for name, extras in OBSERVED_EXTRAS.items():
        document["components"]["schemas"][name]["properties"].update(extras)
    schemas = document["components"]["schemas"]
    for name, schema in schemas.items():
        # The error wrapper keeps the file's (capitalised) keys open: Fortnox also answers in
        # lower case, which ERROR_SCHEMA checks.
        if not name.startswith("fortnox_ErrorInformation"):
            schemas[name] = _tightened(schema)
    return document


DOCUMENT = _document()


def _template_regex(template: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$")


PATHS = [(template, _template_regex(template)) for template in DOCUMENT["paths"]]


def operation_for(method: str, path: str) -> tuple[str, dict[str, Any]]:
    for template, pattern in PATHS:
        if pattern.match(path) and method.lower() in DOCUMENT["paths"][template]:
            return template, DOCUMENT["paths"][template][method.lower()]
    raise AssertionError(f"{method} {path} is not an operation of Fortnox's API")


def validate(schema: dict[str, Any], body: Any) -> None:
    OAS30Validator({**schema, "components": DOCUMENT["components"]}).validate(body)


@dataclass
class Exchange:
    method: str
    path: str
    status: int
    body: Any


def check(exchange: Exchange) -> str:
    """Validate one exchange; returns the operation's path template."""
    if exchange.status == 401:
        assert exchange.body == {"message": "unauthorized"}
        return "401"
    template, operation = operation_for(exchange.method, exchange.path)
    if exchange.status >= 400:
        validate(ERROR_SCHEMA, exchange.body)
        content = operation["responses"]["default"]["content"]["application/json"]
        validate(content["schema"], exchange.body)
        return template
    response = operation["responses"].get(str(exchange.status))
    assert response is not None, f"{exchange.method} {template} never answers {exchange.status}"
    if exchange.status == 204:
        assert exchange.body is None
        return template
    body = dict(exchange.body)
    meta = body.pop("MetaInformation", None)
    schema = response["content"]["application/json"]["schema"]
    validate(schema, body)
    if meta is not None:
        validate(META_SCHEMA, meta)
    return template


class Recorder:
    def __init__(self) -> None:
        self.exchanges: list[Exchange] = []

    async def __call__(self, response: httpx.Response) -> None:
        await response.aread()
        body = response.json() if response.content else None
        request = response.request
        self.exchanges.append(
            Exchange(request.method, request.url.path.rstrip("/"), response.status_code, body)
        )


async def walk_every_route(client: httpx.AsyncClient) -> None:
    """Successes and the main refusals of every route the sandbox serves."""

    async def send(method: str, path: str, body: Any = None, **params: Any) -> Any:
        response = await client.request(method, path, json=body, params=params or None)
        return response.json() if response.content else None

    await send("GET", "/3/companyinformation")
    # customers
    await send("POST", "/3/customers", {"Customer": {"Name": "Acme AB", "Email": "a@acme.se"}})
    await send("POST", "/3/customers", {"Customer": {"Name": "Acme AB", "Foo": 1}})
    await send("POST", "/3/customers", {"Customer": {"Name": "A", "ZipCode": "x" * 11}})
    await send("POST", "/3/customers", {"Customer": {"Name": "Bort"}})
    await send("GET", "/3/customers", name="acme", limit=10)
    await send("GET", "/3/customers", limit=501)
    await send("GET", "/3/customers/1")
    await send("GET", "/3/customers/99")
    await send("PUT", "/3/customers/1", {"Customer": {"City": "Ås", "CountryCode": "SE"}})
    await send("DELETE", "/3/customers/2")
    await send("DELETE", "/3/customers/2")
    # articles
    await send("POST", "/3/articles", {"Article": {"Description": "Hörseltest", "Unit": "st"}})
    await send("POST", "/3/articles", {"Article": {"Description": "Borta"}})
    await send("POST", "/3/articles", {"Article": {"Description": "X", "SalesAccount": 3999}})
    await send("GET", "/3/articles")
    await send("GET", "/3/articles/1")
    await send("GET", "/3/articles/99")
    await send("PUT", "/3/articles/1", {"Article": {"Description": "Hörsel"}})
    await send("DELETE", "/3/articles/2")
    # financial years and accounts
    await send("GET", "/3/financialyears")
    await send("GET", "/3/financialyears", date="2026-01-01")
    await send("GET", "/3/financialyears/1")
    await send("GET", "/3/financialyears/9")
    year = {"FinancialYear": {"FromDate": "2027-01-01", "ToDate": "2027-12-31"}}
    await send("POST", "/3/financialyears", year)
    await send("GET", "/3/accounts", limit=500)
    await send("GET", "/3/accounts", financialyear=1)
    await send("GET", "/3/accounts/3001")
    await send("GET", "/3/accounts/3999")
    await send("PUT", "/3/accounts/3590", {"Account": {"Active": False}})
    await _walk_invoices(send)


async def _walk_invoices(send: Any) -> None:
    rows = [
        row(price=1000.40),
        row(price=450, vat=0, AccountNumber=3004),
        {"ArticleNumber": "1", "Price": 10},
    ]
    invoice = {"CustomerNumber": "1", "ExternalInvoiceReference1": "sgx-1", "InvoiceRows": rows}
    await send("POST", "/3/invoices", {"Invoice": invoice})
    await send("POST", "/3/invoices", {"Invoice": {"CustomerNumber": "1"}})
    await send("POST", "/3/invoices", {"Invoice": {"CustomerNumber": "1"}})
    await send("POST", "/3/invoices", {"Invoice": {"CustomerNumber": "404"}})
    bad_row = {"CustomerNumber": "1", "InvoiceRows": [row(AccountNumber=3999)]}
    await send("POST", "/3/invoices", {"Invoice": bad_row})
    await send("POST", "/3/invoices", {"Invoice": {"CustomerNumber": "1", "Total": 1}})
    await send("GET", "/3/invoices")
    await send("GET", "/3/invoices", filter="unpaid")
    await send("GET", "/3/invoices", filter="paid")
    await send("GET", "/3/invoices/1")
    await send("GET", "/3/invoices/404")
    await send("PUT", "/3/invoices/1", {"Invoice": {"YourReference": "Eva"}})
    await send("PUT", "/3/invoices/1/bookkeep")
    await send("PUT", "/3/invoices/1", {"Invoice": {"YourReference": "Eva"}})
    await send("PUT", "/3/invoices/1/cancel")
    await send("PUT", "/3/invoices/2/cancel")
    await send("PUT", "/3/invoices/3/externalprint")
    await send("PUT", "/3/invoices/3/credit")
    await send("PUT", "/3/invoices/3/credit")
    partial = {"CreditInvoiceReference": "1", "InvoiceRows": [row(price=100, quantity=-1)]}
    await send("POST", "/3/invoices", {"Invoice": {"CustomerNumber": "1", **partial}})
    # payments
    await send("POST", "/3/invoicepayments", {"InvoicePayment": {"InvoiceNumber": 1, "Amount": 10}})
    await send("POST", "/3/invoicepayments", {"InvoicePayment": {"InvoiceNumber": 1, "Amount": 5}})
    await send("POST", "/3/invoicepayments", {"InvoicePayment": {"InvoiceNumber": 3, "Amount": 1}})
    await send("GET", "/3/invoicepayments", invoicenumber=1)
    await send("GET", "/3/invoicepayments/1")
    await send("GET", "/3/invoicepayments/99")
    await send("PUT", "/3/invoicepayments/1", {"InvoicePayment": {"Amount": 20}})
    await send("PUT", "/3/invoicepayments/1/bookkeep")
    await send("DELETE", "/3/invoicepayments/2")
    await send("DELETE", "/3/invoicepayments/1")


def served_operations(app: FastAPI) -> set[tuple[str, str]]:
    served = set()
    for route in app.routes:
        if isinstance(route, APIRoute) and route.path.startswith("/3/"):
            for method in route.methods:
                template, _ = operation_for(method, route.path)
                served.add((method, template))
    return served


@pytest.fixture
async def recorded(fortnox: httpx.AsyncClient, sandbox_app: FastAPI) -> list[Exchange]:
    recorder = Recorder()
    fortnox.event_hooks["response"].append(recorder)
    await walk_every_route(fortnox)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=sandbox_app),
        base_url="http://fortnox.test",
        event_hooks={"response": [recorder]},
    ) as anonymous:
        await anonymous.get("/3/invoices")
    assert len(recorder.exchanges) > 50
    return recorder.exchanges


async def test_every_response_validates_against_fortnox_openapi(
    recorded: list[Exchange],
) -> None:
    failures = []
    for exchange in recorded:
        try:
            check(exchange)
        except (ValidationError, AssertionError) as exc:
            failures.append(f"{exchange.method} {exchange.path} {exchange.status}: {exc}")

    assert not failures, "\n\n".join(failures)


async def test_the_walk_covers_every_served_route_with_a_success(
    recorded: list[Exchange], sandbox_app: FastAPI
) -> None:
    succeeded = {(e.method, operation_for(e.method, e.path)[0]) for e in recorded if e.status < 400}

    assert served_operations(sandbox_app) <= succeeded


async def test_the_walk_covers_the_main_refusals(recorded: list[Exchange]) -> None:
    codes = set()
    for exchange in recorded:
        if exchange.status >= 400 and exchange.status != 401:
            info = exchange.body["ErrorInformation"]
            codes.add((exchange.status, info.get("Code", info.get("code"))))

    assert {
        (400, 2001399),
        (400, 2000107),
        (400, 2000588),
        (400, 2000587),
        (400, 2000433),
        (400, 2001304),
        (400, 2000423),
        (404, 2000433),
        (404, 2000428),
        (404, 2000434),
        (404, 2000423),
    } <= codes
    assert any(e.status == 401 for e in recorded)


def test_tightened_schemas_reject_an_unknown_property() -> None:
    schema = {"$ref": "#/components/schemas/fortnox_CustomerListItem"}

    with pytest.raises(ValidationError):
        validate(schema, {"Name": "A", "Phone1": "1"})
