"""Password hashing: Argon2id, verification, and noticing outdated parameters."""

from __future__ import annotations

from argon2 import PasswordHasher

from sgx.identity.passwords import hash_password, needs_rehash, verify_password


def test_hash_is_argon2id_and_never_the_password() -> None:
    password_hash = hash_password("hemligt-lösen")

    assert password_hash.startswith("$argon2id$")
    assert "hemligt-lösen" not in password_hash


def test_the_same_password_hashes_differently_each_time() -> None:
    assert hash_password("hemligt-lösen") != hash_password("hemligt-lösen")


def test_the_right_password_verifies() -> None:
    assert verify_password(hash_password("hemligt-lösen"), "hemligt-lösen")


def test_a_wrong_password_does_not_verify() -> None:
    assert not verify_password(hash_password("hemligt-lösen"), "Hemligt-lösen")


def test_a_malformed_hash_does_not_verify() -> None:
    assert not verify_password("not-a-real-hash", "hemligt-lösen")


def test_a_hash_made_with_current_parameters_needs_no_rehash() -> None:
    assert not needs_rehash(hash_password("hemligt-lösen"))


def test_a_hash_made_with_weaker_parameters_needs_a_rehash() -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash("hemligt-lösen")

    assert verify_password(weak, "hemligt-lösen")
    assert needs_rehash(weak)
