"""Stored secrets are encrypted and keys can be rotated."""

from __future__ import annotations

import pytest

from sgx.kit.crypto import SecretBox, SecretBoxError, new_key


def test_ciphertext_does_not_contain_the_plaintext() -> None:
    box = SecretBox([new_key()])
    ciphertext = box.encrypt("refresh-token-value")
    assert "refresh-token-value" not in ciphertext
    assert box.decrypt(ciphertext) == "refresh-token-value"


def test_old_key_still_decrypts_after_a_new_key_is_put_first() -> None:
    old, new = new_key(), new_key()
    stored = SecretBox([old]).encrypt("secret")
    rotated_box = SecretBox([new, old])
    assert rotated_box.decrypt(stored) == "secret"
    rotated = rotated_box.rotate(stored)
    assert SecretBox([new]).decrypt(rotated) == "secret"


def test_unknown_key_is_a_clear_error() -> None:
    stored = SecretBox([new_key()]).encrypt("secret")
    with pytest.raises(SecretBoxError):
        SecretBox([new_key()]).decrypt(stored)
