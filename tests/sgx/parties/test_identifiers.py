"""Swedish identity numbers are validated and normalised as SWEDEN.md §1–§2 describe."""

from __future__ import annotations

import datetime as dt

import pytest

from sgx.errors import ValidationFailed
from sgx.parties.identifiers import (
    InvalidIdentifier,
    normalise_organisation_number,
    parse_personal_identity_number,
    validate_bankgiro,
    vat_number_for,
)

TODAY = dt.date(2025, 6, 1)


@pytest.mark.parametrize(
    ("value", "twelve_digits"),
    [
        ("19900704-2386", "199007042386"),
        ("20131112-2384", "201311122384"),
        ("195210092218", "195210092218"),
        ("971129-2392", "199711292392"),
        ("19080807-9800", "190808079800"),
        ("18991223-9812", "189912239812"),
        ("640823-3234", "196408233234"),
        (" 6408233234 ", "196408233234"),
    ],
)
def test_valid_personnummer_is_stored_with_twelve_digits(value: str, twelve_digits: str) -> None:
    identity = parse_personal_identity_number(value, today=TODAY)
    assert identity.kind == "personnummer"
    assert identity.twelve_digits == twelve_digits


def test_plus_separator_puts_the_birth_a_century_earlier() -> None:
    assert parse_personal_identity_number("930302+9806", today=TODAY).twelve_digits == (
        "189303029806"
    )


def test_ten_digit_number_gets_its_century_from_todays_date() -> None:
    assert parse_personal_identity_number("121212-1212", today=TODAY).twelve_digits == (
        "201212121212"
    )
    earlier = parse_personal_identity_number("121212-1212", today=dt.date(2011, 1, 1))
    assert earlier.twelve_digits == "191212121212"


def test_leap_day_is_valid_or_not_depending_on_the_century_from_the_separator() -> None:
    assert parse_personal_identity_number("000229-2902", today=TODAY).twelve_digits == (
        "200002292902"
    )
    with pytest.raises(InvalidIdentifier) as raised:
        parse_personal_identity_number("000229+2902", today=TODAY)
    assert raised.value.reason_code == "invalid_date"


@pytest.mark.parametrize(
    ("value", "twelve_digits"),
    [
        ("701063-2391", "197010632391"),
        ("197203702399", "197203702399"),
        ("196104902397", "196104902397"),
        ("191500722390", "191500722390"),
    ],
)
def test_samordningsnummer_with_day_plus_sixty_is_accepted(value: str, twelve_digits: str) -> None:
    identity = parse_personal_identity_number(value, today=TODAY)
    assert identity.kind == "samordningsnummer"
    assert identity.twelve_digits == twelve_digits


def test_samordningsnummer_with_unknown_month_zero_is_accepted() -> None:
    identity = parse_personal_identity_number("191500722390")
    assert identity.kind == "samordningsnummer"
    assert identity.formatted == "19150072-2390"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("640823-3235", "invalid_checksum"),
        ("19900704-2387", "invalid_checksum"),
        ("701063-2392", "invalid_checksum"),
        ("901304-1232", "invalid_date"),
        ("900230-1233", "invalid_date"),
        ("900291-1239", "invalid_date"),
        ("900200-1239", "invalid_date"),
        ("900005-1236", "invalid_date"),
        ("64082332", "invalid_format"),
        ("6408-23-3234", "invalid_format"),
        ("abcdefghij", "invalid_format"),
        ("", "invalid_format"),
    ],
)
def test_invalid_personal_identity_number_is_refused_with_a_code(value: str, code: str) -> None:
    with pytest.raises(InvalidIdentifier) as raised:
        parse_personal_identity_number(value, today=TODAY)
    assert raised.value.reason_code == code


def test_invalid_identifier_is_a_field_level_validation_error_in_swedish() -> None:
    with pytest.raises(ValidationFailed) as raised:
        parse_personal_identity_number("640823-3235", field="patient.personnummer")
    error = raised.value
    assert error.status == 422
    assert [(item.field, item.code) for item in error.field_errors] == [
        ("patient.personnummer", "invalid_checksum")
    ]
    assert "Kontrollsiffran" in error.field_errors[0].message


@pytest.mark.parametrize(
    ("value", "digits"),
    [
        ("556036-0793", "5560360793"),
        ("5560360793", "5560360793"),
        ("212000-0142", "2120000142"),
        ("165560360793", "5560360793"),
        (" 556036 0793 ", "5560360793"),
    ],
)
def test_valid_organisation_number_is_normalised_to_ten_digits(value: str, digits: str) -> None:
    assert normalise_organisation_number(value) == digits


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("556036-0794", "invalid_checksum"),
        ("55603607", "invalid_format"),
        ("5560360793X", "invalid_format"),
        ("880320-0016", "personal_number_not_allowed"),
    ],
)
def test_invalid_organisation_number_is_refused_with_a_code(value: str, code: str) -> None:
    with pytest.raises(InvalidIdentifier) as raised:
        normalise_organisation_number(value)
    assert raised.value.reason_code == code


def test_sole_trader_may_use_a_personnummer_when_allowed() -> None:
    assert normalise_organisation_number("880320-0016", allow_personal=True) == "8803200016"
    assert normalise_organisation_number("19880320-0016", allow_personal=True) == "8803200016"
    assert normalise_organisation_number("701063-2391", allow_personal=True) == "7010632391"


def test_sole_trader_personnummer_still_needs_a_valid_date() -> None:
    with pytest.raises(InvalidIdentifier) as raised:
        normalise_organisation_number("901304-1232", allow_personal=True)
    assert raised.value.reason_code == "invalid_date"


def test_vat_number_wraps_the_organisation_number_in_se_and_01() -> None:
    assert vat_number_for("556036-0793") == "SE556036079301"


@pytest.mark.parametrize(("value", "digits"), [("5050-1055", "50501055"), ("991-2346", "9912346")])
def test_valid_bankgiro_is_returned_as_digits(value: str, digits: str) -> None:
    assert validate_bankgiro(value) == digits


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("5050-1056", "invalid_checksum"),
        ("505010", "invalid_format"),
        ("5050-10555", "invalid_format"),
    ],
)
def test_invalid_bankgiro_is_refused_with_a_code(value: str, code: str) -> None:
    with pytest.raises(InvalidIdentifier) as raised:
        validate_bankgiro(value)
    assert raised.value.reason_code == code
