"""Password hashing (argon2id) and the password rules."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 10
MAX_LENGTH = 1024


def password_problems(password: str, email: str | None) -> list[str]:
    """Why ``password`` is not acceptable for ``email`` (empty when it is)."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"must be at least {MIN_LENGTH} characters long")
    if len(password) > MAX_LENGTH:
        problems.append(f"must be at most {MAX_LENGTH} characters long")
    if email and password.strip().lower() == email.strip().lower():
        problems.append("must not be the email address")
    return problems


class Passwords:
    """Hashes and checks passwords with one set of argon2 parameters."""

    def __init__(self, time_cost: int, memory_cost: int, parallelism: int) -> None:
        self._hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost,
                                      parallelism=parallelism)
        # Unknown emails are checked against this so they take as long as known ones.
        self._dummy = self._hasher.hash("not a real password, only spends time")

    def hash(self, password: str) -> str:
        """A new salted hash of ``password``."""
        return self._hasher.hash(password)

    def verify(self, password_hash: str | None, password: str) -> bool:
        """True when ``password`` matches; ``None`` spends the same time and says no."""
        try:
            self._hasher.verify(password_hash or self._dummy, password)
        except (VerificationError, InvalidHashError):
            return False
        return password_hash is not None

    def needs_rehash(self, password_hash: str) -> bool:
        """True when the hash was made with other parameters than the current ones."""
        return self._hasher.check_needs_rehash(password_hash)
