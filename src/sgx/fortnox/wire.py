"""Building blocks of the wire models: Fortnox's field naming and its loose JSON typing.

Fortnox sends numbers and booleans as strings (``"1.12"``, ``"false"``, ``"0"``), unset dates as
``null`` or ``""``, and adds fields over time. The types here read all of that; on the way out
money and quantities are written as exact decimals, and read-only fields are never written.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer

# Parts of a snake_case name that Fortnox spells in capitals (VATType, EUVATAccount, OCR…).
_CAPITALISED = {"vat", "ocr", "eu", "gln", "www", "cc", "bcc", "ean", "sru", "edi"}


def fortnox_alias(name: str) -> str:
    """``vat_type`` → ``VATType``, ``email_invoice_cc`` → ``EmailInvoiceCC``, ``id`` → ``Id``."""
    if name == "id":
        return "Id"
    parts = name.split("_")
    return "".join(p.upper() if p in _CAPITALISED else p[:1].upper() + p[1:] for p in parts)


def _blank_to_none(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _to_decimal(value: Any) -> Any:
    value = _blank_to_none(value)
    if value is None or isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise ValueError("a boolean is not an amount")
    if isinstance(value, int | float | str):
        try:
            # Through str so that a float 10.1 becomes Decimal("10.1"), not its binary value.
            return Decimal(str(value).strip().replace(",", "."))
        except InvalidOperation as exc:
            raise ValueError(f"not a number: {value!r}") from exc
    return value


def _decimal_out(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    # JSON has no decimal type; an amount with at most 15 significant digits survives a float
    # exactly (repr gives the shortest round-trip form), and Fortnox expects numbers here.
    return int(value) if value == value.to_integral_value() else float(value)


def _to_bool(value: Any) -> Any:
    value = _blank_to_none(value)
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in {"true", "1"}:
            return True
        if lowered in {"false", "0"}:
            return False
    return value


def _to_text(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return str(value)
    return value


def _to_int(value: Any) -> Any:
    value = _blank_to_none(value)
    if isinstance(value, str):
        stripped = value.strip()
        try:
            return int(stripped)
        except ValueError:
            return int(Decimal(stripped))  # "3001.0"
    return value


Money = Annotated[
    Decimal | None, BeforeValidator(_to_decimal), PlainSerializer(_decimal_out, when_used="json")
]
"""An amount or price: read from numbers or strings, written as a JSON number."""

Quantity = Annotated[
    Decimal,
    BeforeValidator(_to_decimal),
    PlainSerializer(lambda value: format(value, "f"), return_type=str, when_used="json"),
]
"""A quantity such as ``DeliveredQuantity``: Fortnox types it as a string holding a decimal."""

# The optional types below turn Fortnox's "" into None, as it does for unset values.
Flag = Annotated[bool | None, BeforeValidator(_to_bool)]
Date = Annotated[dt.date | None, BeforeValidator(_blank_to_none)]
Text = Annotated[str | None, BeforeValidator(_to_text)]
Integer = Annotated[int | None, BeforeValidator(_to_int)]


def ReadOnly(*, alias: str | None = None) -> Any:
    """A field Fortnox fills in: read from responses, never written back (2001399)."""
    return Field(default=None, alias=alias, exclude=True)


class WireModel(BaseModel):
    """Base of every Fortnox wire model: Fortnox names on the wire, snake_case in Python."""

    model_config = ConfigDict(
        alias_generator=fortnox_alias,
        validate_by_name=True,
        validate_by_alias=True,
        extra="ignore",
        coerce_numbers_to_str=True,
    )

    def to_wire(self) -> dict[str, Any]:
        """The writable fields that are set, under Fortnox's names, ready for ``json.dumps``."""
        data: dict[str, Any] = self.model_dump(mode="json", by_alias=True, exclude_none=True)
        return data


def decode_json(content: bytes) -> Any:
    """Parse a Fortnox body keeping amounts exact (floats become ``Decimal``)."""
    return json.loads(content, parse_float=Decimal)
