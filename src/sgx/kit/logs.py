"""Logging for every process: one configuration, secrets kept out of every line.

``configure_logging`` is called once when a process starts (the ``sgx`` command line does it for
``serve``, ``worker`` and every other command). structlog's own loggers and the standard library's
(uvicorn, httpx, the sandbox) end up in the same handler: JSON lines in production, readable lines
otherwise. Tracebacks are printed plainly, never with local variables: structlog's pretty
exception rendering shows the locals of every frame, which is how a bearer token or a decrypted
Fortnox token ends up in a crash log.

Secrets are kept out twice. Fields whose name says they hold a secret (``authorization``,
``cookie``, ``password``, ``access_token``, ``personnummer``…) are replaced before rendering, at
any depth. Then the finished line is scrubbed of what looks like a secret wherever it stands
(in an exception message, a URL, a repr): bearer and basic credentials, our API tokens, JWTs,
``name=value`` pairs with a secret name, and personnummer-shaped numbers.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Mapping
from typing import IO, Any

import structlog
from structlog.types import EventDict, Processor, WrappedLogger

REDACTED = "[redacted]"

_SECRET_NAMES = frozenset(
    {"token", "tokens", "csrf", "ssn", "code_verifier", "set_cookie", "x_api_key", "api_key"}
)
_SECRET_NAME_PARTS = (
    "password",
    "passwd",
    "secret",
    "authorization",
    "cookie",
    "personnummer",
    "identity_number",
    "personal_number",
    "encryption_key",
)

_SECRET_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # "Authorization: Bearer …", "Basic …" wherever they appear.
    (re.compile(r"(?i)\b(bearer|basic)(\s+)[A-Za-z0-9._~+/=-]{6,}"), rf"\1\2{REDACTED}"),
    # Our API tokens (sgx_…) and JSON Web Tokens (Fortnox's access tokens).
    (re.compile(r"\bsgx_[A-Za-z0-9_-]{8,}"), REDACTED),
    (re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*\.?[A-Za-z0-9_-]*"), REDACTED),
    # name=value, name: value, 'name': 'value' (also JSON-escaped) where the name says secret.
    (
        re.compile(
            r"(?i)((?:access_|refresh_|api_|id_|csrf_)?token|password|passwd|secret|"
            r"authorization|cookie|personnummer)"
            r"((?:\\?[\"'])?\s*[:=]\s*(?:\\?[\"'])?)(?!\[redacted\])[^\s\"'\\,;&}\]]+"
        ),
        rf"\1\2{REDACTED}",
    ),
    # Personnummer and samordningsnummer, 10 or 12 digits, with or without the separator.
    # The month (01-12) keeps organisation numbers (third digit 2 or more) out.
    (
        re.compile(
            r"(?<![\w-])(?:19|20)?\d{2}(?:0[1-9]|1[0-2])(?:[0-2]\d|3[01]|[6-8]\d|9[01])"
            r"[-+]?\d{4}(?!\w)"
        ),
        REDACTED,
    ),
)


def is_secret_name(name: str) -> bool:
    key = name.lower().replace("-", "_")
    return (
        key in _SECRET_NAMES
        or key.endswith("_token")
        or any(part in key for part in _SECRET_NAME_PARTS)
    )


def scrub_text(text: str) -> str:
    """``text`` with everything that looks like a secret replaced."""
    for pattern, replacement in _SECRET_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def _redact(value: Any, depth: int = 0) -> Any:
    if depth > 6:
        return value
    if isinstance(value, Mapping):
        return {
            key: REDACTED
            if isinstance(key, str) and is_secret_name(key)
            else _redact(item, depth + 1)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        items = [_redact_pair(item, depth + 1) for item in value]
        return tuple(items) if isinstance(value, tuple) else items
    return value


def _redact_pair(item: Any, depth: int) -> Any:
    # Headers often travel as (name, value) pairs.
    if (
        isinstance(item, tuple | list)
        and len(item) == 2
        and isinstance(item[0], str | bytes)
        and is_secret_name(item[0].decode("latin-1") if isinstance(item[0], bytes) else item[0])
    ):
        return (item[0], REDACTED)
    return _redact(item, depth)


def redact_secret_fields(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    """structlog processor: secret-named fields, at any depth, become ``[redacted]``."""
    return _redact(event_dict)  # type: ignore[no-any-return]


def scrub_rendered(_: WrappedLogger, __: str, rendered: Any) -> Any:
    """The last processor: scrub the finished line (a str, or bytes for some renderers)."""
    if isinstance(rendered, str):
        return scrub_text(rendered)
    return rendered


def _renderer(json_lines: bool, stream: IO[str]) -> Processor:
    if json_lines:
        return structlog.processors.JSONRenderer()
    return structlog.dev.ConsoleRenderer(
        colors=stream.isatty(),
        # Plain tracebacks: the default (rich) formatter prints every frame's local variables.
        exception_formatter=structlog.dev.plain_traceback,
    )


class _StandardError(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is at the time (a test runner swaps it per test)."""

    @property  # type: ignore[override]
    def stream(self) -> IO[str]:
        return sys.stderr

    @stream.setter
    def stream(self, _: IO[str]) -> None:
        pass


def configure_logging(
    *, json_lines: bool, level: str = "INFO", stream: IO[str] | None = None
) -> logging.Handler:
    """Route structlog and the standard library's loggers to one handler on ``stream``.

    Returns the handler (tests remove it again). Calling it twice replaces the first handler.
    """
    numeric_level = logging.getLevelName(level.upper())
    if not isinstance(numeric_level, int):
        numeric_level = logging.INFO
    shared: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        redact_secret_fields,
    ]
    if json_lines:
        final: list[Processor] = [structlog.processors.format_exc_info]
    else:
        final = []
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            *final,
            _renderer(json_lines, stream or sys.stderr),
            scrub_rendered,
        ],
    )
    handler = logging.StreamHandler(stream) if stream is not None else _StandardError()
    handler.setFormatter(formatter)
    handler.set_name("sgx")
    root = logging.getLogger()
    for existing in list(root.handlers):
        if existing.get_name() == "sgx":
            root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(numeric_level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        # uvicorn's own handlers would print the same line again, unredacted.
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.make_filtering_bound_logger(numeric_level),
        cache_logger_on_first_use=False,
    )
    return handler
