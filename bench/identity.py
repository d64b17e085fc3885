"""Identity benchmark (prints numbers, asserts nothing).

1. argon2id cost: raw `PasswordHasher().verify` loop with the service's parameters.
2. Sign-in throughput and latency p50/p99: N concurrent clients POST /auth/login for a bounded
   time, straight to the service (the gateway's per-address rate limit would measure nginx).
3. Sign-in burst: N clients (50) sign in at the same moment, once each: p99, and the identity
   process's peak resident memory (VmRSS sampled from /proc every 5 ms) against the bound the
   hashing limit sets: RSS before the burst + hashes at once × argon2's memory cost.
4. Register-to-mail latency p50/p99: register through the gateway, wait for the verification
   mail in Mailpit (identity → outbox → Kafka → notifier → SMTP → Mailpit).

    .venv/bin/python bench/identity.py --state .run/test-identity --clients 8 --seconds 20 --mails 50
"""

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import httpx
from argon2 import PasswordHasher

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.process_cpu import load_average, memory_kib, service_pid  # noqa: E402 - the repository root first
from bench.rows import Row, emit  # noqa: E402
from services.identity.config import Settings  # noqa: E402
from services.identity.passwords import Passwords  # noqa: E402

PASSWORD = "Quiet-Lantern-7731"  # noqa: S105 - a throwaway account of the benchmark


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def argon2_cost(rounds: int = 20) -> float:
    hasher = PasswordHasher()  # the service's defaults: t=3, m=64 MiB, p=4
    stored = hasher.hash(PASSWORD)
    started = time.perf_counter()
    for _ in range(rounds):
        hasher.verify(stored, PASSWORD)
    return (time.perf_counter() - started) / rounds


def create_user(stack: dict, email: str) -> None:
    env = {**os.environ, **stack["services"]["identity"]["env"], "PYTHONPATH": str(ROOT)}
    subprocess.run(
        [sys.executable, "-m", "services.identity.cli", "create-user", "--email", email, "--name", "Bench User",
         "--phone", "+886912345678", "--password", PASSWORD, "--verified"],
        cwd=ROOT, env=env, check=True, capture_output=True, timeout=120,
    )  # fmt: skip


async def sign_in_throughput(url: str, email: str, clients: int, seconds: float) -> None:
    latencies: list[float] = []
    errors = 0
    deadline = time.monotonic() + seconds

    async def client(index: int) -> None:
        nonlocal errors
        headers = {"X-Forwarded-For": f"203.0.113.{index + 1}"}
        async with httpx.AsyncClient(base_url=url, timeout=60, headers=headers) as http:
            while time.monotonic() < deadline:
                started = time.perf_counter()
                response = await http.post("/auth/login", json={"email": email, "password": PASSWORD})
                if response.status_code == 200:
                    latencies.append(time.perf_counter() - started)
                else:
                    errors += 1

    started = time.monotonic()
    await asyncio.gather(*(client(i) for i in range(clients)))
    elapsed = time.monotonic() - started
    print(f"sign-in: {clients} clients, {elapsed:.1f}s, {len(latencies)} ok, {errors} errors")
    if latencies:
        print(
            f"  throughput {len(latencies) / elapsed:.1f}/s  p50 {percentile(latencies, 50) * 1000:.0f} ms  "
            f"p99 {percentile(latencies, 99) * 1000:.0f} ms"
        )


REQUESTS_MIB = 32


class PeakRss:
    """Samples a process's VmRSS in a thread of its own until stopped; keeps the largest."""

    def __init__(self, pid: int, every: float = 0.005) -> None:
        self.pid, self.every, self.peak_kib = pid, every, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak_kib = max(self.peak_kib, memory_kib(self.pid)["VmRSS"])
            self._stop.wait(self.every)

    def __enter__(self) -> "PeakRss":
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


async def sign_in_burst(url: str, email: str, clients: int, pid: int) -> None:
    """`clients` sign-ins started at once, each from its own address."""
    env_settings = Settings()  # the service's defaults, as deploy.local runs it
    bound = Passwords.from_settings(env_settings).max_concurrent
    hash_mib = env_settings.argon2_memory_cost_kib / 1024
    before_mib = memory_kib(pid)["VmRSS"] / 1024
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    gate = asyncio.Event()

    async def client(index: int, http: httpx.AsyncClient) -> None:
        headers = {"X-Forwarded-For": f"198.51.100.{index + 1}"}
        await gate.wait()
        started = time.perf_counter()
        response = await http.post(
            "/auth/login", json={"email": email, "password": PASSWORD}, headers=headers
        )
        latencies.append(time.perf_counter() - started)
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as http:
        tasks = [asyncio.create_task(client(i, http)) for i in range(clients)]
        with PeakRss(pid) as rss:
            await asyncio.sleep(0)
            gate.set()
            await asyncio.gather(*tasks)
    peak_mib = rss.peak_kib / 1024
    # The hashes are the burst's memory; the 50 requests themselves (buffers, thread stacks,
    # allocator arenas) get REQUESTS_MIB of headroom. Unbounded, the burst would ask for
    # clients × hash_mib on top.
    ceiling_mib = before_mib + bound * hash_mib + REQUESTS_MIB
    p99 = percentile(latencies, 99) * 1000
    load = load_average()
    print(
        f"sign-in burst: {clients} at once, statuses {json.dumps(statuses, sort_keys=True)}, "
        f"p50 {percentile(latencies, 50) * 1000:.0f} ms  p99 {p99:.0f} ms  (load {load})"
    )
    print(
        f"  identity RSS before {before_mib:.0f} MiB, peak {peak_mib:.0f} MiB; bound: {bound} hashes × "
        f"{hash_mib:.0f} MiB + {REQUESTS_MIB} MiB for the requests = {ceiling_mib:.0f} MiB "
        f"(unbounded, {clients} hashes at once would take {clients * hash_mib:.0f} MiB)"
    )
    emit(
        Row(
            benchmark=f"sign-in burst, {clients} clients at once (argon2id, {hash_mib:.0f} MiB per hash)",
            figure=f"p99 {p99:.0f} ms, peak RSS {peak_mib:.0f} MiB (load {load})",
            baseline=f"RSS before {before_mib:.0f} MiB + {bound} hashes at once × {hash_mib:.0f} MiB "
            f"+ {REQUESTS_MIB} MiB (unbounded: +{clients * hash_mib:.0f} MiB)",
            ratio=None,
            target=f"peak RSS ≤ {ceiling_mib:.0f} MiB, every sign-in 200",
            met=peak_mib <= ceiling_mib and statuses == {200: clients},
        )
    )


async def register_to_mail(gateway: str, mailpit: str, count: int) -> None:
    latencies: list[float] = []
    async with (
        httpx.AsyncClient(base_url=gateway, timeout=60) as http,
        httpx.AsyncClient(base_url=mailpit, timeout=10) as mail,
    ):
        for index in range(count):
            email = f"bench-mail-{uuid.uuid4().hex[:10]}@example.com"
            body = {"name": "Bench Mail", "phone": "0912345678", "email": email, "password": PASSWORD,
                    "locale": "en"}  # fmt: skip
            started = time.perf_counter()
            response = await http.post(
                "/api/identity/auth/register",
                json=body,
                headers={"X-Forwarded-For": f"192.0.2.{index % 250 + 1}"},
            )
            response.raise_for_status()
            while True:
                found = await mail.get("/api/v1/search", params={"query": f'to:"{email}"'})
                if found.json().get("messages"):
                    latencies.append(time.perf_counter() - started)
                    break
                if time.perf_counter() - started > 60:
                    print(f"  no mail for {email} within 60 s")
                    break
                await asyncio.sleep(0.02)
    if latencies:
        print(
            f"register→mail (n={len(latencies)}): p50 {percentile(latencies, 50) * 1000:.0f} ms  "
            f"p99 {percentile(latencies, 99) * 1000:.0f} ms  mean {statistics.mean(latencies) * 1000:.0f} ms"
        )


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--state", default=os.environ.get("SP_TEST_STATE", str(ROOT / ".run" / "test")))
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--mails", type=int, default=50)
    parser.add_argument("--burst", type=int, default=50, help="clients signing in at once")
    args = parser.parse_args()
    stack = json.loads((Path(args.state) / "stack.json").read_text())

    cost = argon2_cost()
    print(f"argon2id verify (t=3, m=64 MiB, p=4): {cost * 1000:.1f} ms per hash, one thread")
    email = f"bench-{uuid.uuid4().hex[:10]}@example.com"
    create_user(stack, email)
    await sign_in_throughput(stack["services"]["identity"]["url"], email, args.clients, args.seconds)
    if args.burst:
        pid = service_pid(Path(args.state), "identity")
        await sign_in_burst(stack["services"]["identity"]["url"], email, args.burst, pid)
    if args.mails:
        await register_to_mail(stack["gateway"]["url"], stack["mailpit"]["http_url"], args.mails)


if __name__ == "__main__":
    asyncio.run(main())
