"""Identity benchmark (prints numbers, asserts nothing).

1. argon2id cost: raw `PasswordHasher().verify` loop with the service's parameters.
2. Sign-in throughput and latency p50/p99: N concurrent clients POST /auth/login for a bounded
   time, straight to the service (the gateway's per-address rate limit would measure nginx).
3. Register-to-mail latency p50/p99: register through the gateway, wait for the verification
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
import time
import uuid
from pathlib import Path

import httpx
from argon2 import PasswordHasher

ROOT = Path(__file__).resolve().parent.parent
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
    args = parser.parse_args()
    stack = json.loads((Path(args.state) / "stack.json").read_text())

    cost = argon2_cost()
    print(f"argon2id verify (t=3, m=64 MiB, p=4): {cost * 1000:.1f} ms per hash, one thread")
    email = f"bench-{uuid.uuid4().hex[:10]}@example.com"
    create_user(stack, email)
    await sign_in_throughput(stack["services"]["identity"]["url"], email, args.clients, args.seconds)
    if args.mails:
        await register_to_mail(stack["gateway"]["url"], stack["mailpit"]["http_url"], args.mails)


if __name__ == "__main__":
    asyncio.run(main())
