"""Building blocks of the wire models: Fortnox's field naming and its loose JSON typing.

Fortnox sends numbers and booleans as strings (``"1.12"``, ``"false"``, ``"0"``), unset dates as
``null`` or ``""``, and adds fields over time. The types here read all of that; on the way out
money and quantities are written as exact decimals, and read-only fields are never written; a
field to clear is written as ``null`` (Fortnox ignores ``""`` in an update).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
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

    def to_wire(self, *, clear: Iterable[str] = ()) -> dict[str, Any]:
        """The writable fields that are set, under Fortnox's names, ready for ``json.dumps``.

        ``clear`` names (snake_case) fields to send as ``null``: in an update Fortnox clears a
        field only on ``null`` and leaves it as it was on ``""``.
        """
        data: dict[str, Any] = self.model_dump(mode="json", by_alias=True, exclude_none=True)
        for name in clear:
            _set_null(data, type(self), name)
        return data


def _set_null(data: dict[str, Any], model: type[BaseModel], name: str) -> None:
    """Write ``name`` (``a.b`` for a field of a nested object) as ``null`` into ``data``."""
    head, _, rest = name.partition(".")
    field = model.model_fields.get(head)
    if field is None or field.exclude:
        raise ValueError(f"{model.__name__} has no writable field {head!r}")
    key = field.alias or fortnox_alias(head)
    if not rest:
        data[key] = None
        return
    nested = _model_in(field.annotation)
    if nested is None:
        raise ValueError(f"{model.__name__}.{head} is not an object")
    _set_null(data.setdefault(key, {}), nested, rest)


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The model class in ``Model | None`` (or ``Model``)."""
    for candidate in getattr(annotation, "__args__", (annotation,)):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def decode_json(content: bytes) -> Any:
    """Parse a Fortnox body keeping amounts exact (floats become ``Decimal``)."""
    return json.loads(content, parse_float=Decimal)
