"""Password policy and argon2id hashing.

Policy (NIST SP 800-63B style: length and blocklist, no composition rules): 10-128 characters,
not one of the bundled common passwords, not containing the email's local part or the name.

Hashing runs in worker threads of its own (argon2 releases the GIL) so a sign-in burst does not
stall the event loop, and at most `max_concurrent` hashes run at once: each takes the whole
`memory_cost` (64 MiB) while it works, so a burst of 50 sign-ins queues instead of asking for
3 GiB. Parameters come from Settings; `needs_rehash` tells the login to upgrade a hash made with
older parameters.
"""

import asyncio
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path
from typing import TypeVar

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

from services.identity.config import Settings

MIN_LENGTH = 10
MAX_LENGTH = 128
_COMMON_FILE = Path(__file__).parent / "data" / "common-passwords.txt"
T = TypeVar("T")


@cache
def common_passwords() -> frozenset[str]:
    lines = _COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def _squash(text: str) -> str:
    return re.sub(r"[\s._\-+]", "", text.lower())


def policy_violations(password: str, *, email: str | None = None, name: str | None = None) -> list[str]:
    """What is wrong with `password`, as messages a person can act on (empty: acceptable)."""
    problems: list[str] = []
    if len(password) < MIN_LENGTH:
        problems.append(f"Use at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        problems.append(f"Use at most {MAX_LENGTH} characters")
    lowered = password.lower()
    if lowered in common_passwords() or _squash(password) in common_passwords():
        problems.append("This password is too common; choose one that is hard to guess")
    squashed = _squash(password)
    local_part = (email or "").split("@")[0].lower()
    if len(local_part) >= 3 and (local_part in lowered or _squash(local_part) in squashed):
        problems.append("Do not use your email address in your password")
    if name:
        parts = [p for p in re.split(r"\s+", name.lower()) if len(p) >= 3]
        whole = _squash(name)
        if (len(whole) >= 3 and whole in squashed) or any(p in lowered for p in parts):
            problems.append("Do not use your name in your password")
    return problems


@cache
def hasher(time_cost: int, memory_cost_kib: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(
        time_cost=time_cost, memory_cost=memory_cost_kib, parallelism=parallelism, type=Type.ID
    )


def concurrent_hashes(memory_budget_mib: int, memory_cost_kib: int) -> int:
    """How many hashes fit at once in the memory set aside for them (at least one)."""
    return max(1, memory_budget_mib * 1024 // memory_cost_kib)


class Passwords:
    """argon2id with the configured cost; a dummy hash equalises timing for unknown accounts.

    `max_concurrent` hashes run at once, each in one of as many threads kept for hashing; the
    rest wait their turn on the event loop (without a thread, without the 64 MiB)."""

    def __init__(
        self,
        time_cost: int,
        memory_cost_kib: int,
        parallelism: int,
        *,
        max_concurrent: int,
        password_hasher: PasswordHasher | None = None,
    ) -> None:
        if max_concurrent < 1:
            raise ValueError("max_concurrent must be at least 1")
        self._hasher = password_hasher or hasher(time_cost, memory_cost_kib, parallelism)
        self._dummy: str | None = None
        self.max_concurrent = max_concurrent
        self._slots = asyncio.Semaphore(max_concurrent)
        self._threads = ThreadPoolExecutor(max_workers=max_concurrent, thread_name_prefix="argon2")

    @classmethod
    def from_settings(cls, settings: Settings) -> "Passwords":
        limit = settings.argon2_max_concurrent_hashes or concurrent_hashes(
            settings.argon2_memory_budget_mib, settings.argon2_memory_cost_kib
        )
        return cls(
            settings.argon2_time_cost,
            settings.argon2_memory_cost_kib,
            settings.argon2_parallelism,
            max_concurrent=limit,
        )

    async def _run(self, work: Callable[[], T]) -> T:
        async with self._slots:
            return await asyncio.get_running_loop().run_in_executor(self._threads, work)

    async def hash(self, password: str) -> str:
        return await self._run(lambda: self._hasher.hash(password))

    async def verify(self, stored_hash: str, password: str) -> bool:
        def check() -> bool:
            try:
                return self._hasher.verify(stored_hash, password)
            except (VerificationError, InvalidHashError):
                return False

        return await self._run(check)

    async def burn_time(self, password: str) -> None:
        """Spend what a real verification costs, so 'no such account' is not faster."""
        if self._dummy is None:
            self._dummy = await self.hash("dummy password for timing only")
        await self.verify(self._dummy, password)

    def needs_rehash(self, stored_hash: str) -> bool:
        try:
            return self._hasher.check_needs_rehash(stored_hash)
        except InvalidHashError:
            return True
