"""``classify`` decides the error class of every failure from status, body, method and exception."""

from __future__ import annotations

import json

import httpx
import pytest

from sgx.fortnox.errors import (
    Ambiguous,
    FortnoxError,
    InvalidGrant,
    InvalidRequest,
    MissingLicence,
    MissingScope,
    NotFound,
    RateLimited,
    Unauthorized,
    Unavailable,
    classify,
    parse_error_body,
    parse_retry_after,
)


def error_information(code: int, message: str, *, lowercase: bool = False) -> str:
    keys = ("error", "message", "code") if lowercase else ("Error", "Message", "Code")
    return json.dumps({"ErrorInformation": dict(zip(keys, (1, message, code), strict=True))})


def oauth_error(error: str, description: str) -> str:
    return json.dumps({"error": error, "error_description": description})


NOT_FOUND_CUSTOMER = error_information(2000433, "Kan inte hitta kunden.")

CASES: list[tuple[str, int, str, str, type[FortnoxError]]] = [
    # (label, status, body, method, expected class)
    ("401 unauthorized shape", 401, '{"message":"unauthorized"}', "GET", Unauthorized),
    ("401 on a write", 401, '{"message":"unauthorized"}', "POST", Unauthorized),
    ("401 without body", 401, "", "GET", Unauthorized),
    ("bad client credentials", 401, oauth_error("invalid_client", "x"), "POST", Unauthorized),
    (
        "spent refresh token",
        400,
        oauth_error("invalid_grant", "Invalid refresh token"),
        "POST",
        InvalidGrant,
    ),
    ("unregistered scope", 400, oauth_error("invalid_scope", "x"), "POST", MissingScope),
    ("redirect mismatch", 400, oauth_error("redirect_uri_mismatch", "x"), "POST", InvalidRequest),
    (
        "no licence for scope",
        403,
        error_information(2001101, "Det finns ingen aktiv licens"),
        "GET",
        MissingLicence,
    ),
    ("no licence as 400", 400, error_information(2001101, "licens"), "POST", MissingLicence),
    (
        "api licence missing",
        403,
        error_information(2001103, "Api-licens saknas."),
        "GET",
        MissingLicence,
    ),
    (
        "not authorised for scope",
        403,
        error_information(2000663, "behörighet"),
        "GET",
        MissingScope,
    ),
    ("scope as 400", 400, error_information(2000663, "behörighet"), "PUT", MissingScope),
    (
        "no permission to list invoices",
        400,
        error_information(2001339, "behörighet"),
        "GET",
        MissingScope,
    ),
    ("bare 403", 403, "", "GET", MissingScope),
    ("customer not found", 404, NOT_FOUND_CUSTOMER, "GET", NotFound),
    (
        "invoice not found",
        404,
        error_information(2000434, "Kan inte hitta fakturan."),
        "PUT",
        NotFound,
    ),
    (
        "article not found",
        404,
        error_information(2000428, "Kan inte hitta artikeln."),
        "GET",
        NotFound,
    ),
    ("not-found code on 400", 400, NOT_FOUND_CUSTOMER, "POST", NotFound),
    ("bare 404", 404, "", "GET", NotFound),
    (
        "invalid filter",
        400,
        error_information(2000587, "Ett ogiltigt filter har använts.", lowercase=True),
        "GET",
        InvalidRequest,
    ),
    (
        "unknown field",
        400,
        error_information(2001399, "Felaktigt fältnamn"),
        "POST",
        InvalidRequest,
    ),
    (
        "missing account",
        400,
        error_information(2001304, "Kunde inte hitta konto"),
        "POST",
        InvalidRequest,
    ),
    ("rate limited read", 429, "", "GET", RateLimited),
    ("rate limited write", 429, "Too Many Requests", "POST", RateLimited),
    ("server error on read", 500, error_information(1000003, "Systemfel"), "GET", Unavailable),
    ("server error on write", 500, error_information(1000003, "Systemfel"), "POST", Ambiguous),
    ("system exception as 400 on write", 400, error_information(1000003, "x"), "PUT", Ambiguous),
    ("maintenance page on read", 503, "<html>Underhåll</html>", "GET", Unavailable),
    ("maintenance page on write", 503, "<html>Underhåll</html>", "POST", Ambiguous),
    ("gateway timeout on write", 504, "", "PUT", Ambiguous),
    ("bad gateway on read", 502, "", "GET", Unavailable),
]


@pytest.mark.parametrize(
    ("status", "body", "method", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_http_answers_are_classified_by_cause(
    status: int, body: str, method: str, expected: type[FortnoxError]
) -> None:
    error = classify(status=status, body=body, method=method)
    assert type(error) is expected
    assert error.status == status


TRANSPORT_CASES: list[tuple[BaseException, str, type[FortnoxError]]] = [
    (httpx.ConnectError("refused"), "POST", Unavailable),
    (httpx.ConnectTimeout("slow connect"), "PUT", Unavailable),
    (httpx.PoolTimeout("pool"), "POST", Unavailable),
    (httpx.ReadTimeout("no answer"), "POST", Ambiguous),
    (httpx.ReadTimeout("no answer"), "GET", Unavailable),
    (httpx.WriteTimeout("stuck"), "PUT", Ambiguous),
    (httpx.RemoteProtocolError("closed"), "POST", Ambiguous),
    (httpx.RemoteProtocolError("closed"), "GET", Unavailable),
    (httpx.ReadError("reset"), "PUT", Ambiguous),
    (httpx.ReadError("reset"), "HEAD", Unavailable),
    (httpx.WriteError("broken pipe"), "DELETE", Ambiguous),
    (ValueError("unreadable answer"), "POST", Ambiguous),
    (ValueError("unreadable answer"), "GET", Unavailable),
]


@pytest.mark.parametrize(("exception", "method", "expected"), TRANSPORT_CASES)
def test_transport_failures_are_unavailable_for_reads_and_ambiguous_for_sent_writes(
    exception: BaseException, method: str, expected: type[FortnoxError]
) -> None:
    error = classify(status=None, body=None, method=method, exception=exception)
    assert type(error) is expected
    assert error.status is None


@pytest.mark.parametrize(
    ("cls", "retryable"),
    [
        (Unauthorized, False),
        (InvalidGrant, False),
        (MissingLicence, False),
        (MissingScope, False),
        (NotFound, False),
        (InvalidRequest, False),
        (RateLimited, True),
        (Unavailable, True),
        (Ambiguous, True),
    ],
)
def test_only_transient_causes_are_retryable(cls: type[FortnoxError], retryable: bool) -> None:
    assert cls("x").retryable is retryable
    assert issubclass(cls, FortnoxError)


def test_error_keeps_status_code_swedish_message_and_raw_body() -> None:
    error = classify(status=404, body=NOT_FOUND_CUSTOMER.encode(), method="get")
    assert (error.status, error.code, error.message) == (404, 2000433, "Kan inte hitta kunden.")
    assert error.body == NOT_FOUND_CUSTOMER
    assert error.method == "GET"
    assert "2000433" in str(error)


def test_lowercase_error_information_keys_are_read() -> None:
    body = error_information(2000587, "Ett ogiltigt filter har använts.", lowercase=True)
    parsed = parse_error_body(body)
    assert (parsed.code, parsed.message) == (2000587, "Ett ogiltigt filter har använts.")


def test_code_sent_as_string_is_read_as_number() -> None:
    body = json.dumps({"ErrorInformation": {"Error": "1", "Message": "m", "Code": "2001399"}})
    assert parse_error_body(body).code == 2001399


def test_oauth_error_is_read_from_an_html_typed_body() -> None:
    error = classify(
        status=400,
        body=oauth_error("invalid_grant", "Invalid refresh token").encode(),
        method="POST",
    )
    assert isinstance(error, InvalidGrant)
    assert (error.error, error.message) == ("invalid_grant", "Invalid refresh token")


def test_body_that_is_not_json_gets_a_swedish_default_message() -> None:
    error = classify(status=503, body="<html>Planerat underhåll</html>", method="GET")
    assert error.code is None
    assert error.message == "Fortnox är inte tillgängligt just nu."


def test_retry_after_is_kept_only_on_rate_limits() -> None:
    limited = classify(status=429, body="", method="GET", retry_after=2.5)
    other = classify(status=500, body="", method="GET", retry_after=2.5)
    assert limited.retry_after == 2.5
    assert other.retry_after is None


@pytest.mark.parametrize(
    ("header", "seconds"), [(None, None), ("3", 3.0), ("0.5", 0.5), ("soon", None), ("-1", None)]
)
def test_retry_after_header_is_read_as_seconds(header: str | None, seconds: float | None) -> None:
    assert parse_retry_after(header) == seconds
