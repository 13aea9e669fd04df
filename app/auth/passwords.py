"""Argon2id password hashing (argon2-cffi defaults exceed OWASP's minimum)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 10

PROFILES = {
    "default": PasswordHasher(),
    # Tests only: a login costs ~1 ms instead of ~0.2-0.5 s on this hardware. Only
    # TestingConfig selects it; no environment variable can.
    "fast": PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1),
}
_hasher = PROFILES["default"]
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def use_profile(name: str) -> None:
    """Choose the hashing cost (the app factory calls it from PASSWORD_HASH_PROFILE)."""
    global _hasher, _DUMMY_HASH  # one process-wide hasher
    if PROFILES[name] is not _hasher:
        _hasher = PROFILES[name]
        # Verifying against this when the account does not exist keeps timing the same.
        _DUMMY_HASH = _hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def password_problem(password: str) -> str | None:
    """Why a new password is refused, or None."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters."
    if password.lower() in {"password123", "teppan12345", "1234567890"}:
        return "That password is too common."
    return None
