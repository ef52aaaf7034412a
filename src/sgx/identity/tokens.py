"""API tokens: random secrets shown once, stored as SHA-256 digests."""

from __future__ import annotations

import hashlib
import secrets

TOKEN_PREFIX = "sgx_"


def new_api_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def digest_api_token(token: str) -> str:
    # A fast digest is enough: the token has 256 bits of entropy, unlike a password.
    return hashlib.sha256(token.encode()).hexdigest()
