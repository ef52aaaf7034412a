"""Fortnox's JSON on the wire: reading write bodies the way Fortnox does, and writing values back.

Write bodies are checked against the official schemas (``spec``): an unknown or read-only field
is 2001399 "Felaktigt fältnamn", a value longer than ``maxLength`` 2000107, a non-numeric number
2000108, a non-boolean boolean 2000134, a value outside an enum or a bound 2000588, a text with
a character outside Fortnox's published list 2000359 (``characters``); an empty body or a wrong
wrapper is 2001392 and broken JSON 2002115. Validation errors use Fortnox's
lower-case ``error/message/code`` keys. Money is ``Decimal`` inside and a JSON number outside.

Creates and updates read blanks differently, as recorded against real Fortnox: on a create a
``null`` is the field left out; in an update (``PUT``) an empty string leaves a text field as
it was and ``null`` clears it (``check_fields(..., update=True)``).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from fortnox_sandbox import characters, spec
from fortnox_sandbox.errors import (
    DISALLOWED_CHARACTERS,
    EMPTY_BODY_OR_WRONG_TYPE,
    INVALID_FIELD_NAME,
    INVALID_PARAMETER,
    JSON_SYNTAX_ERROR,
    VALUE_NOT_BOOLEAN,
    VALUE_NOT_NUMERIC,
    VALUE_TOO_LONG,
    FortnoxApiError,
)

DATE_FORMAT = "%Y-%m-%d"


def bad_request(code: int, message: str) -> FortnoxApiError:
    """A 400 with the lower-case keys Fortnox uses for validation errors."""
    return FortnoxApiError(400, code, message, lowercase=True)


def invalid(message: str) -> FortnoxApiError:
    return bad_request(INVALID_PARAMETER, message)


def parse_body(raw: bytes, wrapper: str) -> dict[str, Any]:
    """The object inside ``{"<wrapper>": {...}}``; Fortnox's errors for anything else."""
    if not raw.strip():
        raise bad_request(EMPTY_BODY_OR_WRONG_TYPE, "Ingen eller felaktig typ av data.")
    try:
        document = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise bad_request(JSON_SYNTAX_ERROR, "Error deserializing JSON: JSON_ERROR_SYNTAX") from exc
    if not isinstance(document, dict) or not isinstance(document.get(wrapper), dict):
        raise bad_request(EMPTY_BODY_OR_WRONG_TYPE, "Ingen eller felaktig typ av data.")
    if set(document) != {wrapper}:
        raise bad_request(INVALID_FIELD_NAME, "Felaktigt fältnamn")
    body: dict[str, Any] = document[wrapper]
    return body


def check_fields(
    payload: dict[str, Any],
    schema_name: str,
    *,
    read_only: Iterable[str] = (),
    update: bool = False,
) -> dict[str, Any]:
    """Validate ``payload`` against a component schema; returns it with values typed.

    Strings stay strings, numbers become ``Decimal``, integers ``int``, booleans ``bool``.
    A ``null`` value is treated as the field being absent, except in an ``update``: there a text
    field sent as ``null`` comes back as ``None`` (clear it) and one sent as ``""`` is left out
    (keep it). ``null`` on a field of another type is left out in both (ASSUMPTION: not recorded).
    """
    schema = spec.schema(schema_name)
    properties: dict[str, Any] = schema.get("properties", {})
    forbidden = set(read_only)
    typed: dict[str, Any] = {}
    for name, value in payload.items():
        if name not in properties or name in forbidden:
            raise bad_request(INVALID_FIELD_NAME, "Felaktigt fältnamn")
        is_text = properties[name].get("type") == "string"
        if value is None:
            if update and is_text:
                typed[name] = None
            continue
        if update and is_text and value == "":
            continue
        typed[name] = _typed_value(name, value, properties[name], update=update)
    return typed


def _typed_value(name: str, value: Any, prop: dict[str, Any], *, update: bool = False) -> Any:
    nested = spec.ref_name(prop)
    if nested:
        if not isinstance(value, dict):
            raise bad_request(EMPTY_BODY_OR_WRONG_TYPE, "Ingen eller felaktig typ av data.")
        return check_fields(value, nested, update=update)
    kind = prop.get("type")
    if kind == "array":
        if not isinstance(value, list):
            raise bad_request(EMPTY_BODY_OR_WRONG_TYPE, "Ingen eller felaktig typ av data.")
        item_schema = spec.ref_name(prop.get("items", {}))
        if item_schema is None:
            return list(value)
        if not all(isinstance(item, dict) for item in value):
            raise bad_request(EMPTY_BODY_OR_WRONG_TYPE, "Ingen eller felaktig typ av data.")
        return [check_fields(item, item_schema) for item in value]
    if kind == "string":
        return _string_value(name, value, prop)
    if kind == "number":
        return _check_bounds(name, to_decimal(value), prop)
    if kind == "integer":
        return _check_bounds(name, _integer_value(value), prop)
    if kind == "boolean":
        return to_bool(value)
    return value


def _string_value(name: str, value: Any, prop: dict[str, Any]) -> str:
    if isinstance(value, bool) or isinstance(value, dict | list):
        raise bad_request(EMPTY_BODY_OR_WRONG_TYPE, "Ingen eller felaktig typ av data.")
    text = value if isinstance(value, str) else format_decimal(to_decimal(value))
    if characters.has_disallowed(text, field=name):
        raise bad_request(DISALLOWED_CHARACTERS, f"Värdet innehåller ej tillåtna tecken. ({name})")
    if "maxLength" in prop and len(text) > prop["maxLength"]:
        raise bad_request(VALUE_TOO_LONG, f"Värdet är för långt. ({name})")
    if text and len(text) < prop.get("minLength", 0):
        raise invalid(f"Värdet är för kort. ({name})")
    if "enum" in prop and text not in prop["enum"]:
        raise invalid(f"Ogiltigt värde. ({name})")
    if prop.get("format") == "date" and text:
        parse_date(text, field=name)
    return text


def _integer_value(value: Any) -> int:
    number = to_decimal(value)
    if number != number.to_integral_value():
        raise bad_request(VALUE_NOT_NUMERIC, f"Värdet måste vara numeriskt ({value})")
    return int(number)


def _check_bounds(name: str, number: Any, prop: dict[str, Any]) -> Any:
    if "minimum" in prop and number < prop["minimum"]:
        raise invalid(f"Ogiltigt värde. ({name})")
    if "maximum" in prop and number > prop["maximum"]:
        raise invalid(f"Ogiltigt värde. ({name})")
    return number


def to_decimal(value: Any) -> Decimal:
    """A number as Fortnox accepts it: a JSON number or a numeric string."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise bad_request(VALUE_NOT_NUMERIC, f"Värdet måste vara numeriskt ({value})")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise bad_request(VALUE_NOT_NUMERIC, f"Värdet måste vara numeriskt ({value})") from exc
    if not number.is_finite():
        raise bad_request(VALUE_NOT_NUMERIC, f"Värdet måste vara numeriskt ({value})")
    return number


def to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise bad_request(VALUE_NOT_BOOLEAN, f"Värdet måste vara en boolean ({value})")


def parse_date(text: str, *, field: str) -> dt.date:
    try:
        return dt.datetime.strptime(text, DATE_FORMAT).date()
    except ValueError as exc:
        raise invalid(f"Ogiltigt datum. ({field})") from exc


def format_decimal(number: Decimal) -> str:
    """Numbers Fortnox shows as strings: no exponent, no trailing zeros ("1", "1.12", "0")."""
    text = format(number.normalize(), "f")
    return "0" if text in ("-0", "") else text


def plain(value: Any) -> Any:
    """A stored value made JSON-ready: ``Decimal`` becomes an int or a float."""
    if isinstance(value, Decimal):
        if value == value.to_integral_value():
            return int(value)
        return float(value)
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    if isinstance(value, dt.date):
        return value.strftime(DATE_FORMAT)
    return value


def dumps(document: Any) -> str:
    """Fortnox's JSON: PHP-style escaped slashes (``"https:\\/\\/…"``), UTF-8 kept as is."""
    return json.dumps(plain(document), ensure_ascii=False).replace("/", "\\/")
