"""Reading HTML forms into the same Pydantic bodies the JSON API takes.

Shared by the pages of every domain: a form becomes a Pydantic body, and every way it can be
refused becomes a Swedish message per field.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

from sgx.errors import ValidationFailed

_MESSAGES = {
    "missing": "Fältet måste fyllas i.",
    "string_too_short": "Fältet måste fyllas i.",
    "string_too_long": "Texten är för lång.",
    "too_short": "Minst en rad krävs.",
    "int_parsing": "Ange ett heltal.",
    "date_from_datetime_parsing": "Ange ett datum (ÅÅÅÅ-MM-DD).",
    "date_parsing": "Ange ett datum (ÅÅÅÅ-MM-DD).",
}

Errors = dict[str, str]
ModelT = TypeVar("ModelT", bound=BaseModel)


def field_messages(error: ValidationFailed | ValidationError) -> Errors:
    """One Swedish message per form field, from a service refusal or a body that did not parse."""
    if isinstance(error, ValidationFailed):
        return {item.field: item.message for item in error.field_errors} or {"": error.message}
    return {
        ".".join(str(part) for part in item["loc"]): _MESSAGES.get(item["type"], "Ogiltigt värde.")
        for item in error.errors()
    }


def text(form: FormData, name: str) -> str:
    return str(form.get(name) or "").strip()


def decimal(form: FormData, name: str, errors: Errors, *, required: bool = True) -> Decimal | None:
    """A number as people write it (decimal comma, spaces between thousands)."""
    raw = text(form, name).replace(" ", "").replace("\u00a0", "").replace(",", ".")
    if not raw:
        if required:
            errors[name] = "Fältet måste fyllas i."
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        errors[name] = "Ange ett tal, t.ex. 1 250,50."
        return None
    if not value.is_finite():
        errors[name] = "Ange ett tal, t.ex. 1 250,50."
        return None
    return value


def build(model: type[ModelT], values: dict[str, Any], errors: Errors) -> ModelT | None:
    try:
        return model(**values)
    except ValidationError as error:
        errors.update(field_messages(error))
        return None


def submitted(form: FormData) -> dict[str, Any]:
    """What the user typed, to show again next to the errors."""
    return {name: value for name, value in form.items() if name != "csrf_token"}
