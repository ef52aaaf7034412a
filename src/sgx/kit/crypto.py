"""Encryption of stored secrets (Fortnox tokens) with rotatable Fernet keys.

The first key encrypts; every key decrypts, so a new key can be put first and the old ones kept
until ``rotate`` has re-encrypted what is stored.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class SecretBoxError(Exception):
    """A stored secret could not be decrypted with any configured key."""


class SecretBox:
    def __init__(self, keys: list[str]) -> None:
        if not keys:
            raise ValueError("at least one encryption key is required")
        self._fernet = MultiFernet([Fernet(key.encode()) for key in keys])

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, ciphertext: str) -> str:
        try:
            return self._fernet.decrypt(ciphertext.encode()).decode()
        except InvalidToken as exc:
            raise SecretBoxError("stored secret cannot be decrypted") from exc

    def rotate(self, ciphertext: str) -> str:
        """Re-encrypt with the first (newest) key."""
        return self._fernet.rotate(ciphertext.encode()).decode()


def new_key() -> str:
    return Fernet.generate_key().decode()
