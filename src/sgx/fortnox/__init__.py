"""The Fortnox API client: wire models, errors, OAuth and pacing. Knows nothing of SGX."""

from sgx.fortnox.client import FORTNOX_API_BASE_URL, FortnoxClient
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
)
from sgx.fortnox.oauth import FORTNOX_OAUTH_BASE_URL, FortnoxOAuth, TokenResult
from sgx.fortnox.pacing import Pacer, PacingKey, SlidingWindowPacer
from sgx.fortnox.transport import Page, TokenProvider

__all__ = [
    "FORTNOX_API_BASE_URL",
    "FORTNOX_OAUTH_BASE_URL",
    "Ambiguous",
    "FortnoxClient",
    "FortnoxError",
    "FortnoxOAuth",
    "InvalidGrant",
    "InvalidRequest",
    "MissingLicence",
    "MissingScope",
    "NotFound",
    "Pacer",
    "PacingKey",
    "Page",
    "RateLimited",
    "SlidingWindowPacer",
    "TokenProvider",
    "TokenResult",
    "Unauthorized",
    "Unavailable",
]
