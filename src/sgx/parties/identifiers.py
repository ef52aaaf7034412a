"""Swedish identity numbers: personnummer, samordningsnummer, organisationsnummer, bankgiro.

Our own small validators on top of ``stdnum.luhn``. ``stdnum.se.personnummer`` is not used for
people because it rejects every samordningsnummer (day + 60 is not a calendar date) and the ones
with an unknown birth month (month ``00``) that Skatteverket's own test data contains;
``stdnum.se.orgnr`` checks only "10 digits + Luhn" and so accepts a personnummer as an
organisation number. Every failure raises :class:`InvalidIdentifier`, a ``ValidationFailed``
(422) naming the field, with a stable English code and a Swedish message.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

from stdnum import luhn

from sgx.errors import FieldError, ValidationFailed
from sgx.kit.clock import today_in_sweden

IdentityKind = Literal["personnummer", "samordningsnummer"]

_PERSON_TEN = re.compile(r"^(\d{6})([-+]?)(\d{4})$")
_PERSON_TWELVE = re.compile(r"^(\d{8})([-+]?)(\d{4})$")
_ORGANISATION = re.compile(r"^(?:16)?(\d{6})-?(\d{4})$")
_COORDINATION_DAY_OFFSET = 60


class InvalidIdentifier(ValidationFailed):
    """A malformed identity number; ``reason_code`` is the field-level code."""

    def __init__(self, field_name: str, reason_code: str, message: str) -> None:
        super().__init__([FieldError(field=field_name, code=reason_code, message=message)], message)
        self.field_name = field_name
        self.reason_code = reason_code


@dataclass(frozen=True)
class PersonalIdentity:
    """A validated personnummer or samordningsnummer, kept in its 12-digit form."""

    kind: IdentityKind
    twelve_digits: str

    @property
    def ten_digits(self) -> str:
        return self.twelve_digits[2:]

    @property
    def formatted(self) -> str:
        return f"{self.twelve_digits[:8]}-{self.twelve_digits[8:]}"


def _compact(value: str) -> str:
    return re.sub(r"\s", "", value or "")


def parse_personal_identity_number(
    value: str, *, field: str = "personal_identity_number", today: dt.date | None = None
) -> PersonalIdentity:
    """Validate a personnummer or samordningsnummer given with 10 or 12 digits.

    The Luhn check covers the last 10 digits only (never the century). A day of 61–91 marks a
    samordningsnummer; those may also carry month ``00`` or day ``60`` (birth month or day
    unknown). A 10-digit number gets its century from today's date: ``-`` means under 100 years
    in the current year, ``+`` means 100 or more.
    """
    compact = _compact(value)
    twelve = _PERSON_TWELVE.match(compact)
    ten = _PERSON_TEN.match(compact)
    if twelve:
        digits = twelve.group(1) + twelve.group(3)
    elif ten:
        digits = _with_century(ten.group(1) + ten.group(3), ten.group(2), today)
    else:
        raise InvalidIdentifier(
            field,
            "invalid_format",
            "Ange personnummer eller samordningsnummer med 10 eller 12 siffror, "
            "t.ex. ÅÅÅÅMMDD-NNNN.",
        )
    if not luhn.is_valid(digits[2:]):
        raise InvalidIdentifier(
            field, "invalid_checksum", "Kontrollsiffran stämmer inte. Kontrollera numret."
        )
    kind = _kind_from_date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    if kind is None:
        raise InvalidIdentifier(
            field, "invalid_date", "Datumdelen är inte ett giltigt födelsedatum."
        )
    return PersonalIdentity(kind=kind, twelve_digits=digits)


def _with_century(ten_digits: str, separator: str, today: dt.date | None) -> str:
    current_year = (today or today_in_sweden()).year
    two_digit_year = int(ten_digits[:2])
    year = current_year - ((current_year - two_digit_year) % 100)
    if separator == "+":
        year -= 100
    return f"{year // 100:02d}{ten_digits}"


def _kind_from_date(year: int, month: int, day: int) -> IdentityKind | None:
    if 1 <= day <= 31:
        return "personnummer" if month != 0 and _is_date(year, month, day) else None
    real_day = day - _COORDINATION_DAY_OFFSET
    if not 0 <= real_day <= 31 or month > 12:
        return None
    if month == 0 or real_day == 0 or _is_date(year, month, real_day):
        return "samordningsnummer"
    return None


def _is_date(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


def normalise_organisation_number(
    value: str, *, allow_personal: bool = False, field: str = "organisation_number"
) -> str:
    """Return the 10 digits of an organisationsnummer (``NNNNNN-NNNN`` or ``16NNNNNNNNNN``).

    A legal person's number has a third digit of 2 or more, so it cannot look like a date. A
    sole trader (enskild näringsidkare) has none and uses the owner's personnummer or
    samordningsnummer instead; that is accepted only with ``allow_personal``.
    """
    compact = _compact(value)
    match = _ORGANISATION.match(compact)
    if match is None:
        if allow_personal and (_PERSON_TWELVE.match(compact) or _PERSON_TEN.match(compact)):
            return parse_personal_identity_number(compact, field=field).ten_digits
        raise InvalidIdentifier(
            field, "invalid_format", "Ange organisationsnummer med 10 siffror, t.ex. NNNNNN-NNNN."
        )
    digits = match.group(1) + match.group(2)
    if not luhn.is_valid(digits):
        raise InvalidIdentifier(
            field, "invalid_checksum", "Kontrollsiffran stämmer inte. Kontrollera numret."
        )
    if int(digits[2]) >= 2:
        return digits
    if not allow_personal:
        raise InvalidIdentifier(
            field,
            "personal_number_not_allowed",
            "Numret är ett personnummer, inte ett organisationsnummer "
            "(tredje siffran ska vara 2 eller högre).",
        )
    return parse_personal_identity_number(f"{digits[:6]}-{digits[6:]}", field=field).ten_digits


def format_organisation_number(digits: str) -> str:
    return f"{digits[:6]}-{digits[6:]}"


def vat_number_for(organisation_number: str) -> str:
    """Momsregistreringsnummer: ``SE`` + the 10-digit number + ``01``."""
    digits = normalise_organisation_number(
        organisation_number, allow_personal=True, field="vat_number"
    )
    return f"SE{digits}01"


def validate_bankgiro(value: str, *, field: str = "bankgiro") -> str:
    """Return a bankgiro number's 7 or 8 digits; the last is a Luhn check digit."""
    digits = re.sub(r"[\s-]", "", value or "")
    if not re.fullmatch(r"\d{7,8}", digits):
        raise InvalidIdentifier(
            field, "invalid_format", "Ange bankgironummer med 7 eller 8 siffror, t.ex. 5050-1055."
        )
    if not luhn.is_valid(digits):
        raise InvalidIdentifier(
            field, "invalid_checksum", "Kontrollsiffran stämmer inte. Kontrollera bankgironumret."
        )
    return digits


def format_bankgiro(digits: str) -> str:
    return f"{digits[:-4]}-{digits[-4:]}"
