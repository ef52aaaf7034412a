"""Everything that can go wrong talking to Fortnox, as one error tree split by cause.

``classify`` is the single place that decides which class a failure belongs to, from the HTTP
status, the body, the request method and the transport exception. It reads the body as JSON
whatever the content type (Fortnox serves OAuth errors as ``text/html``) and understands the
three shapes Fortnox uses: ``{"ErrorInformation": {...}}`` with either key casing,
``{"error", "error_description"}`` from the OAuth endpoints, and ``{"message"}`` on 401.

``retryable`` says whether the same request may succeed later. ``Ambiguous`` is retryable only
after checking whether the first attempt was applied: Fortnox has no idempotency keys.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

LICENCE_CODES = frozenset({2001101, 2001103})
SCOPE_CODES = frozenset({2000663, 2001393, 2001339, 2002455, 2003330})
NOT_FOUND_CODES = frozenset(
    {2000423, 2000427, 2000428, 2000429, 2000430, 2000431, 2000433, 2000434, 2000435, 2001161}
)
SYSTEM_EXCEPTION_CODE = 1000003

# Transport failures that happen before a single byte of the request left: never applied.
NOT_SENT_EXCEPTIONS: tuple[type[BaseException], ...] = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.UnsupportedProtocol,
)


class FortnoxError(Exception):
    """A Fortnox call failed. ``message`` is Fortnox's own text (usually Swedish)."""

    retryable = False

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: int | None = None,
        error: str | None = None,
        body: str = "",
        method: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.error = error  # the OAuth ``error`` value, e.g. "invalid_grant"
        self.body = body
        self.method = method
        self.retry_after = retry_after

    def __str__(self) -> str:
        parts = [type(self).__name__]
        if self.status is not None:
            parts.append(f"HTTP {self.status}")
        if self.code is not None:
            parts.append(f"code {self.code}")
        if self.error:
            parts.append(self.error)
        return f"{' '.join(parts)}: {self.message}"


class Unauthorized(FortnoxError):
    """401: the access token (or the client's credentials) was not accepted."""


class InvalidGrant(FortnoxError):
    """The refresh token, code or consent is no longer valid: the customer must reconnect."""


class MissingLicence(FortnoxError):
    """The Fortnox company lacks the licence for the module behind this resource."""


class MissingScope(FortnoxError):
    """The token (or the consenting user) is not authorised for this resource's scope."""


class NotFound(FortnoxError):
    """The entity (or one it refers to) does not exist in Fortnox."""


class InvalidRequest(FortnoxError):
    """Fortnox refused the request as invalid (validation errors, unknown fields, filters)."""


class RateLimited(FortnoxError):
    """429: too many requests for this client and tenant. Nothing was applied."""

    retryable = True


class Unavailable(FortnoxError):
    """Fortnox could not be reached or failed without applying anything; try again later."""

    retryable = True


class Ambiguous(FortnoxError):
    """A write got no usable answer: it may or may not have been applied.

    Retry only after looking up whether the first attempt took effect.
    """

    retryable = True


@dataclass(frozen=True)
class ErrorBody:
    code: int | None = None
    message: str | None = None
    error: str | None = None  # OAuth error


def parse_error_body(body: str | bytes | None) -> ErrorBody:
    """Read Fortnox's error shapes out of a body, whatever content type it came with."""
    if not body:
        return ErrorBody()
    try:
        data = json.loads(body)
    except ValueError:
        return ErrorBody()
    if not isinstance(data, dict):
        return ErrorBody()
    info = data.get("ErrorInformation") or data.get("errorInformation")
    if isinstance(info, dict):
        code = _as_int(_either(info, "Code"))
        message = _either(info, "Message")
        return ErrorBody(code=code, message=str(message) if message is not None else None)
    if isinstance(data.get("error"), str):
        description = data.get("error_description") or data.get("message")
        return ErrorBody(error=data["error"], message=str(description) if description else None)
    if isinstance(data.get("message"), str):
        return ErrorBody(message=data["message"])
    return ErrorBody()


def _either(info: dict[str, Any], key: str) -> Any:
    return info.get(key, info.get(key.lower()))


def _as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _error_class(status: int, parsed: ErrorBody, *, is_read: bool) -> type[FortnoxError]:
    if status == 429:
        return RateLimited
    if parsed.error == "invalid_grant":
        return InvalidGrant
    if parsed.error == "invalid_scope" or parsed.code in SCOPE_CODES:
        return MissingScope
    if parsed.code in LICENCE_CODES:
        return MissingLicence
    if status >= 500 or parsed.code == SYSTEM_EXCEPTION_CODE:
        # A server failure during a write may have happened after the write was applied.
        return Unavailable if is_read else Ambiguous
    if status == 401 or parsed.error == "invalid_client":
        return Unauthorized
    if status == 404 or parsed.code in NOT_FOUND_CODES:
        return NotFound
    if status == 403:
        return MissingScope
    return InvalidRequest


def _transport_class(exception: BaseException, *, is_read: bool) -> type[FortnoxError]:
    if is_read or isinstance(exception, NOT_SENT_EXCEPTIONS):
        return Unavailable
    return Ambiguous


def classify(
    *,
    status: int | None,
    body: str | bytes | None,
    method: str,
    exception: BaseException | None = None,
    retry_after: float | None = None,
) -> FortnoxError:
    """Build the error for a failed call: an HTTP answer (``status``) or a transport failure."""
    is_read = method.upper() in READ_METHODS
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else (body or "")
    if status is None:
        cls = _transport_class(exception or Exception(), is_read=is_read)
        detail = type(exception).__name__ if exception is not None else "no answer"
        return cls(f"Inget svar från Fortnox ({detail}).", method=method.upper())
    parsed = parse_error_body(text)
    cls = _error_class(status, parsed, is_read=is_read)
    message = parsed.message or _default_message(status)
    return cls(
        message,
        status=status,
        code=parsed.code,
        error=parsed.error,
        body=text,
        method=method.upper(),
        retry_after=retry_after if cls is RateLimited else None,
    )


def _default_message(status: int) -> str:
    if status == 429:
        return "För många anrop till Fortnox."
    if status >= 500:
        return "Fortnox är inte tillgängligt just nu."
    return f"Fortnox svarade med HTTP {status}."


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (Fortnox documents none; honour it if sent)."""
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if seconds >= 0 else None
