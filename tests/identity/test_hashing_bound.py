"""At most `max_concurrent` argon2 hashes at once, off the event loop (pure unit tests of the
limiter, with real argon2: only the counting around each hash is ours)."""

import asyncio
import threading

from argon2 import PasswordHasher, Type

from services.identity.config import Settings
from services.identity.passwords import Passwords, concurrent_hashes

PASSWORD = "Velvet-Compass-8841"


class CountingHasher(PasswordHasher):
    """A real argon2id hasher that records how many of its hashes ran at the same moment."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=8192, parallelism=1, type=Type.ID)
        self._lock = threading.Lock()
        self.running = 0
        self.peak = 0
        self.calls = 0
        self.threads: set[str] = set()

    def _enter(self) -> None:
        with self._lock:
            self.running += 1
            self.calls += 1
            self.peak = max(self.peak, self.running)
            self.threads.add(threading.current_thread().name)

    def _leave(self) -> None:
        with self._lock:
            self.running -= 1

    def hash(self, password: str | bytes, *, salt: bytes | None = None) -> str:
        self._enter()
        try:
            return super().hash(password, salt=salt)
        finally:
            self._leave()

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:
        self._enter()
        try:
            return super().verify(hash, password)
        finally:
            self._leave()


def _passwords(limit: int) -> tuple[Passwords, CountingHasher]:
    counting = CountingHasher()
    return Passwords(1, 8192, 1, max_concurrent=limit, password_hasher=counting), counting


async def test_a_burst_of_twenty_sign_ins_never_runs_more_hashes_than_the_bound():
    passwords, counting = _passwords(limit=3)
    stored = await passwords.hash(PASSWORD)
    attempts = [PASSWORD if i % 2 else "Wrong-Compass-0000" for i in range(20)]
    results = await asyncio.gather(*(passwords.verify(stored, attempt) for attempt in attempts))
    assert results == [i % 2 == 1 for i in range(20)]  # the right password still signs in
    assert counting.calls == 21
    assert counting.peak == 3  # the burst filled every slot, and never more
    assert counting.running == 0
    assert all(name.startswith("argon2") for name in counting.threads)  # never on the event loop


async def test_the_event_loop_keeps_turning_while_hashes_run():
    passwords, counting = _passwords(limit=2)
    stored = await passwords.hash(PASSWORD)
    ticks = 0
    burst = asyncio.gather(*(passwords.verify(stored, PASSWORD) for _ in range(10)))
    while not burst.done():
        ticks += 1
        await asyncio.sleep(0)
    assert all(await burst)
    # A hash takes milliseconds, a turn of the loop microseconds: had the hashes run on the loop,
    # it would have turned about once per hash.
    assert ticks > 20 * counting.calls
    assert counting.peak == 2


async def test_a_cancelled_waiter_gives_its_turn_back():
    passwords, counting = _passwords(limit=1)
    stored = await passwords.hash(PASSWORD)
    waiting = [asyncio.create_task(passwords.verify(stored, PASSWORD)) for _ in range(5)]
    await asyncio.sleep(0)
    for task in waiting[1:]:
        task.cancel()
    assert await waiting[0]
    assert await asyncio.wait_for(passwords.verify(stored, PASSWORD), timeout=30)
    assert counting.peak == 1


def test_the_default_bound_is_what_the_memory_budget_holds():
    assert concurrent_hashes(256, 65536) == 4
    assert concurrent_hashes(100, 65536) == 1  # never zero: sign-in must still work
    defaults = Passwords.from_settings(Settings())
    assert defaults.max_concurrent == 4
    assert Passwords.from_settings(Settings(argon2_max_concurrent_hashes=2)).max_concurrent == 2
