"""Password hashing with Argon2id.

The parameters live in one hasher; when they are raised, a hash made with the old ones still
verifies and is replaced at the next successful login (``needs_rehash``).
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# argon2-cffi's defaults follow RFC 9106's low-memory profile (Argon2id, t=3, m=64 MiB, p=4).
_hasher = PasswordHasher()

# Verified against when the username is unknown, so a failed login takes the same time whether
# or not the user exists (no user enumeration by timing).
_DUMMY_HASH = _hasher.hash("no user has this password")

MIN_PASSWORD_LENGTH = 10


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


def burn_verification_time(password: str) -> None:
    """Spend the time of one verification; used when there is no user to verify against."""
    verify_password(_DUMMY_HASH, password)
